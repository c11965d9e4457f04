import { describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { stopGradient } from './stop-gradient';

describe('stopGradient', () => {
  it('d/dx [x² + sg(10x)] = 2x and the forward value is unchanged', () => {
    const x = tf.tensor1d([-2, 0.5, 3]);
    const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.add(tf.square(t), stopGradient(tf.mul(t, 10))));
    const g = tf.grad(f)(x);
    expect(Array.from(g.dataSync())).toEqual([-4, 1, 6]);
    const value = tf.tidy(() => f(x).dataSync()[0]);
    expect(value).toBeCloseTo(4 + 0.25 + 9 + 10 * 1.5, 5);
    tf.dispose([x, g]);
  });

  it.each([
    ['scalar', []],
    ['rank 1', [3]],
    ['rank 4', [2, 1, 3, 2]],
  ])('works on %s', (_name, shape) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const y = stopGradient(x);
    expect(y.shape).toEqual(x.shape);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)))(x);
    expect(Array.from(g.dataSync())).toEqual(Array.from(x.dataSync())); // only the unstopped factor
    tf.dispose([x, y, g]);
  });
});
