/**
 * `npx tsx bench/batched-matmul.bench.ts`: forward + backward of attention's two batched matmuls
 * (`s = q kᵀ`, `o = a v`, rank-3 [B·H, T, dh]) on wasm, with the batched XNNPACK loop
 * (wasm-batched-matmul.ts) on and off, interleaved; medians of process CPU time (the wasm backend
 * is single-threaded, CPU time is the better uncontended estimate on a shared machine) and wall.
 * Env: ACN_BENCH_ROUNDS (default 7), ACN_BENCH_SHAPES ("BHxTxdh,..." default a grid over
 * B·H ∈ {64, 256}, T ∈ {17, 65}, dh ∈ {16, 32, 64}).
 */
import { wasmBatchedLoop } from '../src/backend/wasm-matmul';
import { initBackend, tf } from '../src/index';

const rounds = Number(process.env.ACN_BENCH_ROUNDS ?? 7);
const shapes = (process.env.ACN_BENCH_SHAPES ?? '64x17x16,64x65x32,256x17x32,256x65x16,256x65x32,256x65x64')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number]);

/** One fwd+bwd of o = softmax-free (q kᵀ) v; returns the scalar loss after reading gradients. */
function step(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, r: tf.Tensor): number {
  const grads = tf.grads((qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
    tf.sum(tf.mul(tf.matMul(tf.matMul(qq, kk, false, true), vv), r)),
  );
  const gs = grads([q, k, v]);
  const s = gs.reduce((acc, g) => acc + (g.dataSync()[0] as number), 0);
  tf.dispose(gs);
  return s;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await initBackend('wasm');
  console.log(`backend ${tf.getBackend()} loadavg ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}`);
  for (const [bh, t, dh] of shapes) {
    const q = tf.randomNormal([bh, t, dh], 0, 1, 'float32', 1);
    const k = tf.randomNormal([bh, t, dh], 0, 1, 'float32', 2);
    const v = tf.randomNormal([bh, t, dh], 0, 1, 'float32', 3);
    const r = tf.randomNormal([bh, t, dh], 0, 1, 'float32', 4);
    const flops = 3 * 2 * (2 * bh * t * t * dh); // fwd 2 matmuls, bwd 4 → 3× fwd
    const res: Record<string, { cpu: number[]; wall: number[] }> = { stock: { cpu: [], wall: [] }, loop: { cpu: [], wall: [] } };
    for (let i = 0; i <= rounds; i++) {
      for (const name of ['stock', 'loop'] as const) {
        wasmBatchedLoop.enabled = name === 'loop';
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        step(q, k, v, r);
        const wall = performance.now() - w0;
        const c = process.cpuUsage(c0);
        if (i > 0) {
          res[name].cpu.push((c.user + c.system) / 1000);
          res[name].wall.push(wall);
        }
      }
    }
    const st = median(res.stock.cpu);
    const lp = median(res.loop.cpu);
    console.log(
      `BH=${bh} T=${t} dh=${dh}: stock ${st.toFixed(1)} ms CPU (${median(res.stock.wall).toFixed(1)} wall, ${(flops / st / 1e6).toFixed(2)} GFLOP/s)` +
        ` | loop ${lp.toFixed(1)} ms CPU (${median(res.loop.wall).toFixed(1)} wall, ${(flops / lp / 1e6).toFixed(2)} GFLOP/s) | speed-up ${(st / lp).toFixed(2)}x`,
    );
    tf.dispose([q, k, v, r]);
  }
  wasmBatchedLoop.enabled = true;
  console.log(`loadavg ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}`);
}

void main();
