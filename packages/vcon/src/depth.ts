import { HookError, tf, truncate, type BlockModel, type Layer, type LayerHook, type LayerInfo } from '@acn/core';
import { BetaState, type SteppedTransition } from './beta-state';
import { resolveSchedule, type BetaSchedule, type TransitionOptions } from './schedule';

/**
 * Options of {@link fadeDepth}: the depth to keep and the transition length (one of `Q`, `epochs`, `schedule`).
 *
 * @example
 * ```ts
 * const o: FadeDepthOptions = { keep: 4, Q: 200 };
 * ```
 */
export interface FadeDepthOptions extends TransitionOptions {
  /** Blocks kept, k ∈ [1, depth − 1]: blocks at depth ≥ k (0-based) fade out. */
  readonly keep: number;
  /** Optimizer step at which the fade begins (default 0); β = 1 before it. */
  readonly start?: number;
}

/**
 * The hook returned by {@link fadeDepth}.
 *
 * @example
 * ```ts
 * const fade: DepthFade = fadeDepth(model, { keep: 2, Q: 50 });
 * model.hooks.attach(fade);
 * ```
 */
export interface DepthFade<M extends BlockModel = BlockModel> extends LayerHook, SteppedTransition {
  readonly keep: number;
  readonly schedule: BetaSchedule;
  /** The model the fade was built for. */
  readonly model: M;
  /**
   * "Bake" for depth: at β = 0 returns `truncate(model, keep)`, a new, genuinely smaller model
   * (first `keep` blocks, embedding, head) whose output equals the faded model's. The original
   * model is not changed (the fade stays attached until you dispose it or the model). Other hooks
   * are not carried over: bake them into `model` first. Throws a `HookError` at β > 0.
   */
  truncate(): M;
}

/**
 * VCON over depth (our addition; none of the anchors has it): fades out every block at depth
 * ≥ `keep` over the schedule, so the model turns smoothly into `truncate(model, keep)` instead of
 * being cut at once. β = 1 is the original model, β = 0 exactly the truncated one (faded blocks
 * are then skipped, not computed and multiplied by 0).
 *
 * - `acn` (output `y = x_0 + x_1 + … + x_L`): the long connections of the faded blocks are scaled,
 *   `y = x_0 + … + x_k + β·(x_{k+1} + … + x_L)`, through core's `connection` hook point (kind
 *   `connection`, the join of block i into the sum), while the chain `x_i = f_i(x_{i−1})` is
 *   untouched: no rescaling of block inputs is needed.
 * - `residual` and `feedforward` (no long connections: the state is the last block output): a
 *   faded block becomes `x + β·(f(x) − x)`, the identity at β = 0, so the output is `x_k`, exactly
 *   what `truncate(model, k)` computes.
 * - `densenet`, `denseformer`: refused with a `HookError` (a faded block's identity would still
 *   change the later projections / depth averages, so β = 0 would not equal `truncate`).
 * - `cost` (for `modelCost`): the faded layers cost nothing at β = 0 (they disappear in
 *   `truncate`), their full cost before.
 * - The hook's own `bake` throws: depth cannot be baked in place. Use `fade.truncate()` at β = 0.
 *
 * @example
 * ```ts
 * const fade = fadeDepth(model, { keep: 4, Q: 200 });
 * model.hooks.attach(fade);
 * await train(model, data, { epochs: 5 }); // blocks 4.. fade out over the first 200 steps
 * model.hooks.step(470); // the step after the last one (β = 0)
 * const small = fade.truncate(); // = truncate(model, 4)
 * ```
 */
export function fadeDepth<M extends BlockModel>(model: M, options: FadeDepthOptions): DepthFade<M> {
  const name = 'acn:vcon/fade-depth';
  if (!model || !Array.isArray(model.blocks) || typeof model.connectivity !== 'string') {
    throw new TypeError(`${name}: expected a BlockModel (from createMixer, createMlp, createModel), got ${model === null ? 'null' : typeof model}`);
  }
  const keep = options?.keep;
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1 || keep >= model.depth) {
    throw new RangeError(`${name}: keep must be an integer in [1, ${model.depth - 1}] (the model has ${model.depth} blocks; at least one must fade), got ${String(keep)}`);
  }
  if (model.connectivity === 'densenet' || model.connectivity === 'denseformer') {
    throw new HookError(`${name}: fading depth is defined for acn, residual and feedforward models, not '${model.connectivity}' (its later blocks read every earlier output, so β = 0 would not equal truncate); use truncate(model, ${keep}) directly`, name);
  }
  const state = new BetaState(resolveSchedule(options, name), options.start ?? 0);
  const acn = model.connectivity === 'acn';
  const own = new Set<LayerInfo>(model.layers() as Layer[]);

  const fade: DepthFade<M> = {
    name,
    // Every layer of a faded block (for the cost); only the block layers get a forward wrapper.
    filter: { where: (l: LayerInfo) => l.depth >= keep },
    keep,
    model,
    schedule: state.schedule,
    get beta() {
      return state.beta;
    },
    get step() {
      return state.step;
    },
    prepareAll: (layers) => {
      const foreign = layers.find((l) => !own.has(l));
      if (foreign) throw new HookError(`${name}: this fade was built for another model (layer ${foreign.path} is not one of its layers); call fadeDepth(thisModel, ...)`, name, foreign.path);
    },
    wrapForward: (next, layer) => {
      if (acn && layer.kind === 'connection') {
        // The long connection of a faded block into the sum: β·x_i (0 at β = 0, when the block is skipped).
        return (x, ctx) => {
          const beta = state.beta;
          if (beta === 1) return next(x, ctx);
          return tf.tidy(() => tf.mul(next(x, ctx), beta));
        };
      }
      if (layer.kind !== 'block') return next;
      return (x, ctx) => {
        const beta = state.beta;
        if (beta === 1) return next(x, ctx);
        if (acn) {
          // The block runs unchanged (its connection carries β·x_i); at β = 0 it is skipped.
          return beta === 0 ? tf.zerosLike(x) : next(x, ctx);
        }
        if (beta === 0) return x; // identity: the block is skipped
        return tf.tidy(() => {
          const y = next(x, ctx);
          if (y.shape.join() !== x.shape.join()) {
            throw new HookError(`${name}: block ${layer.path} maps ${JSON.stringify(x.shape)} to ${JSON.stringify(y.shape)}; fading to the identity needs equal shapes`, name, layer.path);
          }
          return tf.add(x, tf.mul(tf.sub(y, x), beta));
        });
      };
    },
    onStep: (step) => state.set(step),
    cost: (_layer, base) => (state.beta === 0 ? { params: 0, nonZeroParams: 0, flops: 0, bytes: 0 } : base),
    bake: () => {
      throw new HookError(`${name}: depth cannot be baked in place (${state.describe()}); at β = 0 call fade.truncate(), which returns truncate(model, ${keep})`, name);
    },
    truncate: () => {
      if (state.beta !== 0) {
        throw new HookError(`${name}: truncate refused: ${state.describe()}; the faded model equals truncate(model, ${keep}) only at β = 0`, name);
      }
      return truncate(model, keep) as M;
    },
  };
  return fade;
}
