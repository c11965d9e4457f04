import { HookHost } from '../hooks/host';
import type { ForwardContext } from '../hooks/types';
import { DenseLayer } from '../nn/dense-layer';
import type { Layer } from '../nn/layer';
import type { ConnectionLayer } from '../connectivity/connection-layer';
import { connectivityStrategy } from '../connectivity/registry';
import type { ConnectivityStrategy } from '../connectivity/strategy';
import { walkPrefixes } from '../connectivity/walk';
import { tf, type Tensor, type Variable } from '../tf';
import type { Connectivity } from './connectivity';
import { ConfigError, InputError } from './errors';

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
 * Structural changes applied to a model after construction: dense layers stored as low-rank
 * factors (`factorized`, path → rank) and dense layers whose widths changed (`resized`, path →
 * `[inDim, outDim]`, e.g. hidden units removed by `@acn/prune`'s `removeNeurons`). Saved in
 * checkpoints and carried over by truncation, so a baked (compressed) model can be rebuilt.
 *
 * @example
 * ```ts
 * const s: ModelStructure = { factorized: { 'blocks.0.fc': 4 }, resized: { 'blocks.1.channelMlp.fc1': [16, 8] } };
 * ```
 */
export interface ModelStructure {
  readonly factorized: Readonly<Record<string, number>>;
  /** Absent (or empty) when no dense layer was resized. Applied before `factorized`. */
  readonly resized?: Readonly<Record<string, readonly [number, number]>>;
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
 * connectivity (`acn`, `residual`, `feedforward`, `densenet`, `denseformer`: a strategy object,
 * `strategy`, with one `connection` layer per block). Architectures (`mixer.ts`, `mlp.ts`, ...)
 * build the three parts; this class runs them through the one block loop (`walkPrefixes`) and owns
 * probes, hooks and weights by path.
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
  /** How the blocks are wired (from `config.connectivity`); used by the block loop `walkPrefixes`. */
  readonly strategy: ConnectivityStrategy;
  /**
   * `connections[i]`: the `connection` layer of block i (path `blocks.i.connection`), the hook point
   * on the join of block i's output and the owner of learned connectivity weights (DenseNet,
   * DenseFormer). Listed in `layers()` right after block i's own layers.
   */
  readonly connections: readonly ConnectionLayer[];
  private disposed = false;

  protected constructor(readonly config: C) {
    this.hooks = new HookHost(() => this.layers());
    this.strategy = connectivityStrategy(config.connectivity);
    // Learned connections (densenet, denseformer) need the block width; the others ignore it.
    const width = (config as { hiddenDim?: unknown }).hiddenDim;
    if (this.strategy.residualBlocks && this.strategy.name !== 'residual' && typeof width !== 'number') {
      throw new ConfigError(`connectivity '${config.connectivity}' needs a numeric hiddenDim in the model config (the width of the learned connections)`);
    }
    this.connections = Array.from({ length: config.depth }, (_, i) => this.strategy.createConnection(i, width as number));
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
    this.blocks.forEach((b, i) => out.push(...b.walk(), ...this.connections[i].walk()));
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

  /** The model's structural changes (factorized and resized dense layers), for checkpoints and truncation. */
  structure(): ModelStructure {
    const factorized: Record<string, number> = {};
    const resized: Record<string, [number, number]> = {};
    for (const l of this.layers()) {
      if (!(l instanceof DenseLayer)) continue;
      if (l.rank !== undefined) factorized[l.path] = l.rank;
      if (l.resized) resized[l.path] = [l.inDim, l.outDim];
    }
    // `resized` only when present, so models without it keep their `{ factorized }` structure.
    return Object.keys(resized).length ? { factorized, resized } : { factorized };
  }

  /**
   * Applies a structure (e.g. from a checkpoint) to a freshly built model: resized layers get zero
   * weights of the saved widths, then factorized layers get zero factors of the saved rank, all to
   * be overwritten by loaded (or copied) weights. Paths that do not exist in this model are
   * skipped when `skipMissing` (truncation), an error otherwise.
   */
  applyStructure(structure: ModelStructure, options: { skipMissing?: boolean } = {}): void {
    const byPath = new Map(this.layers().map((l) => [l.path, l]));
    const denseAt = (path: string, what: string): DenseLayer | undefined => {
      const l = byPath.get(path);
      if (!l) {
        if (options.skipMissing) return undefined;
        throw new Error(`applyStructure: no layer at path '${path}'`);
      }
      if (!(l instanceof DenseLayer)) throw new Error(`applyStructure: '${path}' is a ${l.kind} layer, only dense layers can be ${what}`);
      return l;
    };
    for (const [path, dims] of Object.entries(structure.resized ?? {})) {
      if (!Array.isArray(dims) || dims.length !== 2 || !dims.every((d) => Number.isInteger(d) && d >= 1)) {
        throw new Error(`applyStructure: resized '${path}' must be [inDim, outDim] with positive integers, got ${JSON.stringify(dims)}`);
      }
      const l = denseAt(path, 'resized');
      if (!l) continue;
      const [i, o] = dims;
      tf.tidy(() => l.resize(tf.zeros([i, o]), l.hasBias ? tf.zeros([o]) : undefined));
    }
    for (const [path, r] of Object.entries(structure.factorized ?? {})) {
      const l = denseAt(path, 'factorized');
      if (!l) continue;
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
    this.checkForwardInput(x, 'forward');
    const ctx = this.context(options);
    const wantProbes = options.probes ?? false;
    return tf.tidy(() => {
      const c = this.prepareContext(x, ctx);
      const probes: Tensor[] = [];
      // The one block loop (connectivity strategy); probe k = head(state after k blocks).
      const last = walkPrefixes(this, x, c, wantProbes ? (_k, s) => void probes.push(this.head.apply(s.y, c)) : undefined);
      const logits = wantProbes ? probes[probes.length - 1] : this.head.apply(last.y, c);
      return wantProbes ? { logits, probes } : { logits };
    }) as ForwardResult;
  }

  /**
   * Throws a coded `InputError` (`who` names the method) when `x` is not a tensor or the model was
   * disposed, then runs `validateInput`. Called by every forward entry point (`forward`, `encode`,
   * early exit) before any tensor op, so a misuse never surfaces as a raw `TypeError` from tfjs.
   */
  checkForwardInput(x: Tensor, who: string): void {
    const name = `${this.constructor.name}.${who}`;
    if (this.disposed) throw new InputError(`${name}: this model was disposed (its weights are freed); build or load a new one`, 'model-disposed');
    const t = x as Partial<Tensor> | null | undefined;
    if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || typeof t.dtype !== 'string') {
      throw new InputError(`${name}: expected an input tensor, got ${t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t}`, 'not-a-tensor');
    }
    if (t.isDisposed) throw new InputError(`${name}: the input tensor ${JSON.stringify(t.shape)} was already disposed`, 'input-disposed');
    this.validateInput(x);
  }

  /** Logits of the full model, `[B, numClasses]`. */
  predict(x: Tensor): Tensor {
    return this.forward(x).logits;
  }

  /** Frees every weight and detaches every hook. */
  dispose(): void {
    this.hooks.disposeAll();
    for (const l of [this.embedding, ...this.blocks, ...this.connections, this.head]) l.dispose();
    this.disposed = true;
  }
}
