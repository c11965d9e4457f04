import { tf } from '../tf';

/**
 * Sums `x` of shape `[..., D]` over all leading axes, giving `[D]`. Computed as `ones[1,M] @ x2d`
 * with `M` the product of the leading dims: on the wasm backend that 2-D matmul runs on XNNPACK
 * and is ~15x faster than `tf.sum(x, 0)` (platform.md §3: 0.5 ms vs 8.4 ms for 2M floats). Used for
 * bias / LayerNorm-affine gradients.
 *
 * @example
 * ```ts
 * sumRows(tf.tensor2d([[1, 2], [3, 4]])).print(); // [4, 6]
 * ```
 */
export function sumRows(x: tf.Tensor): tf.Tensor1D {
  if (x.rank < 1) throw new Error(`sumRows: expected rank >= 1, got a scalar`);
  const d = x.shape[x.rank - 1];
  if (x.rank === 1) return tf.clone(x) as tf.Tensor1D;
  if (x.size === 0) return tf.zeros([d]);
  const m = x.size / d;
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, m]), tf.reshape(x, [m, d])), [d]));
}
