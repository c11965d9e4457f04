import { tf } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitCurveSpec } from './chart';
import { sharedExits } from './exits';
import { batchOf, quadrantDataset, tinyMixer, useWasm } from './fixtures.test-helper';
import { exitLatency } from './latency';
import { entropyPolicy, maxProbPolicy } from './policy';

const data = quadrantDataset(16, 2);

beforeAll(async () => {
  await useWasm();
});

describe('exitLatency', () => {
  it('times the plain forward and early exit per batch (median over repeats), leak-free', async () => {
    const model = tinyMixer('acn');
    const { x } = batchOf(data, 16);
    const before = tf.memory().numTensors;
    const plain = await exitLatency(model, x, { batchSizes: [1, 8], repeats: 3, warmup: 1 });
    const ee = await exitLatency(model, x, { exits: sharedExits(model), policy: maxProbPolicy({ p: 0 }), batchSizes: [1, 8], repeats: 3, warmup: 1, batchesPerRun: () => 2 });
    expect(tf.memory().numTensors).toBe(before);
    for (const r of [plain, ee]) {
      expect(Object.keys(r)).toEqual(['1', '8']);
      expect(r[1].samples).toHaveLength(3);
      expect(r[8].medianMs).toBeGreaterThan(0);
      expect(r[1].p10Ms).toBeLessThanOrEqual(r[1].p90Ms);
    }
    await expect(exitLatency(model, x, { batchSizes: [32] })).rejects.toThrow('exitLatency: batch size 32 needs at least 32 inputs, got 16');
    await expect(exitLatency(model, x, { policy: entropyPolicy({ tau: 1 }) })).rejects.toThrow(/give both exits and policy/);
    x.dispose();
    model.dispose();
  });
});

describe('exitCurveSpec', () => {
  it('builds a layered Vega-Lite spec: curves as lines, operating points on top', () => {
    const spec = exitCurveSpec(
      [{ label: 'acn + shared', points: [{ threshold: 0, accuracy: 0.9, flopsSpeedup: 0.8, avgLayers: 8 }, { threshold: 0.7, accuracy: 0.88, flopsSpeedup: 2.5, avgLayers: 3 }] }],
      [{ curve: 'acn + shared', kind: 'τ = 0.7', threshold: 0.7, accuracy: 0.88, flopsSpeedup: 2.5, avgLayers: 3 }],
      { title: 'T' },
    ) as { layer: { data: { values: { accuracy: number }[] }; mark: { type: string } }[]; title: { text: string } };
    expect(spec.title.text).toBe('T');
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['line', 'point']);
    expect(spec.layer[0].data.values.map((v) => v.accuracy)).toEqual([90, 88]);
    expect(spec.layer[1].data.values).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec); // plain JSON
  });
});
