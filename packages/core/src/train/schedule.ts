/** A learning-rate schedule: optimizer step (0-based) → learning rate. */
export type LrSchedule = (step: number) => number;

/** Options of `warmupCosine`. */
export interface WarmupCosineOptions {
  /** Peak learning rate reached at the end of warm-up. */
  readonly peakLr: number;
  /** Steps of linear warm-up from 0 (PyTorch's GradualWarmupScheduler with multiplier 1). */
  readonly warmupSteps: number;
  /** Total steps; the cosine runs from `warmupSteps` to here. */
  readonly totalSteps: number;
  /** Floor of the cosine (acn.md §6: 1e-6). Default 0. */
  readonly minLr?: number;
}

/**
 * Linear warm-up then cosine decay to `minLr`, per optimizer step (acn.md §6 uses the same shape
 * per epoch; pass epochs × steps-per-epoch here to match).
 *
 * @example
 * ```ts
 * const lr = warmupCosine({ peakLr: 1e-3, warmupSteps: 100, totalSteps: 1000, minLr: 1e-6 });
 * lr(0); lr(100); lr(999);
 * ```
 */
export function warmupCosine(o: WarmupCosineOptions): LrSchedule {
  const minLr = o.minLr ?? 0;
  for (const [k, v] of Object.entries({ peakLr: o.peakLr, warmupSteps: o.warmupSteps, totalSteps: o.totalSteps, minLr })) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`warmupCosine: ${k} must be a finite number >= 0, got ${v}`);
  }
  if (o.warmupSteps > o.totalSteps) throw new RangeError(`warmupCosine: warmupSteps (${o.warmupSteps}) exceeds totalSteps (${o.totalSteps})`);
  return (step) => {
    // (step + 1) so that the first update already moves (PyTorch's warm-up at epoch 0 gives lr 0, a wasted epoch).
    if (step < o.warmupSteps) return (o.peakLr * (step + 1)) / o.warmupSteps;
    const span = Math.max(1, o.totalSteps - o.warmupSteps);
    const progress = Math.min(1, (step - o.warmupSteps) / span);
    return minLr + 0.5 * (o.peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}

/**
 * A constant learning rate.
 *
 * @example
 * ```ts
 * const lr = constantLr(1e-3);
 * ```
 */
export function constantLr(lr: number): LrSchedule {
  if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`constantLr: lr must be a finite number >= 0, got ${lr}`);
  return () => lr;
}
