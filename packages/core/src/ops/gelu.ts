import { fusedElementwiseApplies, GELU_KERNEL } from '../backend/wasm-elementwise';
import { tf } from '../tf';

const SQRT1_2 = Math.SQRT1_2; // 1/√2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI); // 1/√(2π)

/**
 * Exact (erf) GELU, `0.5·x·(1 + erf(x/√2))`, from plain ops: tfjs autodiff computes the gradient
 * (it keeps every intermediate alive for backprop). Any shape.
 *
 * @example
 * ```ts
 * gelu(tf.tensor1d([1, -1])).print(); // [0.8413447, -0.1586553]
 * ```
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, SQRT1_2)))));
}

/**
 * Exact (erf) GELU with a hand-written backward: `dx = dy·(Φ(x) + x·exp(-x²/2)/√(2π))` where
 * `Φ(x) = 0.5·(1 + erf(x/√2))`. Saves only `x` and `Φ(x)` (autodiff would keep ~5 intermediates),
 * so it uses less memory and skips re-running erf (the slowest elementwise op on wasm). Same values
 * as {@link gelu}. Any shape.
 *
 * On the tfjs `wasm` backend (float32) it runs the fused `AcnGelu` kernel instead
 * (backend/wasm-elementwise.ts): one SIMD pass computes the value and the derivative
 * `Φ(x) + x·φ(x)`, only the derivative is kept, and the backward is one multiply. It computes Φ
 * from an erfc approximation (relative error < 1.2e-7), so values differ from the tfjs-op path by
 * float32 rounding (≤ ~2e-7 absolute) and are more accurate in the negative tail.
 * `initBackend('wasm', { wasmFusedKernels: false })` (or env `ACN_WASM_FUSED_ELEMENTWISE=0`) turns
 * the kernel off.
 *
 * @example
 * ```ts
 * const g = tf.grad((x: tf.Tensor) => tf.sum(geluFused(x)));
 * g(tf.tensor1d([0])).print(); // [0.5]
 * ```
 */
export function geluFused(x: tf.Tensor): tf.Tensor {
  return fusedElementwiseApplies(x) ? geluWasmOp(x) : geluFusedOp(x);
}

/** The wasm kernel path: `AcnGelu` gives `[y, d]` with `d = dy/dx`; backward is `dy·d`. */
const geluWasmOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  const [y, d] = tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor[]; // both x's shape
  save([d]);
  return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0])] };
});

const geluFusedOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  const cdf = tf.mul(tf.add(1, tf.erf(tf.mul(x, SQRT1_2))), 0.5); // Φ(x), same shape as x
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, phi] = saved;
      // x·φ(x) with φ the standard normal pdf: x·exp(-x²/2)/√(2π)
      const xPdf = tf.mul(xs, tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI));
      return [tf.mul(dy, tf.add(phi, xPdf))];
    },
  };
});
