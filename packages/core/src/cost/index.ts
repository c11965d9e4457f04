/**
 * Cost and latency accounting: params, non-zero params, FLOPs and bytes per layer / block / model,
 * checkpoint sizes, before/after ratios, and wall-clock latency. Lives in core (no heavy
 * dependencies) so compression plugins can report costs without the `@acn/metrics` report stack.
 *
 * @example
 * ```ts
 * import { modelCost, checkpointBytes, compareCost } from '@acn/core';
 * const full = modelCost(model);
 * const cut = modelCost(truncate(model, 4));
 * console.log(compareCost(full, cut).flopSpeedup, checkpointBytes(model).gzip);
 * ```
 */
export { modelCost } from './model-cost';
export type { BlockCost, CostTotals, LayerCostEntry, ModelCost, ModelCostOptions } from './model-cost';
export {
  DEFAULT_KIND_FLOPS,
  GELU_FLOPS_PER_ELEMENT,
  LAYER_NORM_FLOPS_PER_ELEMENT,
  SOFTMAX_FLOPS_PER_ELEMENT,
  attentionFlops,
  denseFlops,
  elements,
  mlpFlops,
  normFlops,
} from './kind-flops';
export type { KindFlops, KindFlopsInput, LayerCall } from './kind-flops';
export { checkpointBytes } from './bytes';
export type { CheckpointBytes } from './bytes';
export { compareCost } from './compare';
export type { CostComparison } from './compare';
export { measureLatency, modelLatency } from './latency';
export type { LatencyOptions, LatencyStats, ModelLatencyOptions } from './latency';
