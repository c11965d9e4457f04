import { compressorHook, tf } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrBytes, exportSparseLayer, importSparse, toCsr } from './csr';
import { magnitudePruning } from './magnitude-pruning';
import { exportSparse, loadSparse } from './sparse-export';
import { maxAbsDiff, tinyMlp, useWasm, values } from './test-helpers';

describe('sparse (CSR) export', () => {
  beforeAll(useWasm);

  it('exports a hand-made matrix to the exact CSR arrays and back', () => {
    const w = tf.tensor2d([
      [0, 2, 0, 0],
      [3, 0, 0, -4],
      [0, 0, 0, 0],
    ]);
    const s = exportSparseLayer(w);
    expect(Array.from(s.values)).toEqual([2, 3, -4]);
    expect(s.colIndices).toBeInstanceOf(Uint16Array);
    expect(Array.from(s.colIndices)).toEqual([1, 0, 3]);
    expect(Array.from(s.rowPtr)).toEqual([0, 1, 3, 3]);
    expect(s.sparseBytes).toBe(3 * 4 + 3 * 2 + 4 * 4);
    expect(s.sparseBytes).toBe(csrBytes([3, 4], 3));
    const back = importSparse(structuredClone(s)); // serialisable: survives a structured clone
    expect(back.shape).toEqual([3, 4]);
    expect(values(back)).toEqual(values(w));
    tf.dispose([w, back]);
  });

  it('round-trips random pruned weights of any rank exactly, with 32-bit indices past 65536 columns', () => {
    const wide = tf.tidy(() => tf.mul(tf.randomNormal([2, 70000], 0, 1, 'float32', 3), tf.cast(tf.greater(tf.randomUniform([2, 70000], 0, 1, 'float32', 4), 0.9), 'float32')));
    const s = exportSparseLayer(wide);
    expect(s.colIndices).toBeInstanceOf(Uint32Array);
    const nnz = s.values.length;
    expect(nnz / 140000).toBeGreaterThan(0.08);
    expect(nnz / 140000).toBeLessThan(0.12);
    expect(s.sparseBytes).toBe(nnz * 8 + 3 * 4);
    const back = importSparse(s);
    expect(maxAbsDiff(back, wide)).toBe(0);
    for (const shape of [[], [5], [2, 3, 4]]) {
      const t = tf.tidy(() => tf.relu(tf.randomNormal(shape, 0, 1, 'float32', 9)));
      const r = importSparse(exportSparseLayer(t));
      expect(r.shape).toEqual(shape);
      expect(values(r)).toEqual(values(t));
      tf.dispose([t, r]);
    }
    tf.dispose([wide, back]);
  });

  it('rejects malformed CSR instead of loading wrong weights', () => {
    const s = toCsr(new Float32Array([0, 1, 2, 0]), [2, 2]);
    expect(() => importSparse({ ...s, rowPtr: new Uint32Array([0, 1]) })).toThrow(/rowPtr length 2 \(want 3\)/);
    expect(() => importSparse({ ...s, colIndices: new Uint16Array([1, 7]) })).toThrow(/column index 7 at entry 1 \(row 1\) is not an integer in \[0, 2\)/);
  });

  it('model export after bake: bytes as expected, and loading into a fresh model reproduces it', () => {
    const m = tinyMlp(4);
    const x = tf.randomNormal([3, 8], 0, 1, 'float32', 2);
    const h = m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.9 })));
    const attached = m.predict(x);
    expect(() => exportSparse(m)).toThrow(/embedding\.proj\.kernel is still parametrized by hook 'acn:prune\/magnitude'; bake it first/);
    h.bake();
    const exp = exportSparse(m);
    expect(Object.keys(exp.weights)).toEqual(['embedding.proj.kernel', 'blocks.0.fc.kernel', 'blocks.1.fc.kernel', 'head.fc.kernel']);
    // kept = round(64·0.1) = 6 per [8, 8] kernel, round(24·0.1) = 2 for the [8, 3] head (no ties in random weights)
    expect(Object.values(exp.weights).map((w) => w.values.length)).toEqual([6, 6, 6, 2]);
    expect(exp.sparseBytes).toBe(3 * (6 * 6 + 9 * 4) + (2 * 6 + 9 * 4));
    expect(exp.denseBytes).toBe(4 * (3 * 64 + 24));
    expect(exp.sparseBytes / exp.denseBytes).toBeCloseTo(264 / 864, 10);

    // A fresh model of the same architecture: copy the non-kernel weights, load the sparse kernels.
    const fresh = tinyMlp(99);
    const src = m.namedWeights();
    for (const [path, v] of Object.entries(fresh.namedWeights())) if (!path.endsWith('.kernel')) v.assign(src[path]);
    loadSparse(fresh, exp);
    const reloaded = fresh.predict(x);
    expect(maxAbsDiff(reloaded, attached)).toBeLessThan(1e-6);
    const other = tinyMlp(1);
    expect(() => loadSparse(other, { ...exp, weights: { 'blocks.0.fc.kernel': toCsr(new Float32Array(6), [2, 3]) } })).toThrow(
      /blocks\.0\.fc\.kernel has shape \[8,8\] in the model but \[2,3\] in the export/,
    );
    expect(() => loadSparse(fresh, { ...exp, weights: { 'blocks.9.fc.kernel': exp.weights['blocks.0.fc.kernel'] } })).toThrow(/no weight 'blocks\.9\.fc\.kernel'/);
    tf.dispose([x, attached, reloaded]);
    other.dispose();
    m.dispose();
    fresh.dispose();
  });
});
