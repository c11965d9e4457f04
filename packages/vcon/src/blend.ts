import {
  HookError,
  tf,
  type Forward,
  type HookFilter,
  type HookSetupContext,
  type LayerCost,
  type LayerHook,
  type LayerInfo,
  type Tensor,
} from '@acn/core';
import { BetaState, type SteppedTransition } from './beta-state';
import { resolveSchedule, type BetaSchedule, type TransitionOptions } from './schedule';

/**
 * A blended callable from {@link blendBlocks}: call it like f or g; set its step with `setStep`.
 *
 * @example
 * ```ts
 * const h: BlendedFunction<[Tensor]> = blendBlocks(f, g, linearBeta(10));
 * h.setStep(5);
 * h(x);
 * ```
 */
export interface BlendedFunction<A extends unknown[]> extends SteppedTransition {
  (...args: A): Tensor;
  readonly schedule: BetaSchedule;
  /** Sets β from the schedule for optimizer step t; returns the new β. */
  setStep(t: number): number;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function asTransition(s: BetaSchedule | ((t: number) => number) | TransitionOptions): TransitionOptions {
  return typeof s === 'function' ? { schedule: s } : s;
}

/**
 * Block-wise VCON (realisation C, vcon.md §1.4): `x ↦ β·f(x) + (1−β)·g(x)` for any two callables
 * of the same signature returning tensors of the same shape (a block and its compressed copy, a
 * deep and a shallow sub-network, ...). At β = 1 only f runs, at β = 0 only g (the other is not
 * computed). β follows `schedule` through `setStep(t)`; it starts at β(0).
 *
 * @example
 * ```ts
 * const h = blendBlocks((x: Tensor) => bigBlock(x), (x: Tensor) => smallBlock(x), linearBeta(100));
 * h.setStep(25);
 * const y = h(x); // 0.75·big(x) + 0.25·small(x)
 * ```
 */
export function blendBlocks<A extends unknown[]>(
  f: (...args: A) => Tensor,
  g: (...args: A) => Tensor,
  schedule: BetaSchedule | ((t: number) => number) | TransitionOptions,
): BlendedFunction<A> {
  if (typeof f !== 'function' || typeof g !== 'function') {
    throw new TypeError(`blendBlocks: f and g must be functions, got ${typeof f} and ${typeof g}`);
  }
  const state = new BetaState(resolveSchedule(asTransition(schedule), 'blendBlocks'));
  const blended = ((...args: A): Tensor => {
    const beta = state.beta;
    return tf.tidy(() => {
      if (beta === 1) return f(...args);
      if (beta === 0) return g(...args);
      const a = f(...args);
      const b = g(...args);
      if (!sameShape(a.shape, b.shape)) {
        throw new RangeError(`blendBlocks: f gives ${JSON.stringify(a.shape)} but g gives ${JSON.stringify(b.shape)}; both must give the same shape`);
      }
      return tf.add(tf.mul(a, beta), tf.mul(b, 1 - beta));
    });
  }) as BlendedFunction<A>;
  Object.defineProperties(blended, {
    beta: { get: () => state.beta, enumerable: true },
    step: { get: () => state.step, enumerable: true },
    schedule: { value: state.schedule, enumerable: true },
    setStep: {
      value: (t: number) => {
        state.set(t);
        return state.beta;
      },
    },
  });
  return blended;
}

/**
 * Options of {@link blendBlocksHook}.
 *
 * @example
 * ```ts
 * const o: BlendBlocksHookOptions = { Q: 100, replacement: () => (x) => x };
 * ```
 */
export interface BlendBlocksHookOptions extends TransitionOptions {
  /**
   * Builds g for one matched layer, once at attach. It may add trainable weights with
   * `ctx.addWeight` (trained and checkpointed with the model, removed with the hook).
   */
  readonly replacement: (layer: LayerInfo, ctx: HookSetupContext) => Forward;
  /** Which layers; default `{ kind: 'block' }`. */
  readonly filter?: HookFilter;
  /** Cost of g for `@acn/metrics` (default: g costs what the layer costs). */
  readonly cost?: (layer: LayerInfo, base: LayerCost) => LayerCost;
  /** Shown in errors; default `acn:vcon/blend-blocks`. */
  readonly name?: string;
  /** Optimizer step at which the transition begins (default 0). */
  readonly start?: number;
}

/**
 * The hook returned by {@link blendBlocksHook}.
 *
 * @example
 * ```ts
 * const h: BlendBlocksHook = blendBlocksHook({ Q: 100, replacement: () => (x) => x });
 * h.beta; // 1
 * ```
 */
export interface BlendBlocksHook extends LayerHook, SteppedTransition {
  readonly schedule: BetaSchedule;
}

/**
 * The hook form of {@link blendBlocks}: every matched layer (default: every `block`) computes
 * `β·f(x) + (1−β)·g(x)` where f is the layer's own forward and g is built by `replacement`.
 * At β = 1 g is not computed, at β = 0 f is skipped. `cost` is f (the layer and its sub-layers,
 * which the hook also matches for this purpose) + g while β > 0, g only at
 * β = 0. It cannot be baked (a block has no generic compact form): keep it attached at β = 0 or
 * dispose it.
 *
 * @example
 * ```ts
 * const h = model.hooks.attach(blendBlocksHook({
 *   Q: 200,
 *   filter: { kind: 'block', where: (l) => l.depth === 3 },
 *   replacement: (layer, ctx) => { const s = ctx.addWeight('vcon.scale', tf.ones([1])); return (x) => x.mul(s); },
 * }));
 * ```
 */
export function blendBlocksHook(options: BlendBlocksHookOptions): BlendBlocksHook {
  const name = options?.name ?? 'acn:vcon/blend-blocks';
  if (typeof options?.replacement !== 'function') throw new TypeError(`${name}: replacement must be a function (layer, ctx) => g, got ${typeof options?.replacement}`);
  const state = new BetaState(resolveSchedule(options, name), options.start ?? 0);
  const gs = new Map<string, Forward>();
  const gOf = (layer: LayerInfo): Forward => {
    const g = gs.get(layer.path);
    if (!g) throw new HookError(`${name}: no replacement for layer ${layer.path} (was the hook attached to this model?)`, name, layer.path);
    return g;
  };
  const costG = (layer: LayerInfo, base: LayerCost): LayerCost => options.cost?.(layer, base) ?? base;
  const filter = options.filter ?? { kind: 'block' };
  // Replaced layers (the user's filter) and, for the cost only, their sub-layers (paths under a
  // replaced layer's path; connection layers excluded: they join the output and still run). The
  // host matches layers in model order, parents first, so a root is known before its children.
  const roots = new Set<string>();
  const isRoot = (l: LayerInfo) => roots.has(l.path);
  const under = (l: LayerInfo) => l.kind !== 'connection' && [...roots].some((r) => l.path.startsWith(`${r}.`));
  return {
    name,
    filter: {
      where: (l) => {
        if (matchesFilter(filter, l)) {
          roots.add(l.path);
          return true;
        }
        return under(l);
      },
    },
    schedule: state.schedule,
    get beta() {
      return state.beta;
    },
    get step() {
      return state.step;
    },
    setup: (layer, ctx) => {
      if (!isRoot(layer)) return undefined; // a sub-layer, matched for its cost only
      const g = options.replacement(layer, ctx);
      if (typeof g !== 'function') throw new HookError(`${name}: replacement returned ${typeof g} for ${layer.path}, expected a function (x, ctx) => Tensor`, name, layer.path);
      gs.set(layer.path, g);
      return () => {
        gs.delete(layer.path);
      };
    },
    wrapForward: (next, layer) => {
      if (!isRoot(layer)) return next; // sub-layers: matched for the cost only
      return (x, ctx) => {
        const beta = state.beta;
        if (beta === 1) return next(x, ctx);
        const g = gOf(layer);
        if (beta === 0) return g(x, ctx);
        return tf.tidy(() => {
          const a = next(x, ctx);
          const b = g(x, ctx);
          if (!sameShape(a.shape, b.shape)) {
            throw new HookError(`${name}: replacement gives ${JSON.stringify(b.shape)} on ${layer.path}, the layer gives ${JSON.stringify(a.shape)}`, name, layer.path);
          }
          return tf.add(tf.mul(a, beta), tf.mul(b, 1 - beta));
        });
      };
    },
    onStep: (step) => state.set(step),
    cost: (layer, base) => {
      // A sub-layer of a replaced block does not run at β = 0 (f is skipped): it costs nothing.
      if (!isRoot(layer)) return state.beta === 0 ? { params: 0, nonZeroParams: 0, flops: 0, bytes: 0 } : base;
      const g = costG(layer, base);
      if (state.beta === 0) return g;
      return { params: base.params + g.params, nonZeroParams: base.nonZeroParams + g.nonZeroParams, flops: base.flops + g.flops, bytes: base.bytes + g.bytes };
    },
    bake: () => {
      throw new HookError(
        `${name}: a blended block cannot be baked into weights (${state.describe()}); at β = 0 keep the hook attached (f is skipped) or dispose() it to restore the original`,
        name,
      );
    },
  };
}

/** Whether a layer passes a hook filter (the same rules as the hook host: kind, path, then `where`). */
function matchesFilter(f: HookFilter, l: LayerInfo): boolean {
  if (f.kind !== undefined && !(typeof f.kind === 'string' ? [f.kind] : f.kind).includes(l.kind)) return false;
  if (f.path && !f.path.test(l.path)) return false;
  return !f.where || f.where(l);
}
