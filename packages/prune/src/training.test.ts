import { compressorHook, Rng, tf, train, type ArrayDataset } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { magnitudePruning } from './magnitude-pruning';
import { keptCount } from './masks';
import { polynomialDecay } from './schedule';
import { sparsityReport } from './sparsity-report';
import { effective, tinyMlp, useWasm } from './test-helpers';

function randomData(count: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const inputs = Float32Array.from({ length: count * 8 }, () => rng.next() * 2 - 1);
  const labels = Int32Array.from({ length: count }, (_, i) => (inputs[i * 8] > 0 ? 1 : 0) + (inputs[i * 8 + 1] > 0 ? 1 : 0));
  return { inputs, labels, count, sampleShape: [8], numClasses: 3 };
}

describe('pruning during training (core trainer drives the schedule through hooks.step)', () => {
  beforeAll(useWasm);

  it('reaches the final sparsity of a polynomial schedule; masked weights stay zero through fine-tuning and bake', async () => {
    const m = tinyMlp(5);
    const filter = { kind: 'dense' as const, path: /^blocks\./ };
    const pruner = magnitudePruning({
      schedule: polynomialDecay({ initialSparsity: 0.2, finalSparsity: 0.8, beginStep: 0, endStep: 6, frequency: 2 }),
      filter,
    });
    const h = m.hooks.attach(compressorHook(pruner));
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const result = await train(m, randomData(32, 1), {
      epochs: 2,
      batchSize: 4, // 8 steps per epoch, 16 steps
      lr: 1e-2,
      progress: 'none',
      callbacks: { onStepEnd: () => seen.push(pruner.sparsity) },
    });
    expect(result.steps).toBe(16);
    // Sparsity moves only at steps 0, 2, 4, 6 (then stays at the final value).
    expect(seen[0]).toBeCloseTo(0.2, 12);
    expect(seen[1]).toBeCloseTo(0.2, 12);
    expect(seen[2]).toBeCloseTo(0.8 - 0.6 * (2 / 3) ** 3, 12);
    expect(seen.slice(6)).toEqual(Array(10).fill(0.8));
    const kept = keptCount(64, 0.8); // 13 of 64
    for (const path of ['blocks.0.fc', 'blocks.1.fc']) expect(effective(m, path).filter((v) => v !== 0)).toHaveLength(kept);
    result.optimizer.dispose();
    h.bake();
    expect(sparsityReport(m, { filter }).total.nonZero).toBe(2 * kept);
    expect(tf.memory().numTensors).toBe(before - 2); // optimizer state freed; bake freed the two masks
    m.dispose();
  });
});
