import { HookHost } from '../hooks/host';
import type { ForwardContext } from '../hooks/types';
import { DenseLayer } from '../nn/dense-layer';
import type { Layer } from '../nn/layer';
import { stopGradient } from '../ops';
import { tf, type Tensor, type Variable } from '../tf';
import type { Connectivity } from './connectivity';

/** Fields every model configuration has (saved in checkpoints, used to rebuild the model). */
export interface BaseModelConfig {
  /** Which model file builds it (`mixer`, `mlp`, ...). */
  readonly architecture: string;
  /** Number of blocks L. */
  readonly depth: number;
  readonly numClasses: number;
  readonly connectivity: Connectivity;
  /** Seed of the weight initialization. */
  readonly seed: number;
  /** Use the fused custom-gradient ops (same numbers within 1e-5, faster on wasm). */
  readonly fused: boolean;
}

/**
 * Structural changes applied to a model after construction (so far: dense layers stored as
 * low-rank factors, by path → rank). Saved in checkpoints and carried over by truncation, so a
 * baked (compressed) model can be rebuilt.
 */
export interface ModelStructure {
  readonly factorized: Readonly<Record<string, number>>;
}

/** Options of `BlockModel.forward`. */
export interface ForwardOptions {
  /** Inside a training step (default false). */
  readonly training?: boolean;
  /** Also return the shared head's logits for every prefix (L+1 probes, index 0 = embedding only). */
  readonly probes?: boolean;
  /** Direct-gradient-only pass: stop-gradient every block input (acn.md §3.3, §4.5). */
  readonly detachInputs?: boolean;
}

/** Output of `BlockModel.forward`. All tensors are new; the caller disposes them. */
export interface ForwardResult {
  /** `[B, numClasses]` logits of the full model. */
  readonly logits: Tensor;
  /** With `probes: true`: L+1 tensors `[B, numClasses]`; `probes[L]` equals `logits`. */
  readonly probes?: Tensor[];
}

/**
 * A model made of an embedding (`x_0`), a stack of L blocks and a shared head, wired by a
 * connectivity (`acn`, `residual`, `feedforward`). Architectures (`mixer.ts`, `mlp.ts`) build the
 * three parts; this class owns the block loop, probes, hooks and weights by path.
 *
 * @example
 * ```ts
 * const model = createMixer({ inputShape: [28, 28, 1], numClasses: 10, depth: 4, connectivity: 'acn' });
 * const { logits, probes } = model.forward(images, { probes: true }); // probes.length === 5
 * ```
 */
export abstract class BlockModel<C extends BaseModelConfig = BaseModelConfig> {
  /** Attach, step and bake layer hooks (see `LayerHook`). */
  readonly hooks: HookHost;
  abstract readonly embedding: Layer;
  abstract readonly blocks: readonly Layer[];
  abstract readonly head: Layer;

  protected constructor(readonly config: C) {
    this.hooks = new HookHost(() => this.layers());
  }

  /** Number of blocks L. */
  get depth(): number {
    return this.blocks.length;
  }

  get connectivity(): Connectivity {
    return this.config.connectivity;
  }

  /**
   * Adds per-input information to the forward context before the embedding runs (inside the
   * forward's `tf.tidy`): sequence models derive `attentionMask` from padded token ids here.
   * Default: the context unchanged.
   */
  prepareContext(_x: Tensor, ctx: ForwardContext): ForwardContext {
    return ctx;
  }

  /** Throws `InputError` when `x` does not fit the model (shape, dtype). */
  abstract validateInput(x: Tensor): void;

  /** A fresh, randomly initialised model of the same architecture with another config (used by truncation). */
  abstract withConfig(config: C): BlockModel<C>;

  /** Every hookable layer, in forward order (embedding, blocks, head; parents before children). */
  layers(): Layer[] {
    const out: Layer[] = [...this.embedding.walk()];
    for (const b of this.blocks) out.push(...b.walk());
    out.push(...this.head.walk());
    return out;
  }

  /** The layer at a dotted path. */
  layer(path: string): Layer {
    const l = this.layers().find((x) => x.path === path);
    if (!l) throw new Error(`no layer at path '${path}'`);
    return l;
  }

  /** Stored weights by full dotted path (`blocks.3.channelMlp.fc1.kernel`), in forward order. */
  namedWeights(): Record<string, Variable> {
    const out: Record<string, Variable> = {};
    for (const l of this.layers()) for (const [n, v] of Object.entries(l.weights)) out[`${l.path}.${n}`] = v;
    return out;
  }

  /** The model's structural changes (factorized dense layers), for checkpoints and truncation. */
  structure(): ModelStructure {
    const factorized: Record<string, number> = {};
    for (const l of this.layers()) if (l instanceof DenseLayer && l.rank !== undefined) factorized[l.path] = l.rank;
    return { factorized };
  }

  /**
   * Applies a structure (e.g. from a checkpoint) to a freshly built model: factorized layers get
   * zero factors of the saved rank, to be overwritten by loaded weights. Paths that do not exist
   * in this model are skipped when `skipMissing` (truncation), an error otherwise.
   */
  applyStructure(structure: ModelStructure, options: { skipMissing?: boolean } = {}): void {
    const byPath = new Map(this.layers().map((l) => [l.path, l]));
    for (const [path, r] of Object.entries(structure.factorized ?? {})) {
      const l = byPath.get(path);
      if (!l) {
        if (options.skipMissing) continue;
        throw new Error(`applyStructure: no layer at path '${path}'`);
      }
      if (!(l instanceof DenseLayer)) throw new Error(`applyStructure: '${path}' is a ${l.kind} layer, only dense layers can be factorized`);
      tf.tidy(() => l.factorize(tf.zeros([l.inDim, r]), tf.zeros([r, l.outDim])));
    }
  }

  /** Trainable variables, in forward order. */
  trainableVariables(): Variable[] {
    return Object.values(this.namedWeights()).filter((v) => v.trainable);
  }

  /** Number of stored scalar parameters. */
  paramCount(): number {
    return Object.values(this.namedWeights()).reduce((s, v) => s + v.size, 0);
  }

  /** The context passed to every layer for one forward. */
  context(options: ForwardOptions = {}): ForwardContext {
    return { training: options.training ?? false, step: this.hooks.currentStep, detachInputs: options.detachInputs ?? false };
  }

  /**
   * Runs the model. Everything intermediate is freed (`tf.tidy`); only the returned tensors live.
   */
  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult {
    this.validateInput(x);
    const ctx = this.context(options);
    const wantProbes = options.probes ?? false;
    return tf.tidy(() => {
      const c = this.prepareContext(x, ctx);
      let h = this.embedding.apply(x, c); // x_0, e.g. [B, T, D]
      let y = h; // acn: running sum s_k; residual/feedforward: the last block output
      const probes: Tensor[] = wantProbes ? [this.head.apply(y, c)] : [];
      for (const block of this.blocks) {
        // Residual blocks stop-gradient their own branch inputs (they must keep the identity path).
        const input = c.detachInputs && this.connectivity !== 'residual' ? stopGradient(h) : h;
        h = block.apply(input, c); // x_i = f_i(x_{i-1}); residual blocks add their short skips inside
        y = this.connectivity === 'acn' ? y.add(h) : h; // ← acn: long connection of every block to the output
        if (wantProbes) probes.push(this.head.apply(y, c));
      }
      const logits = wantProbes ? probes[probes.length - 1] : this.head.apply(y, c);
      return wantProbes ? { logits, probes } : { logits };
    }) as ForwardResult;
  }

  /** Logits of the full model, `[B, numClasses]`. */
  predict(x: Tensor): Tensor {
    return this.forward(x).logits;
  }

  /** Frees every weight and detaches every hook. */
  dispose(): void {
    this.hooks.disposeAll();
    this.embedding.dispose();
    for (const b of this.blocks) b.dispose();
    this.head.dispose();
  }
}
