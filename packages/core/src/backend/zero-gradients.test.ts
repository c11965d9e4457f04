import { describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { COMPARISON_KERNELS, registerZeroGradients } from './zero-gradients';

describe('registerZeroGradients', () => {
  it('makes masks built from trainable tensors differentiable, idempotently', () => {
    const x = tf.tensor1d([-1, 2, -3, 4]);
    const masked = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(t, tf.cast(tf.greater(t, 0), 'float32')));
    const alreadyThere = COMPARISON_KERNELS.filter((k) => tf.getGradient(k) != null);
    if (alreadyThere.length === 0) expect(() => tf.grad(masked)(x)).toThrow(/Greater/);

    const added = registerZeroGradients();
    expect(added.sort()).toEqual(COMPARISON_KERNELS.filter((k) => !alreadyThere.includes(k)).sort());
    expect(registerZeroGradients()).toEqual([]);
    for (const k of COMPARISON_KERNELS) expect(tf.getGradient(k)).toBeDefined();

    const g = tf.grad(masked)(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0, 1]);
    tf.dispose([x, g]);
  });

  it('handles every comparison op, broadcasting and int inputs', () => {
    registerZeroGradients();
    const x = tf.tensor2d([[-1, 2], [3, -4]]);
    const y = tf.tensor1d([0, 1]);
    const ops = [tf.greater, tf.greaterEqual, tf.less, tf.lessEqual, tf.equal, tf.notEqual];
    for (const op of ops) {
      const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, tf.cast(op(a, b), 'float32'))))([x, y]);
      expect(gx.shape).toEqual([2, 2]);
      expect(gy.shape).toEqual([2]); // zero gradient has b's shape, not the broadcast shape
      expect(Array.from(gy.dataSync())).toEqual([0, 0]);
      tf.dispose([gx, gy]);
    }
    tf.dispose([x, y]);
  });
});
