import { describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { sumRows } from './sum-rows';

describe('sumRows', () => {
  it('sums every leading axis, matching tf.sum', () => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
    const got = sumRows(x);
    const want = tf.sum(tf.reshape(x, [6, 4]), 0);
    expect(got.shape).toEqual([4]);
    const g = got.dataSync();
    want.dataSync().forEach((w, i) => expect(g[i]).toBeCloseTo(w, 5));
    tf.dispose([x, got, want]);
  });

  it('handles rank 1 and empty inputs', () => {
    expect(Array.from(sumRows(tf.tensor1d([1, 2])).dataSync())).toEqual([1, 2]);
    expect(Array.from(sumRows(tf.zeros([0, 3])).dataSync())).toEqual([0, 0, 0]);
    expect(() => sumRows(tf.scalar(1))).toThrow(/rank >= 1/);
  });
});
