/**
 * Timing helpers of the benchmark suite: medians of wall and process CPU time, the load average,
 * and the backend's plain 2-D matmul rate on given shapes.
 *
 * Why CPU time too: this machine is shared, so wall time includes waiting for a core. For a
 * single-threaded step, process CPU time estimates the uncontended time; with worker threads it
 * sums every thread's CPU, so there wall time is the number to read (on an idle machine).
 */
import { loadavg } from 'node:os';
import { tf } from '../../src/index';

/** One timed sample: wall and process CPU time in milliseconds. */
export interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Medians of repeated samples, plus the raw ones. */
export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly samples: readonly Sample[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** `[1, 5, 15]`-minute load averages, rounded. */
export function load(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

/** Times one call (sync or async). */
export async function sample(fn: () => unknown): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

/** `warmup` untimed calls, then the medians of `reps` timed ones. */
export async function time(fn: () => unknown, reps: number, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: Sample[] = [];
  for (let i = 0; i < reps; i++) samples.push(await sample(fn));
  return summarize(samples);
}

export function summarize(samples: readonly Sample[]): Timing {
  return { wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)), samples };
}

/**
 * Runs the variants round-robin (`reps` rounds after one warm-up round), so load from other
 * processes hits them alike; returns one timing per variant.
 */
export async function interleaved(variants: ReadonlyArray<() => unknown>, reps: number): Promise<Timing[]> {
  for (const v of variants) await v();
  const all: Sample[][] = variants.map(() => []);
  for (let r = 0; r < reps; r++) for (const [i, v] of variants.entries()) all[i].push(await sample(v));
  return all.map(summarize);
}

/** A matmul shape `[m, k] @ [k, n]`. */
export interface MatmulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** Plain 2-D matmul rate on each shape (median, result read back), and the FLOP-weighted rate over all. */
export async function matmulRate(shapes: readonly MatmulShape[], reps: number): Promise<{ shapes: Array<MatmulShape & { gflops: number }>; gflops: number }> {
  const out: Array<MatmulShape & { gflops: number }> = [];
  let flops = 0;
  let ms = 0;
  for (const s of shapes) {
    const a = tf.randomUniform([s.m, s.k], -1, 1, 'float32', 1);
    const b = tf.randomUniform([s.k, s.n], -1, 1, 'float32', 2);
    const t = await time(() => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    }, reps);
    tf.dispose([a, b]);
    const f = 2 * s.m * s.k * s.n;
    // CPU time: the matmul is single-threaded on wasm, so it is the uncontended estimate.
    const best = Math.min(t.wallMs, t.cpuMs > 0 ? t.cpuMs : t.wallMs);
    out.push({ ...s, gflops: f / best / 1e6 });
    flops += f;
    ms += best;
  }
  return { shapes: out, gflops: flops / ms / 1e6 };
}
