import {
  HookError,
  tf,
  type CompressedLayer,
  type Compressor,
  type Forward,
  type LayerCost,
  type LayerHook,
  type LayerInfo,
  type Tensor,
} from '@acn/core';
import { BetaState, type SteppedTransition } from './beta-state';
import { resolveSchedule, type BetaSchedule, type TransitionOptions } from './schedule';

/**
 * How a layer is blended (vcon.md §1.4):
 * - `weight` (realisation A, the authors' pruning and binarisation): one latent W,
 *   `W_eff = β·W + (1−β)·C(W)`;
 * - `output` (realisation B, the authors' low rank): `y = β·f(x) + (1−β)·g(x)` with the dense
 *   path and the compressor's own (trainable) parameters.
 *
 * @example
 * ```ts
 * hook.blendOf('blocks.0.channelMlp.fc1'); // 'weight' for pruning, 'output' for low rank
 * ```
 */
export type VconBlend = 'weight' | 'output';

/**
 * Options of {@link vcon}: the transition length (one of `Q`, `epochs`, `schedule`) and how to blend.
 *
 * @example
 * ```ts
 * const o: VconOptions = { epochs: 1, stepsPerEpoch: 94, gradient: 'ste', blend: 'auto' };
 * ```
 */
export interface VconOptions extends TransitionOptions {
  /**
   * Gradient of the weight-space blend w.r.t. W. `ste` (default): the identity straight-through
   * estimator of the authors' code, ∂L/∂W = ∂L/∂W_eff (vcon.md §1.4 A, §6.1), whatever β and C.
   * `compressor`: plain autodiff through `β·W + (1−β)·C(W)`, i.e. β·dy plus (1−β)·the
   * compressor's own gradient (its STE); use it when C has trainable parameters of its own.
   */
  readonly gradient?: 'ste' | 'compressor';
  /**
   * `auto` (default): `output` when the compressor gives a forward form (`forward`, e.g. low
   * rank), else `weight`. Force one with `weight` / `output`.
   */
  readonly blend?: 'auto' | VconBlend;
  /** Optimizer step at which the transition begins (default 0); β = 1 before it. */
  readonly start?: number;
}

/**
 * The hook returned by {@link vcon}: a core `LayerHook` plus its β, for logs and tests.
 *
 * @example
 * ```ts
 * const hook: VconHook = vcon(compressor, { Q: 100 });
 * model.hooks.attach(hook);
 * model.hooks.step(25);
 * hook.beta; // 0.75
 * ```
 */
export interface VconHook extends LayerHook, SteppedTransition {
  /** The wrapped compressor. */
  readonly compressor: Compressor;
  readonly schedule: BetaSchedule;
  /** How each attached layer is blended, by path (filled at attach). */
  blendOf(path: string): VconBlend | undefined;
}

interface LayerState {
  readonly c: CompressedLayer;
  readonly mode: VconBlend;
}

function addCost(a: LayerCost, b: LayerCost): LayerCost {
  return { params: a.params + b.params, nonZeroParams: a.nonZeroParams + b.nonZeroParams, flops: a.flops + b.flops, bytes: a.bytes + b.bytes };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * `β·W + (1−β)·C(W)` whose gradient w.r.t. W is `dy` unchanged (identity STE). W is an explicit
 * customGrad input (a variable captured in the closure gets no gradient in tfjs, vcon.md §6.1);
 * C runs inside the customGrad forward, so its masks and comparisons are never taped.
 */
function steBlend(w: Tensor, beta: number, compress: (w: Tensor) => Tensor, check: (c: Tensor) => void): Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as Tensor;
    const c = compress(x);
    check(c);
    const value = beta === 0 ? (c === x ? tf.clone(c) : c) : tf.add(tf.mul(x, beta), tf.mul(c, 1 - beta));
    return { value, gradFunc: (dy: Tensor) => [dy] };
  });
  return op(w);
}

/**
 * Wraps any `Compressor` (pruning, quantization, low rank, ...) in a VCON transition: the layer
 * starts as the original (β = 1) and becomes the compressed form as β falls to 0 over the
 * schedule (default linear, `β(t) = max(1 − t/Q, 0)` in optimizer steps).
 *
 * - Weight-space compressors (`compress`, realisation A): `W_eff = β·W + (1−β)·C(W)`, gradient
 *   to W by the identity STE (see `gradient`). At β = 1, C is not computed; at β = 0 the value is
 *   C(W) only.
 * - Forward-form compressors (`forward`, realisation B): `y = β·f(x) + (1−β)·g(x)`; the dense
 *   weight and the compressor's weights (added with `ctx.addWeight`) all train. At β = 1, g is not
 *   computed; at β = 0, f is skipped.
 * - `onStep(t)` sets β (core's trainer signals t before every optimizer step; in a custom loop call
 *   `model.hooks.step(t)` or `vconStep`); the compressor's own `onStep` is forwarded.
 * - `cost`: while β > 0 the layer pays for both paths (dense + compressed), at β = 0 only for the
 *   compressed one.
 * - `bake` (through the handle): only at β = 0; writes C(W) and calls the compressor's `bake`.
 *   At β > 0 it throws a `HookError` naming β and the step, and nothing is written.
 *
 * @example
 * ```ts
 * const h = model.hooks.attach(vcon(magnitudePruning({ sparsity: 0.9 }), { Q: 300 }));
 * await train(model, data, { epochs: 10 }); // 940 steps: blend for 300, then fine-tune compressed
 * h.bake(); // train() signals step 940 at the end, so β = β(940) = 0
 * ```
 */
export function vcon(compressor: Compressor, options: VconOptions): VconHook {
  if (!compressor || typeof compressor !== 'object' || typeof compressor.prepare !== 'function' || typeof compressor.name !== 'string') {
    throw new TypeError(`vcon: expected a Compressor ({ name, prepare(layer, ctx) }), got ${compressor === null ? 'null' : typeof compressor}`);
  }
  const name = `acn:vcon(${compressor.name})`;
  const gradient = options?.gradient ?? 'ste';
  if (gradient !== 'ste' && gradient !== 'compressor') throw new RangeError(`${name}: gradient must be 'ste' or 'compressor', got ${JSON.stringify(gradient)}`);
  const blend = options?.blend ?? 'auto';
  if (!['auto', 'weight', 'output'].includes(blend)) throw new RangeError(`${name}: blend must be 'auto', 'weight' or 'output', got ${JSON.stringify(blend)}`);
  const state = new BetaState(resolveSchedule(options, name), options.start ?? 0);
  const weightName = compressor.weight ?? 'kernel';
  const layers = new Map<string, LayerState>();

  const stateOf = (layer: LayerInfo): LayerState => {
    const s = layers.get(layer.path);
    if (!s) throw new HookError(`${name}: no state for layer ${layer.path} (was the hook attached to this model?)`, name, layer.path);
    return s;
  };
  const checkCompressed = (layer: LayerInfo, w: Tensor) => (c: Tensor) => {
    if (!c || !sameShape(c.shape, w.shape) || c.dtype !== w.dtype) {
      throw new HookError(
        `${name}: compressor '${compressor.name}' returned C(W) ${c ? `${JSON.stringify(c.shape)} ${c.dtype}` : String(c)} for ${layer.path}.${weightName} ${JSON.stringify(w.shape)} ${w.dtype}; C(W) must keep shape and dtype`,
        name,
        layer.path,
      );
    }
  };

  const blendWeight = (w: Tensor, layer: LayerInfo): Tensor => {
    const s = stateOf(layer);
    const beta = state.beta;
    if (s.mode !== 'weight' || beta === 1) return w;
    const compress = s.c.compress!;
    const check = checkCompressed(layer, w);
    if (gradient === 'ste') return steBlend(w, beta, compress, check);
    const c = compress(w);
    check(c);
    return beta === 0 ? c : tf.add(tf.mul(w, beta), tf.mul(c, 1 - beta));
  };

  const blendForward = (next: Forward, layer: LayerInfo): Forward => (x, ctx) => {
    const s = stateOf(layer);
    const beta = state.beta;
    if (s.mode !== 'output' || beta === 1) return next(x, ctx); // g is not computed
    const g = s.c.forward!;
    if (beta === 0) return g(x, ctx); // the original path is skipped, not multiplied by 0
    return tf.tidy(() => {
      const f = next(x, ctx);
      const gx = g(x, ctx);
      if (!sameShape(f.shape, gx.shape)) {
        throw new HookError(`${name}: compressor '${compressor.name}' forward gives ${JSON.stringify(gx.shape)} on ${layer.path}, the layer gives ${JSON.stringify(f.shape)}`, name, layer.path);
      }
      return tf.add(tf.mul(f, beta), tf.mul(gx, 1 - beta));
    });
  };

  const bake = (layer: LayerInfo): void => {
    stateOf(layer).c.bake?.();
  };

  const hook: VconHook = {
    name,
    filter: compressor.filter ?? { kind: 'dense' },
    compressor,
    schedule: state.schedule,
    get beta() {
      return state.beta;
    },
    get step() {
      return state.step;
    },
    blendOf: (path) => layers.get(path)?.mode,
    prepareAll: compressor.prepareAll,
    setup: (layer, ctx) => {
      const c = compressor.prepare(layer, ctx);
      const dispose = () => {
        c?.dispose?.();
        layers.delete(layer.path);
      };
      try {
        if (!c || (typeof c.compress !== 'function' && typeof c.forward !== 'function')) {
          throw new HookError(`${name}: compressor '${compressor.name}' gave neither compress (C(W)) nor forward (g(x)) for layer ${layer.path}`, name, layer.path);
        }
        const mode: VconBlend = blend === 'auto' ? (typeof c.forward === 'function' ? 'output' : 'weight') : blend;
        if (mode === 'weight' && typeof c.compress !== 'function') {
          throw new HookError(`${name}: blend 'weight' needs the compressor's compress (C(W)), but '${compressor.name}' gives only forward for ${layer.path}`, name, layer.path);
        }
        if (mode === 'output' && typeof c.forward !== 'function') {
          throw new HookError(`${name}: blend 'output' needs the compressor's forward (g(x)), but '${compressor.name}' gives only compress for ${layer.path}`, name, layer.path);
        }
        if (mode === 'weight') {
          // C is not evaluated while β = 1, so check its shape once here (a clear error at attach).
          const w = layer.weights[weightName];
          if (!w) {
            throw new HookError(`${name}: compressor '${compressor.name}' compresses weight '${weightName}' but layer ${layer.path} has only: ${Object.keys(layer.weights).join(', ')}`, name, layer.path);
          }
          tf.tidy(() => checkCompressed(layer, w)(c.compress!(w)));
        }
        layers.set(layer.path, { c, mode });
      } catch (e) {
        dispose();
        throw e;
      }
      return dispose;
    },
    parametrize: { [weightName]: blendWeight },
    wrapForward: blendForward,
    onStep: (step) => {
      state.set(step);
      compressor.onStep?.(step);
    },
    cost: (layer, base) => {
      const compressed = stateOf(layer).c.cost?.(base) ?? base;
      return state.beta === 0 ? compressed : addCost(base, compressed);
    },
    // Core asks canBake of every hook being baked before it writes any effective weight, so at
    // β > 0 nothing is written (not even by hooks baked together with this one in bakeAll).
    canBake: () =>
      state.beta === 0
        ? true
        : `bake refused: ${state.describe()}. Bake leaves only the compressed form, so it needs β = 0: train to the end of the transition (or signal model.hooks.step(t) with t >= Q), or dispose() the hook to restore the original model`,
    bake,
  };
  return hook;
}
