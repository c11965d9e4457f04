/**
 * `@acn/lowrank`: low-rank (truncated SVD) compression of dense layers for `@acn` models. Rank by
 * number, fraction or retained energy; trainable factors through a core `Compressor` (usable
 * alone with `compressorHook` or inside `@acn/vcon`); baking into factored layers that really
 * have fewer parameters and FLOPs.
 *
 * @example
 * ```ts
 * import { compressorHook } from '@acn/core';
 * import { lowRank, factorizeModel } from '@acn/lowrank';
 * const h = model.hooks.attach(compressorHook(lowRank({ rank: { energy: 0.9 } })));
 * // ... fine-tune ..., then
 * h.bake();
 * // or in one step, without fine-tuning:
 * factorizeModel(other, { rank: 8 });
 * ```
 */
export { kernelSvd, retainedEnergy, svdOf, truncationError } from './svd';
export type { KernelSvd } from './svd';
export { FACTOR_INITS, factorTensors, svdFactors } from './factors';
export type { FactorInit, FactorValues } from './factors';
export { maxReducingRank, selectRank, validateRankSpec } from './rank';
export type { RankSpec, SelectRankOptions } from './rank';
export { factoredCost } from './cost';
export type { FactoredShape } from './cost';
export { FACTOR_A, FACTOR_B, lowRank } from './low-rank';
export type { LowRankLayerReport, LowRankOptions } from './low-rank';
export { factorizeModel } from './factorize-model';
export type { FactorizeOptions, FactorizeResult } from './factorize-model';
