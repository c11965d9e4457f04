import { tf } from '../tf';

/**
 * Comparison kernels that tfjs 4.22 ships without a gradient. A mask such as
 * `cast(greater(x, 0), 'float32')` built from a trainable `x` inside a loss makes backprop throw
 * "gradient function not found for Greater", even though the true gradient is zero almost
 * everywhere (platform.md §3).
 */
export const COMPARISON_KERNELS = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'] as const;

/**
 * Registers an all-zero gradient for each comparison kernel in {@link COMPARISON_KERNELS} that has
 * no gradient yet (an existing registration, e.g. a future tfjs one, is left alone). Idempotent;
 * the gradient registry is global, so this covers every backend.
 *
 * @returns the kernel names registered by this call (empty when all were already registered).
 * @example
 * ```ts
 * registerZeroGradients();
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, tf.cast(tf.greater(x, 0), 'float32'))));
 * g(tf.tensor1d([-1, 2])).print(); // [0, 1]
 * ```
 */
export function registerZeroGradients(): string[] {
  const added: string[] = [];
  for (const kernelName of COMPARISON_KERNELS) {
    if (tf.getGradient(kernelName) != null) continue;
    tf.registerGradient({
      kernelName,
      // Both inputs are needed for their shapes: `a` and `b` may broadcast against each other, so
      // `dy` (the broadcast output shape) is not the shape of either gradient.
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as tf.Tensor[];
        // Gradients must be float32 even though comparisons take int32/bool inputs.
        return { a: () => tf.zeros(a.shape, 'float32'), b: () => tf.zeros(b.shape, 'float32') };
      },
    });
    added.push(kernelName);
  }
  return added;
}
