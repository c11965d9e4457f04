/**
 * Cost of a dense layer computed as `(x A) B + b`, in `@acn/core`'s cost convention (a multiply-add is
 * 2 FLOPs, the bias add 1 FLOP per output, float32 = 4 bytes unless the base says otherwise).
 */
import type { LayerCost } from '@acn/core';

/**
 * Shape of a factored dense layer.
 *
 * @example
 * ```ts
 * const shape: FactoredShape = { inDim: 64, outDim: 256, rank: 8, hasBias: true };
 * ```
 */
export interface FactoredShape {
  readonly inDim: number;
  readonly outDim: number;
  readonly rank: number;
  readonly hasBias: boolean;
}

/**
 * Turns the cost of the dense layer (`base`, as counted by `modelCost` while the low-rank hook
 * is attached) into the cost of its factored form, which is what baking produces:
 * - params `r·(in + out)` (+ `out` bias);
 * - FLOPs per row `2·r·(in + out)` (+ `out` bias adds) instead of `2·in·out` (+ `out`); the
 *   number of rows per sample (tokens) is recovered from `base.flops`, so the result is the base
 *   FLOPs scaled by `(2·r·(in + out) + out) / (2·in·out + out)`;
 * - bytes at the base's bytes per parameter (4 for float32);
 * - non-zero params as given (the caller counts the factors), else all params.
 *
 * @example
 * ```ts
 * factoredCost({ params: 136, nonZeroParams: 136, flops: 264, bytes: 544 }, { inDim: 8, outDim: 16, rank: 2, hasBias: true });
 * // params 2·24 + 16 = 64, flops 2·2·24 + 16 = 112, bytes 256
 * ```
 */
export function factoredCost(base: LayerCost, shape: FactoredShape, nonZeroParams?: number): LayerCost {
  const { inDim, outDim, rank, hasBias } = shape;
  const biasSize = hasBias ? outDim : 0;
  const params = rank * (inDim + outDim) + biasSize;
  const denseRowFlops = 2 * inDim * outDim + biasSize; // one row [1, in] -> [1, out]
  const factoredRowFlops = 2 * rank * (inDim + outDim) + biasSize; // [1, in] -> [1, r] -> [1, out]
  const flops = (base.flops * factoredRowFlops) / denseRowFlops;
  const bytesPerParam = base.params > 0 ? base.bytes / base.params : 4;
  return { params, nonZeroParams: Math.min(params, nonZeroParams ?? params), flops, bytes: params * bytesPerParam };
}
