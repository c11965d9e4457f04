/**
 * Exit points of a model. An exit turns the state after k executed blocks into logits: the
 * model's own shared head on the prefix (LayerSkip / logit-lens style, no extra parameters), or a
 * small branch classifier on that block's output (BranchyNet, acn.md §3.5).
 */
import type { BlockModel, ForwardContext, Tensor } from '@acn/core';

/**
 * The state of the block loop after k executed blocks.
 *
 * @example
 * ```ts
 * const logits = exits.logits(j, { h: blockOutput, y: runningSum }, model.context());
 * ```
 */
export interface PrefixState {
  /** Output of the last executed block `x_k` (the embedding `x_0` when k = 0), e.g. `[B, T, D]`. */
  readonly h: Tensor;
  /** What the shared head reads: the running sum `x_0 + … + x_k` (acn), else `x_k`. */
  readonly y: Tensor;
}

/**
 * A set of exits of one model. Exits are identified by the number of executed blocks (`layers`,
 * ascending); the last is always `model.depth`, the model's own head.
 *
 * @example
 * ```ts
 * const exits: ExitHeads = sharedExits(model);
 * exits.layers; // [0, 1, …, L]
 * ```
 */
export interface ExitHeads {
  readonly kind: 'shared' | 'branches';
  /** The model these exits belong to. */
  readonly model: BlockModel;
  /** Executed blocks at every exit, strictly increasing, last = `model.depth`. */
  readonly layers: readonly number[];
  /** Logits `[B, numClasses]` of exit `exitIndex` (a new tensor; call inside `tf.tidy`). */
  logits(exitIndex: number, state: PrefixState, ctx: ForwardContext): Tensor;
}

/** Checks exit layers: integers, strictly increasing, inside `[lo, hi]`. */
export function checkExitLayers(who: string, layers: readonly number[], lo: number, hi: number): number[] {
  if (!Array.isArray(layers) || layers.length === 0) throw new RangeError(`${who}: layers must be a non-empty array of block counts, got ${JSON.stringify(layers)}`);
  layers.forEach((k, i) => {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < lo || k > hi) {
      throw new RangeError(`${who}: layers[${i}] = ${String(k)} must be an integer in [${lo}, ${hi}] (a number of executed blocks)`);
    }
    if (i > 0 && k <= layers[i - 1]) throw new RangeError(`${who}: layers must be strictly increasing, got ${JSON.stringify(layers)}`);
  });
  return [...layers];
}

/**
 * Options of {@link sharedExits}.
 *
 * @example
 * ```ts
 * const opts: SharedExitOptions = { layers: [2, 4, 6] };
 * ```
 */
export interface SharedExitOptions {
  /** Exit after these numbers of executed blocks (0 = embedding only). Default every prefix 0..L; L is always added. */
  readonly layers?: readonly number[];
}

/**
 * Shared-head exits: every prefix goes through the model's own head, `head(x_0 + … + x_k)` for an
 * AC model (partial sums) and `head(x_k)` for residual / feedforward models (layer outputs), exactly
 * the probes of `model.forward(x, { probes: true })`. No extra parameters.
 *
 * @example
 * ```ts
 * const exits = sharedExits(model);                      // exits after 0, 1, …, L blocks
 * const some = sharedExits(model, { layers: [2, 4, 6] }); // + L
 * ```
 */
export function sharedExits(model: BlockModel, options: SharedExitOptions = {}): ExitHeads {
  const depth = model.depth;
  const given = options.layers === undefined ? Array.from({ length: depth + 1 }, (_, k) => k) : checkExitLayers('sharedExits', options.layers, 0, depth);
  const layers = given[given.length - 1] === depth ? given : [...given, depth];
  return Object.freeze({
    kind: 'shared' as const,
    model,
    layers: Object.freeze(layers),
    logits: (_exitIndex: number, state: PrefixState, ctx: ForwardContext) => model.head.apply(state.y, ctx),
  });
}
