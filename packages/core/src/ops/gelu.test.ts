import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { gelu, geluFused } from './gelu';
import { finiteDifferenceCheck, maxAbsDiff, switchBackend, valueAndGrads } from './grad-check.test-helper';

describe.each(['cpu', 'wasm'] as const)('gelu on %s', (backend) => {
  let previous: string;
  beforeAll(async () => {
    previous = await switchBackend(backend);
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('matches known values', () => {
    const y = tf.tidy(() => gelu(tf.tensor1d([1, -1, 0])).dataSync());
    expect(y[0]).toBeCloseTo(0.8413447, 6);
    expect(y[1]).toBeCloseTo(-0.1586553, 6);
    expect(y[2]).toBe(0);
    const yf = tf.tidy(() => geluFused(tf.tensor1d([1, -1, 0])).dataSync());
    expect(maxAbsDiff(yf, y)).toBeLessThanOrEqual(1e-7);
  });

  it('geluFused matches gelu: forward and gradient (rank 3)', () => {
    const x = tf.randomNormal([2, 3, 5], 0, 2, 'float32', 1);
    const plain = valueAndGrads((t) => gelu(t), [x]);
    const fused = valueAndGrads((t) => geluFused(t), [x]);
    expect(maxAbsDiff(fused.value, plain.value)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(fused.grads[0], plain.grads[0])).toBeLessThanOrEqual(1e-5);
    x.dispose();
  });

  it('derivative at 0 is 0.5 and at large |x| tends to 1 / 0', () => {
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(geluFused(t)))(tf.tensor1d([0, 8, -8])).dataSync());
    expect(g[0]).toBeCloseTo(0.5, 6);
    expect(g[1]).toBeCloseTo(1, 5);
    expect(g[2]).toBeCloseTo(0, 5);
  });
});

describe('gelu finite differences (cpu)', () => {
  it('autodiff gradient matches central differences', async () => {
    const previous = await switchBackend('cpu');
    const x = tf.tensor1d([-2.5, -1, -0.3, 0.2, 0.7, 1.5, 3]);
    const { numeric, analytic } = finiteDifferenceCheck((t) => gelu(t), x);
    numeric.forEach((n, i) => expect(Math.abs(n - analytic[i])).toBeLessThanOrEqual(1e-2 * Math.max(1, Math.abs(analytic[i]))));
    x.dispose();
    await tf.setBackend(previous);
  });
});
