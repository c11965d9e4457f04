/**
 * Thin SVD of a dense kernel, in Float64 on the CPU. TensorFlow.js has no SVD (tensorflow/tfjs#110),
 * so this wraps `ml-matrix`'s `SingularValueDecomposition` (Golub–Kahan–Reinsch, the JAMA
 * algorithm), a well-kept pure-JS library. It runs once per layer when a compressor is prepared,
 * never inside a forward.
 */
import { tf, type Tensor } from '@acn/core';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * The thin SVD `K = U · diag(s) · Vᵀ` of a `[rows, cols]` matrix (for a kernel: rows = in,
 * cols = out), with `k = min(rows, cols)` singular triplets in descending order of `s`. Matrices
 * are row-major `Float64Array`s.
 *
 * Note the orientation: for our `[in, out]` kernels, `u` spans the *input* side and `v` the
 * *output* side, which is the opposite of PyTorch's `[out, in]` weight (there `U` is the output
 * side). See the README.
 *
 * @example
 * ```ts
 * const { s, k } = kernelSvd(layer.weights.kernel); // s[0] ≥ s[1] ≥ … ≥ s[k-1] ≥ 0
 * ```
 */
export interface KernelSvd {
  readonly rows: number;
  readonly cols: number;
  /** `min(rows, cols)`. */
  readonly k: number;
  /** Left singular vectors as columns: `[rows, k]`, row-major. */
  readonly u: Float64Array;
  /** Singular values `[k]`, descending, non-negative. */
  readonly s: Float64Array;
  /** Right singular vectors as columns: `[cols, k]`, row-major. */
  readonly v: Float64Array;
}

/**
 * Thin SVD of a row-major `[rows, cols]` matrix given as numbers (Float32 data is widened to
 * Float64 first, so the decomposition itself loses nothing).
 *
 * @example
 * ```ts
 * const { s } = svdOf(new Float64Array([3, 1, 0, 1, 3, 0, 0, 0, 1]), 3, 3); // s = [4, 2, 1]
 * ```
 */
export function svdOf(values: ArrayLike<number>, rows: number, cols: number): KernelSvd {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) {
    throw new RangeError(`svdOf: shape must be two positive integers, got [${rows}, ${cols}]`);
  }
  if (values.length !== rows * cols) {
    throw new RangeError(`svdOf: ${values.length} values do not fill a [${rows}, ${cols}] matrix (${rows * cols} needed)`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`svdOf: value ${values[i]} at flat index ${i} of the [${rows}, ${cols}] matrix is not finite`);
  }
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, values[i * cols + j]);
  // autoTranspose: ml-matrix's algorithm needs rows ≥ cols; with it, wide matrices are
  // decomposed as their transpose and U / V swapped back, so both shapes are handled.
  const dec = new SingularValueDecomposition(m, { autoTranspose: true });
  const k = Math.min(rows, cols);
  const sAll = dec.diagonal; // descending (the algorithm sorts), length k
  const left = dec.leftSingularVectors; // [rows, ≥ k]
  const right = dec.rightSingularVectors; // [cols, ≥ k]
  const u = new Float64Array(rows * k);
  const v = new Float64Array(cols * k);
  const s = new Float64Array(k);
  for (let j = 0; j < k; j++) s[j] = Math.abs(sAll[j]); // defensively non-negative; sign lives in U/V
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) u[i * k + j] = left.get(i, j);
  for (let i = 0; i < cols; i++) for (let j = 0; j < k; j++) v[i * k + j] = right.get(i, j);
  return { rows, cols, k, u, s, v };
}

/**
 * Thin SVD of a 2-D tensor (a dense kernel `[in, out]`). Reads the values synchronously once.
 *
 * @example
 * ```ts
 * const svd = kernelSvd(tf.tensor2d([[3, 1, 0], [1, 3, 0], [0, 0, 1]])); // svd.s = [4, 2, 1]
 * ```
 */
export function kernelSvd(kernel: Tensor): KernelSvd {
  if (kernel.rank !== 2) throw new RangeError(`kernelSvd: the kernel must be 2-D [in, out], got shape ${JSON.stringify(kernel.shape)}`);
  const [rows, cols] = kernel.shape;
  const data = tf.tidy(() => (kernel.dtype === 'float32' ? kernel : tf.cast(kernel, 'float32')).dataSync());
  return svdOf(data, rows, cols);
}

/**
 * Frobenius norm of the best rank-`r` approximation's error, `sqrt(Σ_{i>r} s_i²)` (Eckart–Young):
 * what truncating to rank r costs in reconstruction.
 *
 * @example
 * ```ts
 * truncationError(svdOf([3, 1, 0, 1, 3, 0, 0, 0, 1], 3, 3), 2); // 1 (the dropped singular value)
 * ```
 */
export function truncationError(svd: KernelSvd, r: number): number {
  let e = 0;
  for (let i = Math.max(0, r); i < svd.k; i++) e += svd.s[i] * svd.s[i];
  return Math.sqrt(e);
}

/**
 * Fraction of the squared singular values (the "energy", `‖K_r‖²_F / ‖K‖²_F`) kept by the first
 * `r` triplets; 1 for an all-zero matrix.
 *
 * @example
 * ```ts
 * retainedEnergy(svdOf([3, 1, 0, 1, 3, 0, 0, 0, 1], 3, 3), 1); // 16 / 21
 * ```
 */
export function retainedEnergy(svd: KernelSvd, r: number): number {
  let kept = 0;
  let total = 0;
  for (let i = 0; i < svd.k; i++) {
    const e = svd.s[i] * svd.s[i];
    total += e;
    if (i < r) kept += e;
  }
  return total === 0 ? 1 : kept / total;
}
