import type { Tensor } from '../tf';
import type { ForwardContext, HookFilter, HookSetupContext, LayerCost, LayerHook, LayerInfo } from './types';

/**
 * The compressed form of one layer, built by a `Compressor` from the layer's trained weight. A
 * compressor gives either a weight-space form (`compress`: C(W), same shape, used by pruning and
 * quantization) or a forward form (`forward`: g(x), used by low rank), or both.
 */
export interface CompressedLayer {
  /**
   * C(W): the compressed effective weight for the current stored weight (same shape and dtype).
   * Runs inside the forward, so it must be differentiable w.r.t. W (use a straight-through
   * estimator where the operation has no gradient, e.g. sign or a mask).
   */
  readonly compress?: (weight: Tensor) => Tensor;
  /** g(x): a compressed forward that replaces the layer's own (e.g. `x A B + b`). */
  readonly forward?: (x: Tensor, ctx: ForwardContext) => Tensor;
  /** The layer's effective cost while compressed (non-zeros, bits, FLOPs). */
  readonly cost?: (base: LayerCost) => LayerCost;
  /**
   * Converts the layer to its compact form; called by `bake` after the effective weight (C(W) when
   * `compress` is set) has been written into the stored weight.
   */
  readonly bake?: () => void;
  /** Frees the state (masks, scales). Weights added with `ctx.addWeight` are freed by core. */
  readonly dispose?: () => void;
}

/**
 * One compression modality for one kind of weight (pruning, quantization, low rank): the small
 * interface that every `@acn/*` compression plugin exports and that `@acn/vcon` wraps. Use it
 * alone through `compressorHook` (compress now, then fine-tune) or inside VCON.
 *
 * @example
 * ```ts
 * const halve: Compressor = {
 *   name: 'demo:halve',
 *   prepare: () => ({ compress: (w) => w.mul(0.5), cost: (c) => ({ ...c, bytes: c.bytes / 2 }) }),
 * };
 * const handle = model.hooks.attach(compressorHook(halve));
 * ```
 */
export interface Compressor {
  /** Shown in errors, e.g. `acn:prune/magnitude`. */
  readonly name: string;
  /** Which layers; default `{ kind: 'dense' }`. */
  readonly filter?: HookFilter;
  /** The weight it compresses; default `kernel`. */
  readonly weight?: string;
  /** Optional pass over all matched layers first (global thresholds); its disposer runs last. */
  readonly prepareAll?: (layers: readonly LayerInfo[]) => (() => void) | void;
  /** Builds the compressed form of one layer from its current (trained) weight. */
  prepare(layer: LayerInfo, ctx: HookSetupContext): CompressedLayer;
  /** Schedules (e.g. sparsity as a function of the optimizer step). */
  readonly onStep?: (step: number) => void;
}

/**
 * Turns a compressor into a layer hook that applies it at once: the effective weight is C(W)
 * (gradients reach W through the compressor's straight-through estimator), or the forward is g(x).
 * `bake` writes C(W) and calls the compressor's `bake`; `dispose` restores the dense model.
 *
 * @example
 * ```ts
 * const h = model.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.9 })));
 * await train(model, data, { epochs: 3 }); // fine-tune the compressed model
 * h.bake();
 * ```
 */
export function compressorHook(c: Compressor): LayerHook {
  const weight = c.weight ?? 'kernel';
  const states = new Map<string, CompressedLayer>();
  const stateOf = (layer: LayerInfo): CompressedLayer => {
    const s = states.get(layer.path);
    if (!s) throw new Error(`compressor '${c.name}' has no state for ${layer.path}`);
    return s;
  };
  return {
    name: c.name,
    filter: c.filter ?? { kind: 'dense' },
    prepareAll: c.prepareAll,
    setup: (layer, ctx) => {
      const s = c.prepare(layer, ctx);
      states.set(layer.path, s);
      return () => {
        s.dispose?.();
        states.delete(layer.path);
      };
    },
    parametrize: {
      [weight]: (w, layer) => {
        const s = stateOf(layer);
        return s.compress ? s.compress(w) : w;
      },
    },
    wrapForward: (next, layer) => (x, ctx) => {
      const s = stateOf(layer);
      return s.forward ? s.forward(x, ctx) : next(x, ctx);
    },
    cost: (layer, base) => stateOf(layer).cost?.(base) ?? base,
    onStep: c.onStep,
    bake: (layer) => stateOf(layer).bake?.(),
  };
}
