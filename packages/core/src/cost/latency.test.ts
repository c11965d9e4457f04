import { createMlp, initBackend, tf } from '../index';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureLatency, modelLatency } from './latency';

describe('latency', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('measureLatency returns ordered positive statistics and leaks nothing', async () => {
    const a = tf.randomUniform([64, 64], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    let calls = 0;
    const s = await measureLatency(
      () => {
        calls += 1;
        const h = tf.matMul(a, a); // intermediate, freed by the tidy around fn
        return [tf.relu(h), tf.sum(h)];
      },
      { warmup: 2, repeats: 7 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toBe(9);
    expect(s.samples).toHaveLength(7);
    for (const v of s.samples) expect(v).toBeGreaterThan(0);
    expect(s.p10Ms).toBeGreaterThan(0);
    expect(s.p10Ms).toBeLessThanOrEqual(s.medianMs);
    expect(s.medianMs).toBeLessThanOrEqual(s.p90Ms);
    expect(s.meanMs).toBeGreaterThan(0);
    const sorted = [...s.samples].sort((x, y) => x - y);
    expect(s.medianMs).toBe(sorted[3]);
    await expect(measureLatency(() => tf.scalar(1), { repeats: 0 })).rejects.toThrow(RangeError);
    await expect(measureLatency(() => tf.scalar(1), { warmup: -1 })).rejects.toThrow(RangeError);
    a.dispose();
  });

  it('modelLatency times every batch size without leaking', async () => {
    const model = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 8 });
    const before = tf.memory().numTensors;
    const r = await modelLatency(model, [6], { batchSizes: [1, 32], warmup: 1, repeats: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(r).map(Number)).toEqual([1, 32]);
    for (const s of Object.values(r)) {
      expect(s.samples).toHaveLength(3);
      expect(s.medianMs).toBeGreaterThan(0);
    }
    expect(Object.keys(await modelLatency(model, [6], { warmup: 0, repeats: 1 })).map(Number)).toEqual([1, 128]);
    await expect(modelLatency(model, [7], { repeats: 1 })).rejects.toThrow();
    await expect(modelLatency(model, [6], { batchSizes: [0] })).rejects.toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
