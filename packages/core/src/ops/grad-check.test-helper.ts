/*
 * Test-only helpers shared by the ops tests (not exported from the package): run a function on a
 * backend, take gradients of a randomly weighted sum, compare tensors.
 */
import { tf } from '../tf';

/**
 * Switches to `name` (loading wasm when needed) and returns the previous backend name ('cpu' when
 * no backend was initialised yet: tf.getBackend() is then undefined).
 */
export async function switchBackend(name: 'cpu' | 'wasm'): Promise<string> {
  const previous = (tf.getBackend() as string | undefined) ?? 'cpu';
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) throw new Error(`could not switch to ${name}`);
  return previous;
}

/**
 * Value and gradients of `loss = sum(f(...inputs) * R)` w.r.t. every input, read back as arrays.
 * `R` is a fixed random weighting so that each output element contributes differently.
 */
export function valueAndGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  seed = 7,
): { value: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const out = f(...inputs);
    const r = tf.randomNormal(out.shape, 0, 1, 'float32', seed);
    const g = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)));
    const grads = g(inputs);
    return {
      value: out.dataSync() as Float32Array,
      grads: grads.map((t) => t.dataSync() as Float32Array),
    };
  });
}

/** Max absolute elementwise difference (arrays must have equal length). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Central finite differences of `loss(x) = sum(f(x) * R)` w.r.t. each element of `x`, in float32.
 * Returns [numeric, analytic] gradients.
 */
export function finiteDifferenceCheck(
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  eps = 1e-2,
  seed = 11,
): { numeric: number[]; analytic: Float32Array } {
  return tf.tidy(() => {
    const r = tf.randomNormal(f(x).shape, 0, 1, 'float32', seed);
    const loss = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(f(t), r));
    const analytic = tf.grad(loss)(x).dataSync() as Float32Array;
    const base = x.dataSync();
    const numeric: number[] = [];
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i] += eps;
      minus[i] -= eps;
      const lp = loss(tf.tensor(plus, x.shape)).dataSync()[0];
      const lm = loss(tf.tensor(minus, x.shape)).dataSync()[0];
      numeric.push((lp - lm) / (2 * eps));
    }
    return { numeric, analytic };
  });
}
