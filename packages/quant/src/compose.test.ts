import { compressorHook, createMlp, tf, type LayerHook, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { binarize, binaryQuantizer } from './binary';
import { quantizedBytes } from './cost';
import { exportQuantized } from './export';
import { fakeQuantize, uniformQuantizer } from './uniform';
import { sameValues, useWasm, values } from './test-helpers';

// Two hooks on one weight compose in attach order (W_eff = p2(p1(W))). A plain masking hook stands
// in for pruning here; `packages/integration-tests` composes the real @acn/prune and @acn/quant hooks.
describe('composition with another hook on the same weight', () => {
  beforeAll(useWasm);

  const path = /^blocks\.0\.fc$/;
  const maskHook = (mask: Tensor): LayerHook => ({ name: 'test:mask', filter: { kind: 'dense', path }, parametrize: { kernel: (w) => tf.mul(w, mask) } });
  const effective = (m: ReturnType<typeof createMlp>): number[] => {
    const t = tf.tidy(() => m.layer('blocks.0.fc').w('kernel'));
    const v = values(t);
    t.dispose();
    return v;
  };

  for (const [label, make, quant] of [
    ['binary', () => binaryQuantizer({ filter: { path } }), (w: Tensor) => binarize(w)],
    ['int4 asymmetric', () => uniformQuantizer({ bits: 4, scheme: 'asymmetric', granularity: 'layer', filter: { path } }), (w: Tensor) => fakeQuantize(w, { bits: 4, scheme: 'asymmetric', granularity: 'layer' })],
  ] as const) {
    it(`${label}: mask then quantize = quant(mask(W)); quantize then mask = mask(quant(W)); they differ`, () => {
      const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 8 });
      const W = m.layer('blocks.0.fc').weights.kernel;
      // Drops the largest-magnitude weight (and a checkerboard): changes both α and the int range.
      const mask = tf.tidy(() => {
        const big = tf.less(tf.abs(W), tf.max(tf.abs(W)));
        const board = tf.tensor2d(Array.from({ length: 64 }, (_, i) => (Math.floor(i / 8) + i) % 2), [8, 8], 'bool');
        return tf.cast(tf.logicalAnd(big, board), 'float32');
      });
      const before = tf.memory().numTensors;

      const hm = m.hooks.attach(maskHook(mask));
      const hq = m.hooks.attach(compressorHook(make()));
      const quantOfMasked = effective(m);
      const refA = tf.tidy(() => quant(tf.mul(W, mask)));
      expect(sameValues(quantOfMasked, refA.dataSync())).toBe(true);
      hq.dispose();
      hm.dispose();

      const hq2 = m.hooks.attach(compressorHook(make()));
      const hm2 = m.hooks.attach(maskHook(mask));
      const maskOfQuant = effective(m);
      const refB = tf.tidy(() => tf.mul(quant(W), mask));
      expect(sameValues(maskOfQuant, refB.dataSync())).toBe(true);
      hm2.dispose();
      hq2.dispose();

      expect(quantOfMasked.some((v, i) => v !== maskOfQuant[i])).toBe(true);
      tf.dispose([refA, refB]);
      expect(tf.memory().numTensors).toBe(before);
      mask.dispose();
      m.dispose();
    });
  }

  it('binary after a mask: the zeros (sign(0) = 0) are exported with a zero map and counted by cost', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 8 });
    const layer = m.layer('blocks.0.fc');
    const mask = tf.tidy(() => tf.cast(tf.greater(tf.abs(layer.weights.kernel), 0.15), 'float32'));
    const hm = m.hooks.attach(maskHook(mask));
    const hq = m.hooks.attach(compressorHook(binaryQuantizer({ filter: { path } })));
    const exp = exportQuantized(m);
    expect(exp.weights).toHaveLength(1);
    const w = exp.weights[0];
    expect(w.format === 'binary' && w.zeros !== undefined).toBe(true);
    expect(w.bytes).toBe(quantizedBytes({ format: 'binary', scale: 'layer' }, [8, 8], true)); // 8 + 8 + 4
    const base = { params: 72, nonZeroParams: 72, flops: 136, bytes: 288 };
    expect(hq.hook.cost!(layer, base)).toEqual({ ...base, bytes: 8 * 4 + 20 });
    hq.dispose();
    hm.dispose();
    mask.dispose();
    m.dispose();
  });
});
