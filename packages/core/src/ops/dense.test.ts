import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { registerWasmFastPaths } from '../backend/wasm-matmul';
import { dense, denseFused } from './dense';
import { maxAbsDiff, switchBackend, valueAndGrads } from './grad-check.test-helper';

describe.each(['cpu', 'wasm'] as const)('dense on %s', (backend) => {
  let previous: string;
  beforeAll(async () => {
    previous = await switchBackend(backend);
    // Fused backward uses transposed matmuls; on wasm they go through the fast paths.
    if (backend === 'wasm') registerWasmFastPaths();
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it.each([
    ['rank 2 with bias', [7, 8], true],
    ['rank 3 with bias', [3, 5, 8], true],
    ['rank 4 without bias', [2, 2, 3, 8], false],
  ] as const)('denseFused matches dense: forward and all grads (%s)', (_name, shape, withBias) => {
    const x = tf.randomNormal([...shape], 0, 1, 'float32', 1);
    const kernel = tf.randomNormal([8, 6], 0, 0.5, 'float32', 2);
    const bias = tf.randomNormal([6], 0, 1, 'float32', 3);
    const inputs = withBias ? [x, kernel, bias] : [x, kernel];
    const plain = valueAndGrads((a, k, b) => dense(a, k, b), inputs);
    const fused = valueAndGrads((a, k, b) => denseFused(a, k, b), inputs);
    expect(maxAbsDiff(fused.value, plain.value)).toBeLessThanOrEqual(1e-5);
    expect(fused.grads).toHaveLength(inputs.length);
    inputs.forEach((_, i) => expect(maxAbsDiff(fused.grads[i], plain.grads[i])).toBeLessThanOrEqual(1e-5));
    const y = dense(x, kernel, withBias ? bias : undefined);
    expect(y.shape).toEqual([...shape.slice(0, -1), 6]);
    tf.dispose([x, kernel, bias, y]);
  });

  it('gives variables gradients through denseFused', () => {
    const w = tf.variable(tf.ones([3, 2]));
    const b = tf.variable(tf.zeros([2]));
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 2, 3]);
    const { grads } = tf.variableGrads(() => tf.sum(denseFused(x, w, b)));
    expect(Array.from(grads[b.name].dataSync())).toEqual([4, 4]); // M = 4 rows
    expect(Array.from(grads[w.name].dataSync())).toEqual([22, 22, 26, 26, 30, 30]);
    tf.dispose([w, b, x, ...Object.values(grads)]);
  });

  it('rejects mismatched shapes naming them', () => {
    const x = tf.zeros([2, 5]);
    expect(() => dense(x, tf.zeros([4, 3]))).toThrow(/last dim of x \[2,5\].*kernel \[4,3\]/);
    expect(() => denseFused(x, tf.zeros([5, 3]), tf.zeros([4]))).toThrow(/bias must have shape \[3\].*got \[4\]/);
    expect(() => denseFused(tf.zeros([5]), tf.zeros([5, 3]))).toThrow(/rank >= 2/);
    expect(() => dense(x, tf.zeros([5]))).toThrow(/kernel must be 2-D/);
  });
});
