import { tf } from '../tf';

/**
 * Identity in the forward pass, zero gradient in the backward pass (`torch.Tensor.detach` /
 * `jax.lax.stop_gradient`). tfjs 4.22 has no `tf.stopGradient`, so it is a customGrad whose
 * gradient is `zerosLike(dy)`. Works for any rank and dtype (the output is a clone sharing `x`'s
 * data, so it costs no copy).
 *
 * Note: comparison ops inside the stopped branch still need a registered gradient
 * (`registerZeroGradients()` from the backend module), because tfjs walks the tape through them.
 *
 * @example
 * ```ts
 * // d/dx [x² + sg(10x)] = 2x
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.add(tf.square(x), stopGradient(tf.mul(x, 10)))));
 * ```
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

const stopGradientOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return {
    // clone: a new tensor id sharing x's data (returning x itself would alias input and output).
    value: tf.clone(x),
    gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)],
  };
});
