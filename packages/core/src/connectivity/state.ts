import { tf, type Tensor } from '../tf';

/**
 * The block loop's state after k blocks (prefix k). Immutable: strategies return a new state.
 *
 * @example
 * ```ts
 * const s: LoopState = { h: x0, y: x0, outputs: [] };
 * model.head.apply(s.y, ctx); // probe 0
 * ```
 */
export interface LoopState {
  /** `x_k`: the output of the last executed block (the embedding `x_0` when k = 0), e.g. `[B, T, D]`. */
  readonly h: Tensor;
  /** What the shared head reads for prefix k (probe k): the running sum (acn), `x_k` (residual, feedforward, densenet), the last depth-weighted average (denseformer). */
  readonly y: Tensor;
  /** Outputs the later blocks read besides `h`, `[x_0, x_1, …, x_k]` (densenet, denseformer); empty otherwise. */
  readonly outputs: readonly Tensor[];
}

/**
 * Every distinct tensor a state holds (`h`, `y` and `outputs` may share tensors), e.g. to keep
 * them across `tf.tidy` scopes and to dispose those a new state no longer holds.
 *
 * @example
 * ```ts
 * const kept = tf.tidy(() => stateTensors(next)); // keeps the new state alive
 * ```
 */
export function stateTensors(s: LoopState): Tensor[] {
  return [...new Set([s.h, s.y, ...s.outputs])];
}

/**
 * The same state restricted to batch rows `rows` (int32 `[R]`): every tensor of the state is
 * gathered along axis 0, shared tensors once (so `h === y` stays true). Per-sample early exit
 * uses it to drop exited rows from the hidden state, the running sum and the stored outputs.
 *
 * @example
 * ```ts
 * const still = tf.tidy(() => gatherState(state, tf.tensor1d([0, 2], 'int32')));
 * ```
 */
export function gatherState(s: LoopState, rows: Tensor): LoopState {
  const done = new Map<Tensor, Tensor>();
  const g = (t: Tensor): Tensor => {
    let out = done.get(t);
    if (!out) {
      out = tf.gather(t, rows);
      done.set(t, out);
    }
    return out;
  };
  return { h: g(s.h), y: g(s.y), outputs: s.outputs.map(g) };
}

/**
 * Disposes the tensors of `old` that `next` does not hold (the loop replaces its state).
 *
 * @example
 * ```ts
 * disposeReplaced(prev, next);
 * ```
 */
export function disposeReplaced(old: LoopState | undefined, next: LoopState | undefined): void {
  if (!old) return;
  const keep = new Set(next ? stateTensors(next) : []);
  for (const t of stateTensors(old)) if (!keep.has(t)) t.dispose();
}
