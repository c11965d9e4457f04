/**
 * One-step low-rank compression: attach the low-rank compressor and bake it at once (truncated
 * SVD now, no fine-tuning in between).
 */
import { compressorHook, type BlockModel, type HookFilter, type LayerInfo } from '@acn/core';
import type { FactorInit } from './factors';
import { lowRank, type LowRankLayerReport } from './low-rank';
import type { RankSpec } from './rank';

/**
 * Options of {@link factorizeModel}.
 *
 * @example
 * ```ts
 * const o: FactorizeOptions = { rank: { energy: 0.95 }, filter: { path: /^blocks\./ } };
 * ```
 */
export interface FactorizeOptions {
  /** Rank per layer: a number, `{ fraction }`, `{ energy }`, or a function of the layer returning one. */
  readonly rank: RankSpec | ((layer: LayerInfo) => RankSpec);
  /** Which layers (default every `dense` layer that is not factored yet). */
  readonly filter?: HookFilter;
  /** Split of the singular values (default `'vcon'`); it does not change `A B`, only later training. */
  readonly init?: FactorInit;
  /** Accept ranks that do not reduce FLOPs; default false. */
  readonly force?: boolean;
}

/**
 * Result of {@link factorizeModel}: what was done to each layer, in model order.
 *
 * @example
 * ```ts
 * const { layers }: FactorizeResult = factorizeModel(model, { rank: 4 });
 * ```
 */
export interface FactorizeResult {
  readonly layers: readonly LowRankLayerReport[];
}

/**
 * Replaces every matched dense layer's kernel by its rank-r truncated SVD, stored as factors
 * (`DenseLayer.factorize`): the same as attaching `compressorHook(lowRank(...))` and baking it
 * right away. The model is smaller and cheaper at once (`model.structure()` lists the ranks, and
 * checkpoints keep them). On error (e.g. a refused rank) the model is left unchanged.
 *
 * @example
 * ```ts
 * const { layers } = factorizeModel(model, { rank: { fraction: 0.25 }, filter: { path: /channelMlp/ } });
 * console.log(layers.map((l) => `${l.path}: r=${l.rank}, kept ${(100 * l.retainedEnergy).toFixed(1)}%`));
 * ```
 */
export function factorizeModel(model: BlockModel, options: FactorizeOptions): FactorizeResult {
  const reports: LowRankLayerReport[] = [];
  const handle = model.hooks.attach(compressorHook(lowRank({ ...options, onPrepare: (r) => reports.push(r) })));
  try {
    handle.bake();
  } catch (e) {
    if (handle.active) handle.dispose(); // e.g. another hook parametrizes the kernel first
    throw e;
  }
  return { layers: reports };
}
