/**
 * Cutoff layer and "% network used" (acn.md §4.2, ambiguity A4): the earliest probe whose accuracy
 * is comparable to the final output. The paper gives no tolerance, so δ is explicit and reported.
 */

/** Options of {@link cutoffLayer}. */
export interface CutoffOptions {
  /**
   * Tolerance δ in the same unit as the accuracies. Default 0.005, i.e. 0.5 percentage points for
   * fractions in [0, 1] (pass 0.5 if the curve is in percent). acn.md §4.2 suggests reporting 0.005
   * and 0.01.
   */
  readonly delta?: number;
}

/**
 * Result of {@link cutoffLayer}. Layer indices count probes: 0 = embedding only, L = full model.
 *
 * @example
 * ```ts
 * const { relativeToFinal, fractionUsed } = cutoffLayer(accuracy); // truncate(model, relativeToFinal)
 * ```
 */
export interface CutoffResult {
  /** Smallest k with acc[k] >= acc[L] − δ (always exists: k = L qualifies). */
  readonly relativeToFinal: number;
  /** Smallest k with acc[k] >= max_j acc[j] − δ (the best probe may be an intermediate one). */
  readonly relativeToBest: number;
  readonly delta: number;
  /** acc[L]. */
  readonly finalAccuracy: number;
  /** max_j acc[j]. */
  readonly bestAccuracy: number;
  /** relativeToFinal / L: the "% network used" of acn.md §4.2 (AC-Mixer: 12/16 = 0.75). */
  readonly fractionUsed: number;
}

/**
 * Finds the cutoff layer of a probe-accuracy curve (L+1 values, e.g. `probeLayers(...).accuracy`).
 * Throws a `RangeError` for fewer than 2 values (no block, so no "fraction used"), a non-finite
 * value, or a negative / non-finite δ.
 *
 * @example
 * ```ts
 * cutoffLayer([0.1, 0.5, 0.795, 0.8, 0.799]);
 * // { relativeToFinal: 2, relativeToBest: 2, delta: 0.005, finalAccuracy: 0.799, bestAccuracy: 0.8, fractionUsed: 0.5 }
 * ```
 */
export function cutoffLayer(probeAccuracy: readonly number[], options: CutoffOptions = {}): CutoffResult {
  const delta = options.delta ?? 0.005;
  if (!Array.isArray(probeAccuracy) || probeAccuracy.length < 2) {
    throw new RangeError(`cutoffLayer: need L+1 >= 2 probe accuracies (embedding + at least one block), got ${Array.isArray(probeAccuracy) ? probeAccuracy.length : typeof probeAccuracy}`);
  }
  const bad = probeAccuracy.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`cutoffLayer: probe accuracy at index ${bad} is not a finite number (${probeAccuracy[bad]})`);
  if (typeof delta !== 'number' || !Number.isFinite(delta) || delta < 0) {
    throw new RangeError(`cutoffLayer: delta must be a finite number >= 0, got ${delta}`);
  }
  const L = probeAccuracy.length - 1;
  const finalAccuracy = probeAccuracy[L];
  const bestAccuracy = Math.max(...probeAccuracy);
  // Both searches terminate: index L satisfies the first, the argmax satisfies the second.
  const relativeToFinal = probeAccuracy.findIndex((a) => a >= finalAccuracy - delta);
  const relativeToBest = probeAccuracy.findIndex((a) => a >= bestAccuracy - delta);
  return { relativeToFinal, relativeToBest, delta, finalAccuracy, bestAccuracy, fractionUsed: relativeToFinal / L };
}
