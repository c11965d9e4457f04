/**
 * How a truncated SVD is split into the two factors of a low-rank dense layer.
 *
 * Our kernels are `[in, out]` and a layer computes `y = x K + b` on row vectors; PyTorch weights
 * are `W = Kᵀ` `[out, in]` with `y = W x + b`. The reference (VCON's `LowRankLayer`, vcon.md §2.5)
 * takes `W = U_W · diag(S) · Vh_W` and sets `A_pt = Vh_W[:r, :]` (`[r, in]`, orthonormal rows,
 * applied first) and `B_pt = U_W[:, :r] · diag(S_r)` (`[out, r]`, carries all of S), `y = B_pt (A_pt x)`.
 *
 * Transposing: `K = Wᵀ = Vh_Wᵀ · diag(S) · U_Wᵀ`, so our SVD `K = U · diag(S) · Vᵀ` has
 * `U = Vh_Wᵀ` (input side) and `V = U_W` (output side), up to the usual per-triplet sign. With
 * `y = (x A) B` the same roles give
 *
 *   `A = U_r`              `[in, r]`  = `A_ptᵀ`: orthonormal columns, applied first (a projection)
 *   `B = diag(S_r) · V_rᵀ` `[r, out]` = `B_ptᵀ`: all singular values on the output side
 *
 * `'balanced'` puts `√S_r` on both sides instead (`A = U_r √S_r`, `B = √S_r V_rᵀ`), which gives
 * both factors the same scale (often friendlier to a shared learning rate). Both give the same
 * product `A B = U_r S_r V_rᵀ`, the best rank-r approximation of K.
 */
import { tf, type Tensor } from '@acn/core';
import type { KernelSvd } from './svd';

/**
 * Where the singular values go: `'vcon'` (the reference split: `A = U_r` orthonormal, `B = S_r V_rᵀ`)
 * or `'balanced'` (`√S_r` on both sides).
 *
 * @example
 * ```ts
 * const init: FactorInit = 'balanced';
 * ```
 */
export type FactorInit = 'vcon' | 'balanced';

/**
 * Every factor initialisation, for validation and docs.
 *
 * @example
 * ```ts
 * FACTOR_INITS.includes('vcon'); // true
 * ```
 */
export const FACTOR_INITS: readonly FactorInit[] = ['vcon', 'balanced'];

/**
 * The two factors of a rank-r split, row-major Float32: `a` `[in, r]`, `b` `[r, out]`.
 *
 * @example
 * ```ts
 * const { a, b, rank }: FactorValues = svdFactors(svd, 4, 'vcon');
 * ```
 */
export interface FactorValues {
  readonly rank: number;
  /** `[in, r]`, row-major. */
  readonly a: Float32Array;
  /** `[r, out]`, row-major. */
  readonly b: Float32Array;
}

/**
 * Splits the rank-`r` truncation of `svd` (of a kernel `[in, out]`) into `A` `[in, r]` and
 * `B` `[r, out]` with `A B = U_r diag(S_r) V_rᵀ`. Computed in Float64, stored as Float32.
 *
 * @example
 * ```ts
 * const { a, b } = svdFactors(kernelSvd(kernel), 2, 'vcon'); // a: in·2 values, b: 2·out values
 * ```
 */
export function svdFactors(svd: KernelSvd, r: number, init: FactorInit): FactorValues {
  if (!Number.isInteger(r) || r < 1 || r > svd.k) {
    throw new RangeError(`svdFactors: rank must be an integer in [1, ${svd.k}] for a [${svd.rows}, ${svd.cols}] kernel, got ${r}`);
  }
  if (!FACTOR_INITS.includes(init)) throw new RangeError(`svdFactors: unknown init '${String(init)}' (known: ${FACTOR_INITS.join(', ')})`);
  const { rows, cols, k, u, s, v } = svd;
  const a = new Float32Array(rows * r);
  const b = new Float32Array(r * cols);
  for (let j = 0; j < r; j++) {
    // Scale of column j of A and of row j of B: (1, s_j) for 'vcon', (√s_j, √s_j) for 'balanced'.
    const sa = init === 'vcon' ? 1 : Math.sqrt(s[j]);
    const sb = init === 'vcon' ? s[j] : Math.sqrt(s[j]);
    for (let i = 0; i < rows; i++) a[i * r + j] = u[i * k + j] * sa; // A[i, j] = U[i, j]·sa
    for (let o = 0; o < cols; o++) b[j * cols + o] = v[o * k + j] * sb; // B[j, o] = V[o, j]·sb
  }
  return { rank: r, a, b };
}

/**
 * {@link svdFactors} as two new float32 tensors (the caller owns them).
 *
 * @example
 * ```ts
 * const [a, b] = factorTensors(svdFactors(svd, 2, 'vcon'), 8, 16); // [8, 2], [2, 16]
 * ```
 */
export function factorTensors(f: FactorValues, inDim: number, outDim: number): [Tensor, Tensor] {
  return [tf.tensor2d(f.a, [inDim, f.rank], 'float32'), tf.tensor2d(f.b, [f.rank, outDim], 'float32')];
}
