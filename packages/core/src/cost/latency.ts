/**
 * Wall-clock latency of tfjs computations and of a model's forward pass (the runtime side of
 * truncation: a cut ACN should be faster, acn.md §4.2, §5.10).
 */
import type { BlockModel } from '../models/block-model';
import { tf, type Tensor } from '../tf';

/** Options of {@link measureLatency}. */
export interface LatencyOptions {
  /** Untimed runs first (kernel compilation, wasm warm-up, allocator growth). Default 3. */
  readonly warmup?: number;
  /** Timed runs. Default 10. */
  readonly repeats?: number;
}

/**
 * Latency statistics in milliseconds. Percentiles interpolate linearly between samples (numpy's default).
 *
 * @example
 * ```ts
 * const { medianMs, p10Ms, p90Ms } = await measureLatency(() => model.predict(x));
 * ```
 */
export interface LatencyStats {
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly meanMs: number;
  /** Every timed run, in run order. */
  readonly samples: number[];
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
}

/** Linear-interpolation percentile of ascending `sorted` (q in [0, 1]). */
function percentile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Times `fn` end to end. Each run executes `fn` inside `tf.tidy` (its intermediates are freed),
 * then waits for the result's values with `await data()` (backends may run asynchronously, so
 * without it only the kernel dispatch would be timed), then disposes the result — leak-free.
 * Inputs should be created once outside `fn`, so that only the computation is timed.
 *
 * @example
 * ```ts
 * const x = tf.randomUniform([128, 28, 28, 1]);
 * const { medianMs } = await measureLatency(() => model.predict(x), { warmup: 3, repeats: 20 });
 * x.dispose();
 * ```
 */
export async function measureLatency(fn: () => Tensor | Tensor[], options: LatencyOptions = {}): Promise<LatencyStats> {
  const warmup = options.warmup ?? 3;
  const repeats = options.repeats ?? 10;
  checkCount('measureLatency: warmup', warmup, 0);
  checkCount('measureLatency: repeats', repeats, 1);
  const runOnce = async (): Promise<number> => {
    const t0 = performance.now();
    const out = tf.tidy(fn);
    const outs = Array.isArray(out) ? out : [out];
    try {
      await Promise.all(outs.map((t) => t.data())); // forces completion of the whole computation
      return performance.now() - t0;
    } finally {
      tf.dispose(outs);
    }
  };
  for (let i = 0; i < warmup; i++) await runOnce();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) samples.push(await runOnce());
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    medianMs: percentile(sorted, 0.5),
    p10Ms: percentile(sorted, 0.1),
    p90Ms: percentile(sorted, 0.9),
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    samples,
  };
}

/** Options of {@link modelLatency}. */
export interface ModelLatencyOptions extends LatencyOptions {
  /** Batch sizes to time. Default [1, 128]. */
  readonly batchSizes?: readonly number[];
  /** Seed of the random inputs. Default 0. */
  readonly seed?: number;
}

/**
 * Inference latency (`model.predict`, no probes) per batch size, on uniform random inputs
 * `[batch, ...sampleShape]` created once per batch size outside the timed region and freed after.
 *
 * @example
 * ```ts
 * const full = await modelLatency(model, [28, 28, 1]);
 * const cut = await modelLatency(truncate(model, 4), [28, 28, 1]);
 * full[128].medianMs / cut[128].medianMs; // speed-up of the truncated model
 * ```
 */
export async function modelLatency(model: BlockModel, sampleShape: readonly number[], options: ModelLatencyOptions = {}): Promise<Record<number, LatencyStats>> {
  const batchSizes = options.batchSizes ?? [1, 128];
  if (batchSizes.length === 0) throw new RangeError('modelLatency: batchSizes is empty');
  batchSizes.forEach((b) => checkCount('modelLatency: batch size', b, 1));
  const out: Record<number, LatencyStats> = {};
  for (const b of batchSizes) {
    const x = tf.randomUniform([b, ...sampleShape], 0, 1, 'float32', options.seed ?? 0);
    try {
      model.validateInput(x); // a wrong sampleShape fails here, not as a kernel error mid-measurement
      out[b] = await measureLatency(() => model.predict(x), options);
    } finally {
      x.dispose();
    }
  }
  return out;
}
