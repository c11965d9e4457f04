import { attachHookSpecs, createMixer, train, type ArrayDataset, type BlockModel, type WorkerHookSpec } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, useWasm } from './compressors.test-helper';
import type { VconHook } from './vcon';

const cfg = { inputShape: [8, 8, 1] as [number, number, number], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 6, channelMlpDim: 12, depth: 2, seed: 7 };
const spec: WorkerHookSpec[] = [{ module: new URL('./vcon-workers.fixture.ts', import.meta.url).href, export: 'attachVcon', options: { Q: 5 } }];

/** 32 deterministic 8×8 images, label = brightest quadrant. */
function dataset(): ArrayDataset {
  const inputs = Float32Array.from({ length: 32 * 64 }, (_, i) => ((i * 7919) % 101) / 101);
  const labels = Int32Array.from({ length: 32 }, (_, n) => {
    const q = [0, 0, 0, 0];
    for (let p = 0; p < 64; p++) q[(Math.floor(p / 32) << 1) | (p % 8 >= 4 ? 1 : 0)] += inputs[n * 64 + p];
    return q.indexOf(Math.max(...q));
  });
  return { inputs, labels, count: 32, sampleShape: [8, 8, 1], numClasses: 4 };
}

async function run(workers: number): Promise<{ model: BlockModel; steps: number; used: number }> {
  const model = createMixer(cfg);
  await attachHookSpecs(model, spec);
  const data = dataset();
  const r = await train(model, data, { epochs: 1, batchSize: 8, lr: 1e-2, progress: 'none', workers, workerHooks: spec });
  return { model, steps: r.steps, used: r.workers };
}

describe('VCON with data-parallel workers', () => {
  beforeAll(useWasm);

  it('a VCON transition trains on one worker exactly as on the main thread (β steps in the replica)', async () => {
    const a = await run(0);
    const b = await run(1);
    expect(b.used).toBe(1);
    expect(a.steps).toBe(4);
    expect((a.model.hooks.attached[0] as VconHook).beta).toBeCloseTo(1 - 4 / 5);
    const wa = a.model.namedWeights();
    const wb = b.model.namedWeights();
    for (const k of Object.keys(wa)) expect(maxAbsDiff(wa[k], wb[k])).toBe(0);
    a.model.dispose();
    b.model.dispose();
  });
});
