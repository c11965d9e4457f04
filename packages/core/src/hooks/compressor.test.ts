import { beforeAll, describe, expect, it } from 'vitest';
import { createMlp } from '../models/mlp';
import { leakedTensors, maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { compressorHook, type Compressor } from './compressor';
import type { LayerInfo } from './types';

describe('compressorHook', () => {
  beforeAll(useWasm);

  it('weight-space compressor: C(W) in the forward, cost, bake, and prepareAll sees every layer first', async () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 1 });
    const x = randomImages(3, [6]);
    const order: string[] = [];
    const halve: Compressor = {
      name: 'test:halve',
      filter: { kind: 'dense', path: /^blocks\./ },
      prepareAll: (layers: readonly LayerInfo[]) => {
        order.push(`all:${layers.map((l) => l.path).join(',')}`);
      },
      prepare: (layer) => {
        order.push(`one:${layer.path}`);
        const scale = tf.scalar(0.5); // per-layer state, freed by dispose
        return { compress: (w: Tensor) => w.mul(scale), cost: (c) => ({ ...c, bytes: c.bytes / 2 }), dispose: () => scale.dispose() };
      },
    };
    const leaked = await leakedTensors(() => {
      const dense = m.predict(x);
      const h = m.hooks.attach(compressorHook(halve));
      expect(order).toEqual(['all:blocks.0.fc,blocks.1.fc', 'one:blocks.0.fc', 'one:blocks.1.fc']);
      const eff = m.layer('blocks.0.fc').w('kernel');
      const ref = tf.tidy(() => m.layer('blocks.0.fc').weights.kernel.mul(0.5));
      expect(maxAbsDiff(eff, ref)).toBeLessThan(1e-7);
      expect(h.hook.cost!(m.layer('blocks.0.fc'), { params: 72, nonZeroParams: 72, flops: 136, bytes: 288 }).bytes).toBe(144);
      const compressed = m.predict(x);
      h.dispose();
      const restored = m.predict(x);
      expect(maxAbsDiff(dense, restored)).toBe(0);
      const h2 = m.hooks.attach(compressorHook(halve));
      h2.bake();
      const baked = m.predict(x);
      expect(maxAbsDiff(baked, compressed)).toBeLessThan(1e-6);
      tf.dispose([dense, eff, ref, compressed, restored, baked]);
    });
    expect(leaked).toBe(0);
    x.dispose();
    m.dispose();
  });

  it('forward-form compressor replaces the layer forward and may own trainable weights', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 2 });
    const x = randomImages(3, [6]);
    const zeroOut: Compressor = {
      name: 'test:zero-forward',
      filter: { kind: 'dense', path: /^blocks\.0\.fc$/ },
      prepare: (layer, ctx) => {
        const g = ctx.addWeight('test.g', tf.zeros([1]));
        return { forward: (inp: Tensor) => tf.zeros([inp.shape[0], 8]).add(g) };
      },
    };
    const h = m.hooks.attach(compressorHook(zeroOut));
    expect(Object.keys(m.namedWeights())).toContain('blocks.0.fc.test.g');
    const y = m.layer('blocks.0.fc').apply(x.slice([0, 0], [3, 6]).matMul(tf.ones([6, 8])), m.context());
    expect(tf.tidy(() => tf.sum(tf.abs(y))).dataSync()[0]).toBe(0);
    h.dispose();
    expect(Object.keys(m.namedWeights())).not.toContain('blocks.0.fc.test.g');
    tf.dispose([x, y]);
    m.dispose();
  });
});
