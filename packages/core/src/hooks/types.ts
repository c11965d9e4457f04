import type { Tensor, Variable } from '../tf';

/**
 * Closed vocabulary of hookable layer kinds. Plugins filter on these, so adding a kind is a
 * deliberate, versioned change.
 *
 * - `dense`: an affine map with a `kernel` `[in, out]` and optional `bias` `[out]`.
 * - `norm`: LayerNorm (`gamma`, `beta`).
 * - `token-mix`: an MLP across the token axis (MLP-Mixer).
 * - `mlp`: a dense → GELU → dense sub-layer (channel mixing, transformer FFN).
 * - `attention`: multi-head self-attention.
 * - `embedding`: produces `x_0` from the input.
 * - `block`: one whole block `f_i`; the unit of connectivity, truncation and early exit.
 * - `head`: the shared head (final norm, pooling, classifier).
 * - `connection`: the join of block i's output into the connectivity's state (path
 *   `blocks.i.connection`, depth i; identity forward). Wrap its forward to scale or gate block
 *   i's long connection (e.g. `@acn/vcon`'s `fadeDepth`); it also holds learned connectivity
 *   weights (DenseFormer's `alpha`, DenseNet's `proj` child). See `ConnectionLayer` in core.
 */
export type LayerKind = 'dense' | 'norm' | 'token-mix' | 'mlp' | 'attention' | 'embedding' | 'block' | 'head' | 'connection';

/** Every layer kind, in a stable order (for validation and docs). */
export const LAYER_KINDS: readonly LayerKind[] = ['dense', 'norm', 'token-mix', 'mlp', 'attention', 'embedding', 'block', 'head', 'connection'];

/** What a hook sees of a layer: a stable dotted path, a kind, a block depth and the named weights. */
export interface LayerInfo {
  /** Stable dotted path, e.g. `blocks.3.channelMlp.fc1`. */
  readonly path: string;
  readonly kind: LayerKind;
  /** 0-based index of the block that contains this layer; -1 outside the block stack (embedding, head). */
  readonly depth: number;
  /** The stored (trainable) weights of this layer only, by local name (`kernel`, `bias`, `gamma`, ...). */
  readonly weights: Readonly<Record<string, Variable>>;
}

/** Per-call information passed down the forward pass. */
export interface ForwardContext {
  /** True inside a training step (hooks may behave differently, e.g. straight-through estimators). */
  readonly training: boolean;
  /** The current optimizer step as last signalled with `HookHost.step`. */
  readonly step: number;
  /**
   * Direct-gradient pass (acn.md §3.3, §4.5): block inputs are stop-gradiented so that each block
   * gets gradient only through its own connection to the output. Residual blocks stop-gradient
   * their branch inputs and keep the identity path.
   */
  readonly detachInputs: boolean;
  /**
   * Per-sample token mask `[B, T]` (1 = real token, 0 = padding) for sequence models; set by the
   * model from its input (`BlockModel.prepareContext`), read by attention layers and poolers.
   */
  readonly attentionMask?: Tensor;
}

/** A layer's forward function, as seen by forward wrappers. */
export type Forward = (x: Tensor, ctx: ForwardContext) => Tensor;

/** A weight parametrization: maps the (effective-so-far) weight to a new tensor of the same shape. */
export type Parametrization = (weight: Tensor, layer: LayerInfo) => Tensor;

/** What `LayerHook.setup` may do to the layer beyond keeping private state. */
export interface HookSetupContext {
  /**
   * Adds a weight owned by the hook to this layer, under a local name that must not exist yet
   * (use a prefix, e.g. `lowrank.a`). It is a model weight like any other (trained, saved in
   * checkpoints, visible by path) and is removed and freed when the hook is disposed or baked.
   * Takes ownership of `value`.
   */
  addWeight(name: string, value: Tensor, trainable?: boolean): Variable;
}

/** Which layers a hook applies to. All given conditions must hold. */
export interface HookFilter {
  readonly kind?: LayerKind | readonly LayerKind[];
  readonly path?: RegExp;
  /** Arbitrary predicate, evaluated last. */
  readonly where?: (layer: LayerInfo) => boolean;
}

/**
 * A layer hook: the contract every plugin (`@acn/prune`, `@acn/quant`, `@acn/vcon`, ...) uses to
 * change a model without reaching into its private state.
 *
 * Order: hooks are applied in attach order. For weights, the first attached parametrization is
 * applied first (`W_eff = p2(p1(W))`); for forwards, the first attached wrapper is innermost
 * (closest to the layer's own forward).
 */
export interface LayerHook {
  /** Shown in every error, e.g. `acn:prune/magnitude`. */
  readonly name: string;
  readonly filter?: HookFilter;
  /** Transforms of stored weights by local weight name. Must preserve shape (checked at attach). */
  readonly parametrize?: Readonly<Record<string, Parametrization>>;
  /** Middleware over the layer's forward. Must preserve the output shape. */
  readonly wrapForward?: (next: Forward, layer: LayerInfo) => Forward;
  /**
   * Optional: runs once at attach with every matched layer, before the per-layer `setup` (e.g. a
   * global pruning threshold over all layers). The returned disposer runs after every per-layer one.
   */
  readonly prepareAll?: (layers: readonly LayerInfo[]) => (() => void) | void;
  /**
   * Create per-layer state (masks, factors); the returned disposer frees it. Runs once per matched
   * layer at attach. Trainable state (e.g. low-rank factors) is added with `ctx.addWeight`, which
   * makes it part of the model's weights (trained, checkpointed) until the hook is removed.
   */
  readonly setup?: (layer: LayerInfo, ctx: HookSetupContext) => (() => void) | void;
  /** Schedules (sparsity, VCON beta, exit-loss weights) react to the optimizer step here. */
  readonly onStep?: (step: number) => void;
  /**
   * Optional: called by `bake` after effective weights are written and before the hook is
   * removed, to convert the layer to a compact form. Hooks that wrap forwards must define it,
   * since a wrapped forward cannot be baked into weights generically.
   */
  readonly bake?: (layer: LayerInfo) => void;
  /**
   * Optional: whether the hook can be baked now. `true`, or the reason it cannot (e.g. VCON at
   * β > 0: `β = 0.5 at step 10 ...`). The host asks every hook being baked (all of them for
   * `bakeAll`) before it writes any effective weight, so a refusal leaves the model and every hook
   * as they were. Must not change state.
   */
  readonly canBake?: (layers: readonly LayerInfo[]) => true | string;
  /**
   * Optional: the layer's effective cost while this hook is attached (pruning lowers non-zeros and
   * sparse bytes, quantization lowers bytes, low rank lowers FLOPs). `modelCost` calls it with
   * the cost so far (base cost, then earlier hooks' adjustments, in attach order).
   */
  readonly cost?: (layer: LayerInfo, base: LayerCost) => LayerCost;
  /** If true (default false) attaching to zero layers is not an error. */
  readonly allowEmpty?: boolean;
}

/**
 * Cost of one layer's own weights and computation (children excluded), for one sample, as counted
 * by `modelCost`: a multiply-add is 2 FLOPs; bytes are the deployed storage of the weights
 * (float32 = 4 bytes each unless a hook says otherwise).
 */
export interface LayerCost {
  /** Stored scalar parameters. */
  readonly params: number;
  /** Parameters that are not zero (after pruning masks). */
  readonly nonZeroParams: number;
  /** Floating-point operations per sample. */
  readonly flops: number;
  /** Bytes to store the layer's weights in their deployed form. */
  readonly bytes: number;
}
