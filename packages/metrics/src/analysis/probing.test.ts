import { createMixer, createMlp, evaluate, initBackend, tf, truncate } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeLayers } from './probing';
import { chunkArgmaxDataset } from './synthetic.test-helper';

const mixerConfig = { inputShape: [8, 8, 1] as [number, number, number], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 3, seed: 1 };

describe('probeLayers (acn.md §1.3, §4.1)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const connectivity of ['acn', 'residual'] as const) {
    it(`${connectivity} mixer: probe k equals truncate-then-evaluate for k in {1, L}`, () => {
      const model = createMixer({ ...mixerConfig, connectivity });
      const data = chunkArgmaxDataset(50, [8, 8, 1], 4, 3);
      // batch 16 on 50 samples: a ragged last batch is part of the test.
      const probe = probeLayers(model, data, { batchSize: 16 });
      expect(probe.accuracy).toHaveLength(model.depth + 1);
      expect(probe.loss).toHaveLength(model.depth + 1);
      expect(probe.count).toBe(50);
      for (const k of [1, model.depth]) {
        const small = truncate(model, k);
        const ref = evaluate(small, data, { batchSize: 7 });
        expect(probe.accuracy[k]).toBeCloseTo(ref.accuracy, 12);
        // The loss is continuous, so it checks the logits, not only their argmax.
        expect(Math.abs(probe.loss[k] - ref.loss)).toBeLessThan(1e-5);
        small.dispose();
      }
      // The full-model probe is the model's own accuracy.
      expect(probe.accuracy[model.depth]).toBeCloseTo(evaluate(model, data).accuracy, 12);
      for (const a of probe.accuracy) {
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
      }
      model.dispose();
    });
  }

  it('is leak-free and rejects a bad dataset', () => {
    const model = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 8 });
    const data = chunkArgmaxDataset(40, [6], 3, 5);
    probeLayers(model, data); // warm-up (kernels, lazily created constants)
    const before = tf.memory().numTensors;
    const r = probeLayers(model, data, { batchSize: 9 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.accuracy).toHaveLength(4);
    expect(() => probeLayers(model, { ...data, count: 41 })).toThrow(/inputs has/);
    model.dispose();
  });
});
