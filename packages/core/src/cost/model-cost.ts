/**
 * Per-sample cost of a model (parameters, non-zero parameters, FLOPs, bytes), per layer, per
 * block and in total, including what attached compression hooks report through `LayerHook.cost`.
 */
import type { LayerCost, LayerHook, LayerKind } from '../hooks/types';
import type { BlockModel } from '../models/block-model';
import { tf, type Tensor } from '../tf';
import { DEFAULT_KIND_FLOPS, type KindFlops, type LayerCall } from './kind-flops';

/**
 * Cost numbers of one layer, block or model (per sample).
 *
 * @example
 * ```ts
 * const { params, flops }: CostTotals = modelCost(model).total;
 * ```
 */
export interface CostTotals {
  readonly params: number;
  readonly nonZeroParams: number;
  /** FLOPs per sample; a multiply-add is 2 (see `kind-flops.ts`). */
  readonly flops: number;
  /** Bytes of the weights in their deployed form. */
  readonly bytes: number;
}

/**
 * One layer's own cost (children excluded), after every attached hook's `cost`.
 *
 * @example
 * ```ts
 * const fc1: LayerCostEntry | undefined = modelCost(model).layers.find((l) => l.path === 'blocks.0.channelMlp.fc1');
 * ```
 */
export interface LayerCostEntry extends CostTotals {
  readonly path: string;
  readonly kind: LayerKind;
  /** Block index, or -1 for the embedding and the head. */
  readonly depth: number;
}

/**
 * Totals of one block `f_i` (the block layer and all its descendants).
 *
 * @example
 * ```ts
 * const perBlock: BlockCost[] = [...modelCost(model).blocks];
 * ```
 */
export interface BlockCost extends CostTotals {
  readonly index: number;
}

/**
 * Result of {@link modelCost}.
 *
 * @example
 * ```ts
 * const c: ModelCost = modelCost(model);
 * console.log(c.total.flops, c.blocks.length, c.layers.length);
 * ```
 */
export interface ModelCost {
  /** Every hookable layer in forward order (`model.layers()`). */
  readonly layers: readonly LayerCostEntry[];
  /** One entry per block, index 0..L-1. */
  readonly blocks: readonly BlockCost[];
  /** Sum over all layers (embedding, blocks, head). */
  readonly total: CostTotals;
}

/**
 * Options of {@link modelCost}.
 *
 * @example
 * ```ts
 * const opts: ModelCostOptions = { bytesPerParam: 2, includeElementwise: true };
 * ```
 */
export interface ModelCostOptions {
  /** Bytes per stored parameter before hooks adjust them. Default 4 (float32). */
  readonly bytesPerParam?: number;
  /** Also count LayerNorm, GELU and softmax with the per-element constants of `kind-flops.ts`. Default false. */
  readonly includeElementwise?: boolean;
  /** Per-kind FLOP functions, merged over `DEFAULT_KIND_FLOPS` (e.g. for a new `attention` layer). */
  readonly kindFlops?: Readonly<Partial<Record<LayerKind, KindFlops>>>;
  /**
   * Input of the recorded forward. Default: zeros `[1, ...model.config.inputShape]` float32. Give
   * one for models whose input is not float images (token ids); the caller keeps ownership.
   */
  readonly input?: Tensor;
}

const ZERO: CostTotals = { params: 0, nonZeroParams: 0, flops: 0, bytes: 0 };

function add(a: CostTotals, b: CostTotals): CostTotals {
  return { params: a.params + b.params, nonZeroParams: a.nonZeroParams + b.nonZeroParams, flops: a.flops + b.flops, bytes: a.bytes + b.bytes };
}

/**
 * Runs one forward and records the `[B, ...]` input and output shape of every layer call. The
 * recording hook is attached last, so it is the outermost wrapper and sees each layer's interface
 * exactly as the model calls it (whatever other hooks do inside).
 */
function recordCalls(model: BlockModel, input: Tensor | undefined): { calls: Map<string, LayerCall[]>; batch: number } {
  const calls = new Map<string, LayerCall[]>();
  const recorder: LayerHook = {
    name: 'acn:cost/record-shapes',
    allowEmpty: true,
    wrapForward: (next, layer) => (x, ctx) => {
      const y = next(x, ctx);
      const list = calls.get(layer.path) ?? [];
      list.push({ input: [...x.shape], output: [...y.shape] });
      calls.set(layer.path, list);
      return y;
    },
  };
  const shape = (model.config as unknown as { inputShape?: readonly number[] }).inputShape;
  if (!input && !shape) throw new Error('modelCost: model.config has no inputShape; pass options.input (a batch of 1)');
  const handle = model.hooks.attach(recorder);
  const x = input ?? tf.zeros([1, ...shape!]); // [1, ...inputShape]
  try {
    const { logits, probes } = model.forward(x);
    logits.dispose();
    if (probes) tf.dispose(probes);
  } finally {
    handle.dispose();
    if (!input) x.dispose();
  }
  return { calls, batch: x.shape[0] };
}

/**
 * Non-zero count of every weight, in one tidy and a single download: `[numWeights]` int32 (int32 so
 * counts stay exact beyond 2^24, where float32 sums would round).
 */
function nonZeroCounts(weights: readonly Tensor[]): number[] {
  if (weights.length === 0) return [];
  const counts = tf.tidy(() => tf.stack(weights.map((w) => tf.sum(tf.cast(tf.notEqual(w, 0), 'int32')))));
  const out = Array.from(counts.dataSync());
  counts.dispose();
  return out;
}

function checkCost(c: LayerCost, hook: string, path: string): LayerCost {
  for (const k of ['params', 'nonZeroParams', 'flops', 'bytes'] as const) {
    if (typeof c?.[k] !== 'number' || !Number.isFinite(c[k]) || c[k] < 0) {
      throw new Error(`modelCost: hook '${hook}' returned ${k}=${String(c?.[k])} for layer ${path}; costs must be finite numbers >= 0`);
    }
  }
  return c;
}

/**
 * Params, non-zero params, FLOPs and bytes of one sample's inference, per layer (own weights and
 * computation, children excluded), per block and in total.
 *
 * How: one forward of a batch-1 zero input with a temporary recording hook gives every layer's
 * input/output shapes; the per-kind functions of `kind-flops.ts` turn them into FLOPs (dense:
 * `2·rows·in·out + rows·out`; elementwise ops only with `includeElementwise`). Params and
 * non-zeros come from the layer's stored weights, bytes = params · `bytesPerParam`. Then every
 * hook attached to the layer adjusts the cost through its `cost` in attach order
 * (`layer.bindings`). The recording hook is removed and no tensor outlives the call.
 *
 * @example
 * ```ts
 * const c = modelCost(createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, headNorm: false }));
 * c.total.flops; // 104 + 2·136 + 51 = 427
 * c.blocks[0].params; // 8·8 + 8 = 72
 * ```
 */
export function modelCost(model: BlockModel, options: ModelCostOptions = {}): ModelCost {
  const bytesPerParam = options.bytesPerParam ?? 4;
  if (!(bytesPerParam > 0)) throw new RangeError(`modelCost: bytesPerParam must be > 0, got ${bytesPerParam}`);
  const includeElementwise = options.includeElementwise ?? false;
  const table = { ...DEFAULT_KIND_FLOPS, ...options.kindFlops };

  const { calls, batch } = recordCalls(model, options.input);
  const callsOf = (path: string): readonly LayerCall[] => calls.get(path) ?? [];

  const layers = model.layers();
  const weightLists = layers.map((l) => Object.values(l.weights));
  const counts = nonZeroCounts(weightLists.flat());

  let next = 0;
  const entries: LayerCostEntry[] = layers.map((layer, i) => {
    const ws = weightLists[i];
    const params = ws.reduce((s, w) => s + w.size, 0);
    const nonZeroParams = counts.slice(next, next + ws.length).reduce((s, n) => s + n, 0);
    next += ws.length;
    const flopsFn = table[layer.kind];
    const flops = flopsFn ? flopsFn({ layer, calls: callsOf(layer.path), callsOf, batch, includeElementwise }) : 0;
    let cost: LayerCost = { params, nonZeroParams, flops, bytes: params * bytesPerParam };
    for (const b of layer.bindings) {
      if (b.hook.cost) cost = checkCost(b.hook.cost(layer, cost), b.hook.name, layer.path);
    }
    return { path: layer.path, kind: layer.kind, depth: layer.depth, params: cost.params, nonZeroParams: cost.nonZeroParams, flops: cost.flops, bytes: cost.bytes };
  });

  // Every layer inside block i (the block itself and all descendants) carries depth = i.
  const blocks: BlockCost[] = model.blocks.map((_, index) => ({
    index,
    ...entries.filter((e) => e.depth === index).reduce<CostTotals>((s, e) => add(s, e), ZERO),
  }));
  const total = entries.reduce<CostTotals>((s, e) => add(s, e), ZERO);
  return { layers: entries, blocks, total };
}
