import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardContext } from '../hooks/types';
import { maxAbsDiff, switchBackend } from '../ops/grad-check.test-helper';
import { Rng } from '../random';
import { leakedTensors, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { EmbeddingLayer, embeddingLookup } from './embedding-layer';

const ctx: ForwardContext = { training: true, step: 0, detachInputs: false };
// Repeated ids (3 three times, 0 twice) exercise the summing of gradient rows.
const IDS = [
  [3, 0, 5, 3],
  [1, 3, 0, 6],
];
const ROWS = 7;
const DIM = 5;

/** Gradient of sum(lookup(table, ids) * R) w.r.t. the table, with a fixed random weighting R. */
function tableGrad(lookup: (t: Tensor, ids: Tensor) => Tensor): { value: Float32Array; grad: Float32Array } {
  return tf.tidy(() => {
    const table = tf.randomNormal([ROWS, DIM], 0, 1, 'float32', 3);
    const ids = tf.tensor2d(IDS, [2, 4], 'int32');
    const r = tf.randomNormal([2, 4, DIM], 0, 1, 'float32', 4);
    const g = tf.grad((t: Tensor) => tf.sum(tf.mul(lookup(t, ids), r)))(table);
    return { value: lookup(table, ids).dataSync() as Float32Array, grad: g.dataSync() as Float32Array };
  });
}

describe('embeddingLookup / EmbeddingLayer', () => {
  beforeAll(useWasm);
  afterAll(async () => {
    await switchBackend('wasm');
  });

  it('plain tf.gather has no gradient on wasm (the reason this op exists)', () => {
    expect(() => tableGrad((t, ids) => tf.gather(t, ids))).toThrow(/UnsortedSegmentSum/);
  });

  it('trains on wasm and equals the value and gradient of plain tf.gather on cpu', async () => {
    const onWasm = tableGrad(embeddingLookup);
    await switchBackend('cpu');
    const reference = tableGrad((t, ids) => tf.gather(t, ids)); // autodiff: UnsortedSegmentSum on cpu
    const onCpu = tableGrad(embeddingLookup);
    await switchBackend('wasm');
    expect(maxAbsDiff(onWasm.value, reference.value)).toBe(0);
    expect(maxAbsDiff(onWasm.grad, reference.grad)).toBeLessThan(1e-6);
    expect(maxAbsDiff(onCpu.grad, reference.grad)).toBeLessThan(1e-6);
    // Row 3 is used three times: its gradient is the sum of three rows of R, not one.
    const rowNorm = (g: Float32Array, i: number) => Math.hypot(...g.subarray(i * DIM, (i + 1) * DIM));
    expect(rowNorm(onWasm.grad, 3)).toBeGreaterThan(0);
    expect(rowNorm(onWasm.grad, 2)).toBe(0); // id 2 unused
    expect(rowNorm(onWasm.grad, 4)).toBe(0);
  });

  it('the layer maps int32 ids of any shape to [...ids, dim], N(0, std²) init, and gets variable gradients', () => {
    const layer = new EmbeddingLayer('emb', 50, 16, { depth: -1, rng: new Rng(1) }, 0.02);
    expect(layer.kind).toBe('embedding');
    const table = layer.weights.table;
    expect(table.shape).toEqual([50, 16]);
    const v = table.dataSync() as Float32Array;
    const std = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    const ids = tf.tensor3d([[[1, 2, 2]], [[49, 0, 7]]], [2, 1, 3], 'int32');
    const y = layer.apply(ids, ctx);
    expect(y.shape).toEqual([2, 1, 3, 16]);
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(ids, ctx)) as tf.Scalar, [table]);
    const g = grads[table.name].dataSync();
    expect(g[2 * 16]).toBe(2); // id 2 appears twice
    expect(g[3 * 16]).toBe(0);
    tf.dispose([ids, y, value, ...Object.values(grads)]);
    layer.dispose();
  });

  it('rejects non-int32 ids and non-2-D tables with the shapes', () => {
    const layer = new EmbeddingLayer('blocks.emb', 10, 4, { depth: -1, rng: new Rng(1) });
    const f = tf.tensor2d([[1, 2]], [1, 2], 'float32');
    expect(() => layer.apply(f, ctx)).toThrow(/layer blocks\.emb: expected int32 ids, got float32 with shape \[1,2\]/);
    const t3 = tf.zeros([2, 2, 2]);
    const ids = tf.tensor1d([0], 'int32');
    expect(() => embeddingLookup(t3, ids)).toThrow(/table must be 2-D \[rows, dim\], got shape \[2,2,2\]/);
    tf.dispose([f, t3, ids]);
    layer.dispose();
  });

  it('leaves no tensors behind (forward and gradients)', async () => {
    const layer = new EmbeddingLayer('emb', 20, 8, { depth: -1, rng: new Rng(2) });
    const ids = tf.tensor2d([[1, 2, 3, 1]], [1, 4], 'int32');
    const leaked = await leakedTensors(() => {
      tf.tidy(() => {
        layer.apply(ids, ctx);
      });
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(ids, ctx)) as tf.Scalar, [layer.weights.table]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(leaked).toBe(0);
    ids.dispose();
    layer.dispose();
  });
});
