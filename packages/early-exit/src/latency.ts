/**
 * Wall-clock latency of early-exit inference vs a plain forward, per batch size, with
 * `@acn/core`'s `measureLatency` (warm-up runs, then the median of repeated runs).
 */
import { measureLatency, tf, type BlockModel, type LatencyStats, type Tensor } from '@acn/core';
import { earlyExitForward } from './exit-forward';
import type { ExitHeads } from './exits';
import type { ExitPolicy } from './policy';

/**
 * Options of {@link exitLatency}.
 *
 * @example
 * ```ts
 * const opts: ExitLatencyOptions = { exits, policy, batchSizes: [1, 128], repeats: 10 };
 * ```
 */
export interface ExitLatencyOptions {
  /** With `policy`: run `earlyExitForward`; without both: the model's plain `predict`. */
  readonly exits?: ExitHeads;
  readonly policy?: ExitPolicy;
  /** Default [1, 128]. */
  readonly batchSizes?: readonly number[];
  /** Batches per timed run (consecutive slices of `inputs`; at most what `inputs` holds). Default: 32 for batch 1, else 1. */
  readonly batchesPerRun?: (batchSize: number) => number;
  /** Default 10. */
  readonly repeats?: number;
  /** Default 3. */
  readonly warmup?: number;
}

/**
 * Latency per batch (milliseconds, statistics over repeated runs) of early-exit inference or of the
 * plain forward, on real inputs (exit layers depend on the data, so random inputs would not do).
 * Each timed run processes `batchesPerRun(b)` consecutive batches of `inputs` one after the other,
 * reading every result back (what a serving loop does), and the run's time is divided by the
 * number of batches: for batch 1 that averages over 32 different samples by default. Input slices
 * are made before timing and freed after.
 *
 * @example
 * ```ts
 * const plain = await exitLatency(resModel, testImages);                     // { 1: stats, 128: stats }
 * const ee = await exitLatency(acModel, testImages, { exits, policy });
 * const speedup128 = plain[128].medianMs / ee[128].medianMs;
 * ```
 */
export async function exitLatency(model: BlockModel, inputs: Tensor, options: ExitLatencyOptions = {}): Promise<Record<number, LatencyStats>> {
  const who = 'exitLatency';
  if ((options.exits === undefined) !== (options.policy === undefined)) throw new TypeError(`${who}: give both exits and policy (early exit) or neither (plain forward)`);
  const batchSizes = options.batchSizes ?? [1, 128];
  const perRun = options.batchesPerRun ?? ((b: number) => (b === 1 ? 32 : 1));
  const n = inputs.shape[0];
  const out: Record<number, LatencyStats> = {};
  for (const b of batchSizes) {
    if (!Number.isInteger(b) || b < 1) throw new RangeError(`${who}: batch sizes must be integers >= 1, got ${b}`);
    if (b > n) throw new RangeError(`${who}: batch size ${b} needs at least ${b} inputs, got ${n}`);
    const count = Math.max(1, Math.min(perRun(b), Math.floor(n / b)));
    const batches = Array.from({ length: count }, (_, i) => tf.slice(inputs, i * b, b));
    try {
      const run = (x: Tensor): Tensor => {
        if (options.exits && options.policy) {
          const r = earlyExitForward(model, x, { exits: options.exits, policy: options.policy });
          return tf.tensor1d(r.predictions, 'int32');
        }
        const logits = model.predict(x);
        logits.dataSync(); // read back, as the early-exit path does between blocks
        return logits;
      };
      const stats = await measureLatency(
        () => {
          let last: Tensor | undefined;
          for (const x of batches) last = run(x);
          return last!;
        },
        { repeats: options.repeats ?? 10, warmup: options.warmup ?? 3 },
      );
      const per = (v: number) => v / count;
      out[b] = { medianMs: per(stats.medianMs), p10Ms: per(stats.p10Ms), p90Ms: per(stats.p90Ms), meanMs: per(stats.meanMs), samples: stats.samples.map(per) };
    } finally {
      tf.dispose(batches);
    }
  }
  return out;
}
