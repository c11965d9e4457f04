import { tf } from '../tf';
import { sumRows } from './sum-rows';

/** Validates shapes; returns [M, in, out] with M the product of x's leading dims. */
function checkShapes(op: string, x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): [number, number, number] {
  if (kernel.rank !== 2) throw new Error(`${op}: kernel must be 2-D [in, out], got shape [${kernel.shape}]`);
  const [nIn, nOut] = kernel.shape;
  if (x.rank < 2) throw new Error(`${op}: x must have rank >= 2 ([..., in]), got shape [${x.shape}]`);
  if (x.shape[x.rank - 1] !== nIn) {
    throw new Error(
      `${op}: last dim of x [${x.shape}] must equal the first dim of kernel [${kernel.shape}] (${x.shape[x.rank - 1]} vs ${nIn})`,
    );
  }
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== nOut)) {
    throw new Error(`${op}: bias must have shape [${nOut}] (second dim of kernel [${kernel.shape}]), got [${bias.shape}]`);
  }
  return [x.size / nIn, nIn, nOut];
}

/**
 * Dense (fully connected) layer from plain ops: `x @ kernel + bias`. The kernel is stored `[in, out]`
 * (tfjs convention; PyTorch stores `[out, in]`). x of any rank >= 2 is reshaped to `[M, in]` so the
 * matmul is 2-D (the XNNPACK path on wasm), then back to `[..., out]`. tfjs autodiff computes
 * gradients.
 *
 * @param x `[..., in]`
 * @param kernel `[in, out]`
 * @param bias optional `[out]`
 * @returns `[..., out]`
 * @example
 * ```ts
 * const y = dense(tf.ones([2, 5, 8]), tf.ones([8, 3]), tf.zeros([3])); // [2, 5, 3]
 * ```
 */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const [m, nIn, nOut] = checkShapes('dense', x, kernel, bias);
  return tf.tidy(() => {
    let y = tf.matMul(tf.reshape(x, [m, nIn]), kernel); // [M, out]
    if (bias != null) y = tf.add(y, bias);
    return tf.reshape(y, [...x.shape.slice(0, -1), nOut]);
  });
}

/**
 * Dense layer with a hand-written backward (same values as {@link dense}). With `x2 = x` as
 * `[M, in]` and `dy2 = dy` as `[M, out]`: `dx = dy2 @ kernelᵀ`, `dkernel = x2ᵀ @ dy2`,
 * `dbias = ones[1, M] @ dy2` (a ones-matmul is ~15x faster than `sum` on wasm; the transposed
 * matmuls are fast with the wasm fast paths registered). The forward uses `tf.fused.matMul`, so on
 * wasm the bias add happens inside XNNPACK. kernel and bias are explicit customGrad inputs, so
 * variables get gradients.
 *
 * @param x `[..., in]`
 * @param kernel `[in, out]`
 * @param bias optional `[out]`
 * @returns `[..., out]`
 * @example
 * ```ts
 * const w = tf.variable(tf.randomNormal([8, 3])), b = tf.variable(tf.zeros([3]));
 * const { grads } = tf.variableGrads(() => tf.sum(denseFused(x, w, b)));
 * ```
 */
export function denseFused(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const [m, nIn, nOut] = checkShapes('denseFused', x, kernel, bias);
  const outShape = [...x.shape.slice(0, -1), nOut];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor;
    const k = args[1] as tf.Tensor2D;
    const b = bias != null ? (args[2] as tf.Tensor) : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const x2 = tf.reshape(xi, [m, nIn]) as tf.Tensor2D; // [M, in]; shares data with x
    // Save x itself, not the reshaped view: on wasm a saved (cloned) tensor shares its buffer only
    // when it is not a view of another shape (backend/wasm-elementwise.ts, Identity), else it is copied.
    save([xi, k]);
    const y2 = tf.fused.matMul({ a: x2, b: k, bias: b }); // [M, out]
    return {
      value: tf.reshape(y2, outShape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const xs = tf.reshape(saved[0], [m, nIn]) as tf.Tensor2D; // [M, in]
        const ks = saved[1] as tf.Tensor2D;
        const dy2 = tf.reshape(dy, [m, nOut]) as tf.Tensor2D; // [M, out]
        const dx = tf.reshape(tf.matMul(dy2, ks, false, true), xi.shape); // [M, in] -> x's shape
        const dk = tf.matMul(xs, dy2, true, false); // [in, out]
        return b != null ? [dx, dk, sumRows(dy2)] : [dx, dk];
      },
    };
  });
  return bias != null ? op(x, kernel, bias) : op(x, kernel);
}
