// Small helpers shared by this package's tests (not exported).
import { initBackend, tf, type Tensor } from '@acn/core';
import { Matrix, QrDecomposition } from 'ml-matrix';

/** The tests run on the wasm backend (CONTRIBUTING). */
export async function useWasm(): Promise<void> {
  await initBackend('wasm');
}

/** max |a − b| of two tensors. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  const t = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** A seeded uniform(-1, 1) stream (mulberry32), for Float64 test matrices. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** A random `[rows, cols]` matrix, row-major. */
export function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const next = seeded(seed);
  return Float64Array.from({ length: rows * cols }, next);
}

/** A random `[n, k]` matrix with orthonormal columns (Q of a QR), k ≤ n. */
export function randomOrthonormal(n: number, k: number, seed: number): Matrix {
  const q = new QrDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(randomMatrix(1, k, seed * 1000 + i))))).orthogonalMatrix;
  return q.subMatrix(0, n - 1, 0, k - 1);
}

/** `U diag(s) Vᵀ` with random orthonormal U `[rows, k]`, V `[cols, k]`: a matrix with known singular values. */
export function withSingularValues(rows: number, cols: number, s: readonly number[], seed: number): Float64Array {
  const k = s.length;
  const u = randomOrthonormal(rows, k, seed);
  const v = randomOrthonormal(cols, k, seed + 1);
  const m = u.mmul(Matrix.diag([...s])).mmul(v.transpose());
  return Float64Array.from(m.to1DArray());
}

/** `a [m, k] · b [k, n]`, row-major Float64. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * k + p] * b[p * n + j];
  return out;
}

/** Frobenius norm of a − b. */
export function frobeniusDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e += (a[i] - b[i]) ** 2;
  return Math.sqrt(e);
}
