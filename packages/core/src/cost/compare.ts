/**
 * Before/after cost ratios, e.g. a truncated ACN against the full model.
 */
import type { CostTotals, ModelCost } from './model-cost';

/**
 * Result of {@link compareCost}: every ratio is `after / before` (fraction kept, < 1 = smaller).
 *
 * @example
 * ```ts
 * const { flops, flopSpeedup }: CostComparison = compareCost(full, truncated);
 * ```
 */
export interface CostComparison {
  readonly params: number;
  readonly nonZeroParams: number;
  readonly flops: number;
  readonly bytes: number;
  /** `before.flops / after.flops` (the "speed-up in FLOPs" of acn.md §5.10). */
  readonly flopSpeedup: number;
  /** `before.bytes / after.bytes`. */
  readonly compression: number;
}

/** `b / a`, with `0 / 0` = 1 (nothing changed) and `x / 0` = Infinity. */
function ratio(a: number, b: number): number {
  if (a === b) return 1;
  return a === 0 ? Infinity : b / a;
}

/**
 * Ratios of two costs, e.g. "truncated vs full". Takes `modelCost` results or plain totals (any
 * object with params, nonZeroParams, flops, bytes).
 *
 * @example
 * ```ts
 * const full = modelCost(model);
 * const cut = modelCost(truncate(model, 4));
 * const r = compareCost(full, cut); // r.flops ≈ 0.55, r.flopSpeedup ≈ 1.8
 * ```
 */
export function compareCost(before: ModelCost | CostTotals, after: ModelCost | CostTotals): CostComparison {
  const a = 'total' in before ? before.total : before;
  const b = 'total' in after ? after.total : after;
  return {
    params: ratio(a.params, b.params),
    nonZeroParams: ratio(a.nonZeroParams, b.nonZeroParams),
    flops: ratio(a.flops, b.flops),
    bytes: ratio(a.bytes, b.bytes),
    flopSpeedup: ratio(b.flops, a.flops),
    compression: ratio(b.bytes, a.bytes),
  };
}
