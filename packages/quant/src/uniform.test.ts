import { compressorHook, createMlp, tf, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCALE_EPS, fakeQuantize, fakeQuantizeAffine, uniformConfig, uniformQuantizer } from './uniform';
import { leaked, useWasm, values } from './test-helpers';

// Hand-made kernels whose scales are powers of two, so every expected value is exact and the
// rounding ties (x.5) really are ties.
describe('uniform fake quantization', () => {
  beforeAll(useWasm);

  const fq = (w: number[][], opts: Parameters<typeof fakeQuantize>[1]): number[] => {
    const t = tf.tensor2d(w);
    const q = fakeQuantize(t, opts);
    const out = values(q);
    tf.dispose([t, q]);
    return out;
  };

  it('symmetric per layer, 8 bits: s = max|W|/127, narrow range, round half to even', () => {
    // max|W| = 31.75 → s = 0.25. -0.375/s = -1.5 → -2; 0.125/s = 0.5 → 0; 0.625/s = 2.5 → 2.
    const w = [
      [31.75, -0.375, 0.125],
      [0.625, 1, 0],
    ];
    expect(fq(w, { bits: 8, scheme: 'symmetric', granularity: 'layer' })).toEqual([31.75, -0.5, 0, 0.5, 1, 0]);
    // -max|W| maps to -127 (narrow range: -128 is never used).
    expect(fq([[-31.75, 1]], { bits: 8, scheme: 'symmetric', granularity: 'layer' })).toEqual([-31.75, 1]);
  });

  it('symmetric per channel, 4 bits: one scale per output column', () => {
    // qmax = 7. Column 0: max 3.5 → s = 0.5; column 1: max 0.875 → s = 0.125.
    const w = [
      [3.5, -0.875],
      [-1.25, 0.3125],
    ];
    // -1.25/0.5 = -2.5 → -2 → -1; 0.3125/0.125 = 2.5 → 2 → 0.25.
    expect(fq(w, { bits: 4, scheme: 'symmetric', granularity: 'channel' })).toEqual([3.5, -0.875, -1, 0.25]);
  });

  it('asymmetric per layer, 8 bits: s = (max − min)/255, z = −round(min/s), zero exact', () => {
    // min -0.5, max 63.25 → s = 63.75/255 = 0.25, z = 2. 0.3 → round(1.2) = 1 → 0.25; 0.125 → round(0.5) = 0 → 0.
    const w = [
      [-0.5, 63.25, 0],
      [0.3, 10, 0.125],
    ];
    expect(fq(w, { bits: 8, scheme: 'asymmetric', granularity: 'layer' })).toEqual([-0.5, 63.25, 0, 0.25, 10, 0]);
    // An all-positive kernel: the range still contains 0 (min = 0 → z = 0).
    expect(fq([[0.5, 1.5]], { bits: 2, scheme: 'asymmetric', granularity: 'layer' })).toEqual([0.5, 1.5]);
  });

  it('asymmetric per channel, 2 bits', () => {
    // Column 0: [-1, 2] → s = 1, z = 1. Column 1: [0, 1.5] → s = 0.5, z = 0; 1.25/0.5 = 2.5 → 2 → 1.
    const w = [
      [-1, 0.5],
      [2, 1.5],
      [0.4, 1.25],
    ];
    expect(fq(w, { bits: 2, scheme: 'asymmetric', granularity: 'channel' })).toEqual([-1, 0.5, 2, 1.5, 0, 1]);
  });

  it('an all-zero kernel quantizes to zeros (scale floored at eps = 2^-23, as PyTorch)', () => {
    expect(SCALE_EPS).toBe(2 ** -23);
    expect(fq([[0, 0]], { scheme: 'asymmetric', granularity: 'layer' })).toEqual([0, 0]);
    expect(fq([[0, 0]], { scheme: 'symmetric', granularity: 'channel' })).toEqual([0, 0]);
  });

  it('fakeQuantizeAffine clamps to [qmin, qmax] like torch.fake_quantize_per_{tensor,channel}_affine', () => {
    const x = tf.tensor1d([-3, 0.25, 0.75, 9]);
    const y = fakeQuantizeAffine(x, 0.5, 2, 0, 7);
    expect(values(y)).toEqual([-1, 0, 1, 2.5]);
    // Per channel (last axis): column scales [1, 0.25], zero points [0, 4], int range [0, 7].
    const k = tf.tensor2d([
      [-2, 2],
      [5, -2],
    ]);
    const s = tf.tensor1d([1, 0.25]);
    const z = tf.tensor1d([0, 4]);
    const yk = fakeQuantizeAffine(k, s, z, 0, 7);
    expect(values(yk)).toEqual([0, 0.75, 5, -1]);
    expect(() => fakeQuantizeAffine(x, 0, 0, 0, 7)).toThrow(/scale must be > 0, got 0/);
    expect(() => fakeQuantizeAffine(x, 1, 9, 0, 7)).toThrow(/zeroPoint must be an integer in \[0, 7\], got 9/);
    tf.dispose([x, y, k, s, z, yk]);
  });

  it('as a compressor: effective kernel = fakeQuantize(W); the clipped STE equals identity when scales come from W', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 6 });
    const x = tf.randomUniform([3, 6], 0, 1, 'float32', 2);
    const fc = m.layer('blocks.0.fc');
    const k = fc.weights.kernel;
    const grads: Tensor[] = [];
    for (const ste of ['identity', 'clipped'] as const) {
      const h = m.hooks.attach(compressorHook(uniformQuantizer({ bits: 4, scheme: 'asymmetric', granularity: 'channel', ste })));
      const eff = fc.w('kernel');
      const ref = fakeQuantize(k, { bits: 4, scheme: 'asymmetric', granularity: 'channel' });
      expect(values(eff)).toEqual(values(ref));
      const g = tf.variableGrads(() => tf.sum(tf.square(m.predict(x))) as tf.Scalar, [k]);
      grads.push(g.grads[k.name]);
      tf.dispose([eff, ref, g.value]);
      h.dispose();
    }
    expect(values(grads[1])).toEqual(values(grads[0]));
    tf.dispose([...grads, x]);
    m.dispose();
  });

  it('rejects bad bits, schemes and granularities with the value in the message', () => {
    expect(() => uniformQuantizer({ bits: 0 })).toThrow(/acn:quant\/uniform: bits must be an integer in \[1, 16\], got 0/);
    expect(() => uniformQuantizer({ bits: 17 })).toThrow(/got 17/);
    expect(() => uniformQuantizer({ bits: 4.5 })).toThrow(/got 4.5/);
    expect(() => uniformQuantizer({ scheme: 'affine' as never })).toThrow(/unknown scheme "affine" \(expected 'symmetric' or 'asymmetric'\)/);
    expect(() => uniformQuantizer({ granularity: 'row' as never })).toThrow(/unknown granularity "row"/);
    expect(() => uniformQuantizer({ bits: 1, scheme: 'symmetric' })).toThrow(/symmetric quantization needs bits >= 2/);
    expect(() => uniformQuantizer({ ste: 'dorefa' as never })).toThrow(/unknown ste "dorefa"/);
    expect(uniformConfig({ bits: 1, scheme: 'asymmetric' })).toMatchObject({ qmin: 0, qmax: 1 });
    expect(uniformConfig({ bits: 8 })).toMatchObject({ scheme: 'symmetric', granularity: 'channel', qmin: 1, qmax: 255 });
    const n = leaked(() => {
      const v = tf.ones([4]);
      expect(() => fakeQuantize(v)).toThrow(/fakeQuantize: expected a 2-D \[in, out\] kernel, got shape \[4\]/);
      v.dispose();
    });
    expect(n).toBe(0);
  });
});
