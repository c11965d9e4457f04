/*
 * The pruned weight `W ⊙ M` and its gradient. The mask M is a constant here (computed outside the
 * differentiated path), so the only choice is what reaches W.
 */
import { tf, type Tensor } from '@acn/core';

/**
 * Gradient of the pruned weight `W ⊙ M` with respect to W.
 *
 * - `masked` (default): the true derivative, `∂(W⊙M)/∂W = M`: pruned weights get no gradient and
 *   stay where they are (torch `prune`, tfmot). With a fixed mask they can never come back.
 * - `ste`: straight-through, `∂/∂W = 1`: pruned weights keep training, so a mask recomputed from
 *   the current W (`recompute: 'every-step'`) can revive them (dynamic sparse training; the VCON
 *   reference's identity STE, vcon.md §1.4 (A)).
 *
 * @example
 * ```ts
 * const g: MaskGradient = 'ste';
 * ```
 */
export type MaskGradient = 'masked' | 'ste';

/**
 * Every mask gradient, for validation.
 *
 * @example
 * ```ts
 * MASK_GRADIENTS; // ['masked', 'ste']
 * ```
 */
export const MASK_GRADIENTS: readonly MaskGradient[] = ['masked', 'ste'];

/**
 * `weight ⊙ mask` with the chosen gradient for `weight` (`mask` gets none). The weight must be an
 * explicit input of the customGrad (not captured), otherwise a variable would get no gradient
 * (platform.md §5).
 *
 * @param weight W, any shape
 * @param mask 0/1, same shape as W (a constant)
 * @example
 * ```ts
 * const w = tf.variable(tf.tensor2d([[1, -2], [3, 0.5]]));
 * const m = tf.tensor2d([[1, 0], [1, 0]]);
 * const g = tf.grad((x: Tensor) => tf.sum(applyMask(x, m, 'ste')))(w); // all ones
 * ```
 */
export function applyMask(weight: Tensor, mask: Tensor, gradient: MaskGradient = 'masked'): Tensor {
  if (gradient === 'masked') return tf.mul(weight, mask); // autodiff: dW = dy ⊙ M
  const ste = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as Tensor;
    return {
      value: tf.mul(w, mask),
      gradFunc: (dy: Tensor) => tf.clone(dy), // identity: dW = dy
    };
  });
  return ste(weight);
}
