import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { finiteDifferenceCheck, maxAbsDiff, switchBackend, valueAndGrads } from './grad-check.test-helper';
import { layerNorm, layerNormFused } from './layer-norm';

describe.each(['cpu', 'wasm'] as const)('layerNorm on %s', (backend) => {
  let previous: string;
  beforeAll(async () => {
    previous = await switchBackend(backend);
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('normalises the last axis (zero mean, unit biased variance)', () => {
    const [mean, variance] = tf.tidy(() => {
      const y = layerNorm(tf.randomNormal([4, 16], 3, 2, 'float32', 2), tf.ones([16]), tf.zeros([16]), 0);
      const m = tf.moments(y, -1);
      return [m.mean.dataSync(), m.variance.dataSync()];
    });
    mean.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-5));
    variance.forEach((v) => expect(v).toBeCloseTo(1, 4));
  });

  it.each([
    ['rank 2', [6, 16]],
    ['rank 3', [2, 3, 8]],
  ])('layerNormFused matches layerNorm: forward and grads of x, gamma, beta (%s)', (_name, shape) => {
    const d = shape[shape.length - 1];
    const x = tf.randomNormal(shape, 0.5, 2, 'float32', 3);
    const gamma = tf.randomNormal([d], 1, 0.5, 'float32', 4);
    const beta = tf.randomNormal([d], 0, 0.5, 'float32', 5);
    const plain = valueAndGrads((a, g, b) => layerNorm(a, g, b, 1e-5), [x, gamma, beta]);
    const fused = valueAndGrads((a, g, b) => layerNormFused(a, g, b, 1e-5), [x, gamma, beta]);
    expect(maxAbsDiff(fused.value, plain.value)).toBeLessThanOrEqual(1e-5);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(fused.grads[i], plain.grads[i])).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, gamma, beta]);
  });

  it('gives variables gradients through layerNormFused', () => {
    const gamma = tf.variable(tf.ones([4]));
    const beta = tf.variable(tf.zeros([4]));
    const x = tf.tensor2d([[1, 2, 3, 4], [2, 0, 1, -1]]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layerNormFused(x, gamma, beta), tf.tensor1d([1, 2, 3, 4]))));
    expect(Object.keys(grads).sort()).toEqual([beta.name, gamma.name].sort());
    expect(Array.from(grads[beta.name].dataSync())).toEqual([2, 4, 6, 8]);
    tf.dispose([gamma, beta, x, ...Object.values(grads)]);
  });

  it('rejects gamma/beta that do not match the last dim', () => {
    const x = tf.zeros([2, 4]);
    expect(() => layerNormFused(x, tf.ones([3]), tf.zeros([4]))).toThrow(/gamma must have shape \[4\]/);
    expect(() => layerNorm(x, tf.ones([4]), tf.zeros([2, 2]))).toThrow(/beta must have shape \[4\]/);
  });
});

describe('layerNorm finite differences (cpu)', () => {
  it('autodiff gradients w.r.t. x and gamma match central differences', async () => {
    const previous = await switchBackend('cpu');
    const x = tf.randomNormal([2, 5], 0, 1.5, 'float32', 6);
    const gamma = tf.randomNormal([5], 1, 0.3, 'float32', 7);
    const beta = tf.randomNormal([5], 0, 0.3, 'float32', 8);
    const checks = [
      finiteDifferenceCheck((t) => layerNorm(t, gamma, beta), x),
      finiteDifferenceCheck((g) => layerNorm(x, g, beta), gamma),
    ];
    for (const { numeric, analytic } of checks) {
      numeric.forEach((n, i) => expect(Math.abs(n - analytic[i])).toBeLessThanOrEqual(1e-2 * Math.max(1, Math.abs(analytic[i]))));
    }
    tf.dispose([x, gamma, beta]);
    await tf.setBackend(previous);
  });
});
