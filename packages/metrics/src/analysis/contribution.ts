/**
 * Incremental layer performance contribution (acn.md §4.3): Δ_k = acc(k) − acc(k−1), the accuracy
 * gained by adding block k, tracked over epochs as a layers × epochs heatmap (ACN: a diagonal,
 * layer-by-layer pattern; residual: gains concentrated in the last layers).
 */
import type { EpochSummary, TrainerCallbacks } from '@acn/core';
import { transpose } from './matrix';

/**
 * acc[k] − acc[k−1] for k = 1..L from a probe curve of L+1 values (index 0 = embedding only).
 * Entry j of the result is the contribution of block j+1. Throws a `RangeError` for an empty curve
 * or a non-finite value.
 *
 * @example
 * ```ts
 * incrementalContribution([0.25, 0.5, 0.75, 0.8]); // [0.25, 0.25, 0.05] (up to rounding)
 * ```
 */
export function incrementalContribution(probeAccuracy: readonly number[]): number[] {
  if (probeAccuracy.length === 0) throw new RangeError('incrementalContribution: empty probe-accuracy curve');
  const bad = probeAccuracy.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`incrementalContribution: value at index ${bad} is not finite (${probeAccuracy[bad]})`);
  return probeAccuracy.slice(1).map((a, j) => a - probeAccuracy[j]);
}

/**
 * Collects one probe curve per epoch and turns it into the contribution heatmap. Use it as a
 * trainer callback with `evalData` and `evalProbes: true` (it reads `summary.eval.probeAccuracy`),
 * or feed curves by hand with {@link ContributionTracker.push}.
 *
 * As a callback it throws at the first epoch without probe accuracies, so a misconfigured run
 * fails after one epoch instead of finishing with an empty heatmap.
 *
 * @example
 * ```ts
 * const contrib = new ContributionTracker();
 * await train(model, trainSet, { epochs: 10, evalData: testSet, evalProbes: true, callbacks: contrib });
 * contrib.matrix(); // L × 10: row j = gain from block j+1, column e = epoch e+1
 * ```
 */
export class ContributionTracker implements TrainerCallbacks {
  private readonly history: number[][] = [];
  private readonly epochNumbers: number[] = [];

  /** The collected probe curves, one row per epoch (epochs × (L+1)). Copies. */
  get probeHistory(): number[][] {
    return this.history.map((r) => r.slice());
  }

  /** The epoch number of every row of {@link probeHistory} (as given by the trainer or `push`). */
  get epochs(): number[] {
    return this.epochNumbers.slice();
  }

  /** Trainer hook: records `summary.eval.probeAccuracy`. */
  onEpochEnd(summary: EpochSummary): void {
    const acc = summary.eval?.probeAccuracy;
    if (!acc) {
      throw new Error(`ContributionTracker: epoch ${summary.epoch} has no probe accuracies; train with evalData and evalProbes: true`);
    }
    this.push(acc, summary.epoch);
  }

  /** Adds one epoch's probe curve (L+1 values); every curve must have the same length. */
  push(probeAccuracy: readonly number[], epoch = this.history.length + 1): void {
    incrementalContribution(probeAccuracy); // validates: non-empty, finite
    if (this.history.length > 0 && probeAccuracy.length !== this.history[0].length) {
      throw new RangeError(`ContributionTracker: expected ${this.history[0].length} probe accuracies (L+1), got ${probeAccuracy.length}`);
    }
    this.history.push(probeAccuracy.slice());
    this.epochNumbers.push(epoch);
  }

  /** Contribution heatmap, layers × epochs: `matrix()[j][e]` = acc_e(j+1) − acc_e(j). Empty before the first epoch. */
  matrix(): number[][] {
    return transpose(this.history.map((acc) => incrementalContribution(acc)));
  }
}
