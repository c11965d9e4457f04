import { tf, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { steClipped, steIdentity, steMasked } from './ste';
import { leaked, useWasm, values } from './test-helpers';

describe('straight-through estimators', () => {
  beforeAll(useWasm);

  it('steIdentity: value = forward(x), gradient = dy (same as plain autodiff of the identity)', () => {
    const n = leaked(() => {
      const x = tf.tensor1d([-2, -0.5, 0, 0.3, 1.5]);
      const c = tf.tensor1d([1, 2, 3, 4, 5]);
      const signSte = steIdentity((t) => tf.sign(t));
      const y = signSte(x);
      expect(values(y)).toEqual([-1, -1, 0, 1, 1]);
      // L = Σ c ⊙ q(x) → dL/dx = c (the identity STE passes dy = c unchanged, even at |x| > 1 and x = 0).
      const g = tf.grad((t: Tensor) => tf.sum(tf.mul(signSte(t), c)))(x);
      const ref = tf.grad((t: Tensor) => tf.sum(tf.mul(t, c)))(x);
      expect(values(g)).toEqual([1, 2, 3, 4, 5]);
      expect(values(g)).toEqual(values(ref));
      tf.dispose([x, c, y, g, ref]);
    });
    expect(n).toBe(0);
  });

  it('steClipped: gradient = dy ⊙ 1{|x| ≤ clip}, inclusive at the clip value', () => {
    const n = leaked(() => {
      const x = tf.tensor1d([-2, -1, -0.5, 0, 0.7, 1, 1.0001, 3]);
      const c = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
      const g = tf.grad((t: Tensor) => tf.sum(tf.mul(steClipped((u) => tf.sign(u))(t), c)))(x);
      expect(values(g)).toEqual([0, 2, 3, 4, 5, 6, 0, 0]);
      const g2 = tf.grad((t: Tensor) => tf.sum(tf.mul(steClipped((u) => tf.round(u), 0.5)(t), c)))(x);
      expect(values(g2)).toEqual([0, 0, 3, 4, 0, 0, 0, 0]);
      // Same as plain autodiff of x ⊙ mask with the mask as a constant.
      const mask = tf.tensor1d([0, 1, 1, 1, 1, 1, 0, 0]);
      const ref = tf.grad((t: Tensor) => tf.sum(tf.mul(tf.mul(t, mask), c)))(x);
      expect(values(g)).toEqual(values(ref));
      tf.dispose([x, c, g, g2, mask, ref]);
    });
    expect(n).toBe(0);
  });

  it('gives variables gradients when they are the explicit input (variableGrads), also on 2-D tensors', () => {
    const v = tf.variable(tf.tensor2d([[0.5, -3], [2, -0.25]]));
    const n = leaked(() => {
      const op = steClipped((t) => tf.sign(t));
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(op(v), 10)) as tf.Scalar, [v]);
      expect(values(value)).toEqual([0]);
      expect(values(grads[v.name])).toEqual([10, 0, 0, 10]);
      tf.dispose([value, grads[v.name]]);
    });
    expect(n).toBe(0);
    v.dispose();
  });

  it('steMasked uses the pass mask computed from the saved input', () => {
    const x = tf.tensor1d([-1, 2, 3]);
    const g = tf.grad((t: Tensor) => tf.sum(steMasked((u) => tf.round(u), (u) => tf.cast(tf.greater(u, 1.5), 'float32'))(t)))(x);
    expect(values(g)).toEqual([0, 1, 1]);
    tf.dispose([x, g]);
  });

  it('an identity forward does not alias input and output', () => {
    const x = tf.tensor1d([1, 2]);
    const y = steIdentity((t) => t)(x);
    expect(y).not.toBe(x);
    y.dispose();
    expect(values(x)).toEqual([1, 2]);
    x.dispose();
  });

  it('rejects bad clip values and shape-changing forwards', () => {
    expect(() => steClipped((t) => t, 0)).toThrow(/clip must be a finite number > 0, got 0/);
    expect(() => steClipped((t) => t, Number.NaN)).toThrow(/got NaN/);
    const x = tf.tensor1d([1, 2]);
    expect(() => steIdentity((t) => tf.sum(t))(x)).toThrow(/must preserve the shape, got \[2\] -> \[\]/);
    x.dispose();
  });
});
