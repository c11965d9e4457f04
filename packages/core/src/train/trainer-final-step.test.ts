import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerHook } from '../hooks/types';
import { createMlp } from '../models/mlp';
import { useWasm } from '../testing/helpers';
import { quadrantDataset } from '../testing/synthetic';
import { train } from './trainer';

describe('train signals the step after the last one', () => {
  beforeAll(useWasm);

  it('hooks see steps 0..N-1 before each optimizer step, then N once training ends (also with stopAfterEpoch)', async () => {
    const m = createMlp({ inputShape: [8, 8, 1], numClasses: 4, depth: 1, hiddenDim: 8, seed: 1 });
    const seen: number[] = [];
    const hook: LayerHook = { name: 'test:steps', filter: { kind: 'head' }, allowEmpty: true, onStep: (t) => seen.push(t) };
    m.hooks.attach(hook);
    seen.length = 0; // attach signals the current step (0)
    const data = quadrantDataset(24, 1); // 3 steps of 8 per epoch
    const { steps } = await train(m, data, { epochs: 2, batchSize: 8, progress: 'none' });
    expect(steps).toBe(6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(m.hooks.currentStep).toBe(6);
    seen.length = 0;
    await train(m, data, { epochs: 3, batchSize: 8, progress: 'none', stopAfterEpoch: 1 });
    expect(seen).toEqual([0, 1, 2, 3]);
    m.dispose();
  });
});
