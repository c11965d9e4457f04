/**
 * `npx tsx bench/attention.bench.ts`: forward + backward time of the multi-head attention core on
 * wasm (B = 64, H = 4, T ∈ {17, 65}, D ∈ {64, 128}), comparing ways of doing the two batched
 * matmuls (`q kᵀ` and `a v`), plus the whole `MultiHeadAttention` layer (projections included).
 *
 * Why this exists: tfjs-wasm runs a matmul on XNNPACK only when it is 2-D (platform.md §2); the
 * attention matmuls are batched over B·H on both sides and run on a scalar loop (~2 GFLOP/s).
 * The candidates:
 * - `batched`: what `attentionCore` does: `[B, H, T, dh]` batched `tf.matMul` (transposeB).
 * - `batched-kT`: the same with K materialised as `[B, H, dh, T]` (no transposeB).
 * - `loop-2d`: one 2-D matmul per (sample, head) on `tf.split` slices (XNNPACK, B·H ops each).
 * - `blockdiag-gN`: N (sample, head) pairs per 2-D matmul, `[N·T, dh] @ [dh, N·T]`, with a
 *   block-diagonal mask so pairs do not see each other (N× the FLOPs on the fast kernel, N× fewer ops).
 * - `per-head-2d`: the same with N = B: one `[B·T, dh] @ [dh, B·T]` matmul per head (T = 17 only).
 *
 * Variants run interleaved (round-robin) so that load from other processes hits them alike;
 * medians of wall and process CPU time are reported (the wasm backend is single-threaded, so CPU
 * time is the better estimate of uncontended time on a shared machine). Options (env): ACN_BENCH_ROUNDS (default 7), ACN_BENCH_BATCH (64),
 * ACN_BENCH_SIZES (e.g. "17x64,65x128"), ACN_BENCH_VARIANTS (comma list, default all).
 */
import { attentionCore, MultiHeadAttention } from '../src/nn/attention-layer';
import { initBackend, Rng, tf, type Tensor } from '../src/index';

const rounds = Number(process.env.ACN_BENCH_ROUNDS ?? 7);
const B = Number(process.env.ACN_BENCH_BATCH ?? 64);
const H = 4;
const sizes = (process.env.ACN_BENCH_SIZES ?? '17x64,17x128,65x64,65x128').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const only = process.env.ACN_BENCH_VARIANTS?.split(',');

type Core = (q: Tensor, k: Tensor, v: Tensor) => Tensor;

const heads = (x: Tensor, b: number, t: number, dh: number) => tf.transpose(tf.reshape(x, [b, t, H, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
const merge = (o: Tensor, b: number, t: number, d: number) => tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [b, t, d]);

const batched: Core = (q, k, v) => attentionCore(q, k, v, H);

const batchedKT: Core = (q, k, v) => {
  const [b, t, d] = q.shape as [number, number, number];
  const dh = d / H;
  const kT = tf.transpose(tf.reshape(k, [b, t, H, dh]), [0, 2, 3, 1]); // [B, H, dh, T]
  const a = tf.softmax(tf.matMul(heads(tf.mul(q, 1 / Math.sqrt(dh)), b, t, dh), kT));
  return merge(tf.matMul(a, heads(v, b, t, dh)), b, t, d);
};

const blockBiasCache = new Map<string, Float32Array>();
/** `[g·T, g·T]`: 0 on the g diagonal T×T blocks, -1e9 elsewhere. */
function blockBias(g: number, t: number): Float32Array {
  const key = `${g}x${t}`;
  let m = blockBiasCache.get(key);
  if (!m) {
    const n = g * t;
    m = new Float32Array(n * n).fill(-1e9);
    for (let p = 0; p < g; p++) for (let i = 0; i < t; i++) m.fill(0, (p * t + i) * n + p * t, (p * t + i) * n + p * t + t);
    blockBiasCache.set(key, m);
  }
  return m;
}

/** g (sample, head) pairs per 2-D matmul; g = 1 is a plain per-pair loop. */
const grouped =
  (g: number): Core =>
  (q, k, v) => {
    const [b, t, d] = q.shape as [number, number, number];
    const dh = d / H;
    const n = (b * H) / g;
    if (!Number.isInteger(n)) throw new Error(`group ${g} must divide B·H = ${b * H}`);
    const rows = g * t;
    const flat = (x: Tensor) => tf.reshape(heads(x, b, t, dh), [b * H * t, dh]); // pairs stacked by rows
    const qs = tf.split(flat(tf.mul(q, 1 / Math.sqrt(dh))), n, 0);
    const ks = tf.split(flat(k), n, 0);
    const vs = tf.split(flat(v), n, 0);
    const bias = g > 1 ? tf.tensor2d(blockBias(g, t), [rows, rows]) : undefined;
    const outs = qs.map((qi, i) => {
      let s = tf.matMul(qi, ks[i], false, true); // [g·T, g·T]
      if (bias) s = tf.add(s, bias);
      return tf.matMul(tf.softmax(s), vs[i]); // [g·T, dh]
    });
    return merge(tf.reshape(tf.concat(outs, 0), [b, H, t, dh]), b, t, d);
  };

const cores: Record<string, Core> = {
  batched,
  'batched-kT': batchedKT,
  'loop-2d': grouped(1),
  'blockdiag-g4': grouped(4),
  'blockdiag-g8': grouped(8),
  // B pairs per matmul = one 2-D matmul per head over the whole batch ("one side batch 1");
  // only run where its [B·T, B·T] score matrices stay small (T = 17).
  'per-head-2d': grouped(B),
};
const maxGroupRows = 1200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Process CPU time in ms (user + system). The wasm backend runs on one thread, so on a shared
 * machine CPU time tracks the uncontended wall time better than wall time does; both are reported.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** Times `run` (wall and CPU). */
function timed(run: () => void): Sample {
  const w0 = performance.now();
  const c0 = cpuMs();
  run();
  return { wall: performance.now() - w0, cpu: cpuMs() - c0 };
}

/** One forward + backward of `sum(f(inputs) ⊙ r)`, waiting for the gradients. */
function step(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], r: Tensor): Sample {
  return timed(() => {
    const gs = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs);
    const s = tf.tidy(() => tf.addN(gs.map((g) => tf.sum(g))));
    s.dataSync();
    tf.dispose([...gs, s]);
  });
}

async function main(): Promise<void> {
  const info = await initBackend('wasm');
  console.log(`backend ${info.name} (fast paths ${info.fastPaths}); B=${B}, H=${H}; forward+backward, median of ${rounds} interleaved rounds (ms)`);
  const start = tf.memory().numTensors;
  for (const [t, d] of sizes) {
    const q = tf.randomNormal([B, t, d], 0, 1, 'float32', 1);
    const k = tf.randomNormal([B, t, d], 0, 1, 'float32', 2);
    const v = tf.randomNormal([B, t, d], 0, 1, 'float32', 3);
    const r = tf.randomNormal([B, t, d], 0, 1, 'float32', 4);
    const names = Object.keys(cores).filter((n) => (!only || only.includes(n)) && !(n === 'per-head-2d' && B * t > maxGroupRows));
    // Correctness first: every variant equals the reference to float precision.
    const ref = tf.tidy(() => batched(q, k, v));
    for (const n of names) {
      const e = tf.tidy(() => tf.max(tf.abs(tf.sub(cores[n](q, k, v), ref))));
      const err = e.dataSync()[0];
      e.dispose();
      if (!(err < 1e-4)) throw new Error(`${n} differs from the reference by ${err}`);
    }
    ref.dispose();

    // The whole layer (q/k/v/out projections on XNNPACK + the core), gradients for x and weights.
    const layer = new MultiHeadAttention('attn', d, H, { depth: 0, fused: true, rng: new Rng(0) });
    const x = tf.randomNormal([B, t, d], 0, 1, 'float32', 5);
    const ctx = { training: true, step: 0, detachInputs: false };
    const vars = [...layer.walk()].flatMap((l) => Object.values(l.weights));
    const layerStep = (): Sample =>
      timed(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, ctx), r)) as tf.Scalar, vars);
        const s = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(g))));
        s.dataSync();
        tf.dispose([value, s, ...Object.values(grads)]);
      });

    const times: Record<string, Sample[]> = Object.fromEntries([...names, 'layer'].map((n) => [n, []]));
    for (const n of names) step(cores[n], [q, k, v], r); // warm-up
    layerStep();
    for (let i = 0; i < rounds; i++) {
      for (const n of names) times[n].push(step(cores[n], [q, k, v], r));
      times.layer.push(layerStep());
    }
    const wall = Object.fromEntries(Object.entries(times).map(([n, ts]) => [n, median(ts.map((t) => t.wall))]));
    const cpu = Object.fromEntries(Object.entries(times).map(([n, ts]) => [n, median(ts.map((t) => t.cpu))]));
    const gflop = (6 * 2 * B * t * t * d) / 1e9; // q kᵀ and a v: forward 2 matmuls, backward 4
    console.log(`\nT=${t} D=${d} (attention-core matmuls ${(gflop * 1e3).toFixed(0)} MFLOP per fwd+bwd)      wall ms    CPU ms  GFLOP/s(CPU)  CPU vs batched`);
    for (const n of names) {
      console.log(
        `  ${n.padEnd(14)} ${wall[n].toFixed(1).padStart(22)} ${cpu[n].toFixed(1).padStart(9)} ${(gflop / (cpu[n] / 1e3)).toFixed(2).padStart(13)} ${`${(cpu[n] / cpu.batched).toFixed(2)}x`.padStart(15)}`,
      );
    }
    const best = names.reduce((a, b) => (cpu[b] < cpu[a] ? b : a));
    const rest = names.filter((n) => n !== best);
    if (rest.length) {
      const second = rest.reduce((a, b) => (cpu[b] < cpu[a] ? b : a));
      console.log(`  fastest core (CPU time): ${best}, ${(cpu[second] / cpu[best]).toFixed(2)}x faster than the runner-up ${second}`);
    }
    console.log(`  whole MultiHeadAttention layer (projections + batched core): ${wall.layer.toFixed(1)} ms wall, ${cpu.layer.toFixed(1)} ms CPU`);
    layer.dispose();
    tf.dispose([q, k, v, r, x]);
  }
  const end = tf.memory().numTensors;
  console.log(`\ntensors before/after: ${start} / ${end} ${start === end ? '(no leak)' : '(LEAK)'}`);
  if (start !== end) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
