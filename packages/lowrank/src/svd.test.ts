import { tf } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { svdFactors } from './factors';
import { frobeniusDiff, matmul, randomMatrix, useWasm, withSingularValues } from './helpers.test-helper';
import { kernelSvd, retainedEnergy, svdOf, truncationError } from './svd';

/** U diag(s) Vᵀ from a KernelSvd, row-major [rows, cols]. */
function reconstruct(svd: ReturnType<typeof svdOf>, r = svd.k): Float64Array {
  const { rows, cols, k, u, s, v } = svd;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) for (let t = 0; t < r; t++) out[i * cols + j] += u[i * k + t] * s[t] * v[j * k + t];
  return out;
}

/** max |XᵀX − I| for X [n, k] row-major. */
function orthonormalityError(x: Float64Array, n: number, k: number): number {
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += x[i * k + a] * x[i * k + b];
      worst = Math.max(worst, Math.abs(d - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('svd', () => {
  beforeAll(useWasm);

  for (const [rows, cols] of [
    [7, 5],
    [5, 7], // wide: ml-matrix needs autoTranspose
    [6, 6],
  ] as const) {
    it(`full rank gives a [${rows}, ${cols}] kernel back, with orthonormal U, V and descending s`, () => {
      const k = randomMatrix(rows, cols, rows * 10 + cols);
      const svd = svdOf(k, rows, cols);
      expect(svd.k).toBe(Math.min(rows, cols));
      expect(svd.u.length).toBe(rows * svd.k);
      expect(svd.v.length).toBe(cols * svd.k);
      expect(frobeniusDiff(reconstruct(svd), k)).toBeLessThan(1e-5);
      expect(orthonormalityError(svd.u, rows, svd.k)).toBeLessThan(1e-10);
      expect(orthonormalityError(svd.v, cols, svd.k)).toBeLessThan(1e-10);
      for (let i = 1; i < svd.k; i++) expect(svd.s[i]).toBeLessThanOrEqual(svd.s[i - 1]);
      expect(svd.s[svd.k - 1]).toBeGreaterThanOrEqual(0);
    });
  }

  it('truncated factors reach the Eckart–Young error sqrt(Σ_{i>r} s_i²) in Frobenius norm', () => {
    const [rows, cols] = [12, 9];
    const k = randomMatrix(rows, cols, 3);
    const svd = svdOf(k, rows, cols);
    for (const r of [1, 3, 5, 8, 9]) {
      for (const init of ['vcon', 'balanced'] as const) {
        const { a, b } = svdFactors(svd, r, init); // Float32 [12, r], [r, 9]
        const err = frobeniusDiff(matmul(a, b, rows, r, cols), k);
        expect(Math.abs(err - truncationError(svd, r))).toBeLessThan(1e-4);
      }
    }
    expect(truncationError(svd, 9)).toBe(0);
  });

  it('recovers known singular values of U diag(s) Vᵀ', () => {
    const s = [10, 5, 2, 1, 0.5, 0.1];
    const svd = svdOf(withSingularValues(12, 6, s, 5), 12, 6);
    s.forEach((x, i) => expect(svd.s[i]).toBeCloseTo(x, 10));
    expect(retainedEnergy(svd, 2)).toBeCloseTo(125 / 130.26, 12);
    expect(truncationError(svd, 4)).toBeCloseTo(Math.sqrt(0.25 + 0.01), 12);
  });

  it('vcon.md §2.6: S = (4, 2, 1); rank-1 and rank-2 products match the reference', () => {
    // W = [[3,1,0],[1,3,0],[0,0,1]] is symmetric, so W (PyTorch [out, in]) and our kernel K = Wᵀ coincide.
    const w = [3, 1, 0, 1, 3, 0, 0, 0, 1];
    const svd = svdOf(w, 3, 3);
    expect(Array.from(svd.s).map((x) => Number(x.toFixed(12)))).toEqual([4, 2, 1]);
    const expected: Record<number, number[]> = { 1: [2, 2, 0, 2, 2, 0, 0, 0, 0], 2: [3, 1, 0, 1, 3, 0, 0, 0, 0] };
    for (const r of [1, 2]) {
      for (const init of ['vcon', 'balanced'] as const) {
        const { a, b } = svdFactors(svd, r, init);
        const ab = matmul(a, b, 3, r, 3);
        expect(frobeniusDiff(ab, expected[r])).toBeLessThan(1e-6);
      }
    }
  });

  it('a non-symmetric kernel: our A B is the transpose of the reference B_pt A_pt, and A (applied first) is orthonormal', () => {
    // vcon.md §2.6's W [out=2, in=4]; our kernel is K = Wᵀ [in=4, out=2].
    const w = [0.5, -0.1, 0.3, -0.8, 0.05, 0.2, -0.15, 0.1];
    const kT = [0.5, 0.05, -0.1, 0.2, 0.3, -0.15, -0.8, 0.1]; // [4, 2]
    const svd = svdOf(kT, 4, 2);
    const { a, b } = svdFactors(svd, 2, 'vcon'); // a [4, 2], b [2, 2]
    const ab = matmul(a, b, 4, 2, 2); // full rank: equals K
    expect(frobeniusDiff(ab, kT)).toBeLessThan(1e-6);
    // The reference's B_pt A_pt = (A B)ᵀ = W.
    const abT = [0, 1].flatMap((o) => [0, 1, 2, 3].map((i) => ab[i * 2 + o]));
    expect(frobeniusDiff(abT, w)).toBeLessThan(1e-6);
    expect(orthonormalityError(Float64Array.from(a), 4, 2)).toBeLessThan(1e-6); // AᵀA = I (A_pt has orthonormal rows)
    // B carries S: its rows have norms s_1, s_2.
    for (let j = 0; j < 2; j++) expect(Math.hypot(b[j * 2], b[j * 2 + 1])).toBeCloseTo(svd.s[j], 5);
    // Same singular values as the PyTorch-layout W.
    const sw = svdOf(w, 2, 4).s;
    sw.forEach((x, i) => expect(svd.s[i]).toBeCloseTo(x, 12));
  });

  it("'balanced' puts √S on both sides: AᵀA = BBᵀ = diag(S_r)", () => {
    const svd = svdOf(randomMatrix(6, 5, 9), 6, 5);
    const r = 3;
    const { a, b } = svdFactors(svd, r, 'balanced');
    for (let p = 0; p < r; p++) {
      for (let q = 0; q < r; q++) {
        let ata = 0;
        let bbt = 0;
        for (let i = 0; i < 6; i++) ata += a[i * r + p] * a[i * r + q];
        for (let o = 0; o < 5; o++) bbt += b[p * 5 + o] * b[q * 5 + o];
        const want = p === q ? svd.s[p] : 0;
        expect(ata).toBeCloseTo(want, 5);
        expect(bbt).toBeCloseTo(want, 5);
      }
    }
  });

  it('kernelSvd reads a tensor (no tensor left behind) and matches svdOf', () => {
    const values = randomMatrix(5, 3, 2);
    const t = tf.tensor2d(Float32Array.from(values), [5, 3]);
    const before = tf.memory().numTensors;
    const svd = kernelSvd(t);
    expect(tf.memory().numTensors).toBe(before);
    const ref = svdOf(Float32Array.from(values), 5, 3);
    expect(Array.from(svd.s)).toEqual(Array.from(ref.s));
    t.dispose();
  });

  it('rejects bad input with the shape and the value', () => {
    expect(() => svdOf([1, 2, 3], 2, 2)).toThrow(/3 values do not fill a \[2, 2\] matrix/);
    expect(() => svdOf([1, Number.NaN, 3, 4], 2, 2)).toThrow(/value NaN at flat index 1 of the \[2, 2\] matrix is not finite/);
    const t = tf.zeros([2, 2, 2]);
    expect(() => kernelSvd(t)).toThrow(/must be 2-D \[in, out\], got shape \[2,2,2\]/);
    t.dispose();
    expect(() => svdFactors(svdOf([1, 0, 0, 1], 2, 2), 3, 'vcon')).toThrow(/rank must be an integer in \[1, 2\] for a \[2, 2\] kernel, got 3/);
  });

  it('an all-zero kernel has zero singular values and keeps all its (zero) energy', () => {
    const svd = svdOf(new Float64Array(6), 3, 2);
    expect(Array.from(svd.s)).toEqual([0, 0]);
    expect(retainedEnergy(svd, 1)).toBe(1);
  });
});
