import { createMixer, initBackend, tf, train, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIXER_REPRESENTATIVE_PATTERN, groupBlockPaths } from './block-paths';
import { ContributionTracker } from './contribution';
import { GradientNormTracker, blockGradientNorms } from './gradient-norms';
import { chunkArgmaxDataset } from './synthetic.test-helper';

describe('per-block gradient norms (acn.md §4.4)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('is the L2 norm over all of a block\'s weights, or of the pattern matrix', () => {
    const grads: Record<string, Tensor> = {
      'embedding.proj.kernel': tf.ones([5, 5]), // ignored
      'blocks.0.fc.kernel': tf.ones([3, 3]), // 9 ones
      'blocks.0.fc.bias': tf.ones([7]), // + 7 ones → sqrt(16) = 4
      'blocks.1.fc.kernel': tf.fill([2, 2], 2), // 4 × 4 = 16
      'blocks.1.fc.bias': tf.fill([2], -3), // 2 × 9 = 18 → sqrt(34)
      'blocks.10.fc.kernel': tf.ones([4]), // must not be counted in block 1
      'head.fc.kernel': tf.ones([100]),
    };
    const before = tf.memory().numTensors;
    expect(() => blockGradientNorms(grads, 2)).toThrow(/belongs to block 10, but depth is 2/);
    const two = Object.fromEntries(Object.entries(grads).filter(([p]) => p !== 'blocks.10.fc.kernel'));
    const n = blockGradientNorms(two, 2);
    expect(n[0]).toBeCloseTo(4, 6);
    expect(n[1]).toBeCloseTo(Math.sqrt(34), 5);
    const k = blockGradientNorms(two, 2, { pattern: 'blocks.<i>.fc.kernel' });
    expect(k[0]).toBeCloseTo(3, 6);
    expect(k[1]).toBeCloseTo(4, 6);
    const f = blockGradientNorms(two, 2, { pattern: (i) => `blocks.${i}.fc.bias` });
    expect(f[0]).toBeCloseTo(Math.sqrt(7), 6);
    expect(f[1]).toBeCloseTo(Math.sqrt(18), 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => blockGradientNorms(two, 3)).toThrow(/no gradient for block 2/);
    expect(() => blockGradientNorms(two, 2, { pattern: 'blocks.<i>.nope' })).toThrow(/no gradient at 'blocks.0.nope'/);
    expect(() => blockGradientNorms(two, 0)).toThrow(RangeError);
    tf.dispose(Object.values(grads));
  });

  it('groups paths by block without confusing blocks.1 and blocks.10', () => {
    const paths = Array.from({ length: 12 }, (_, i) => `blocks.${i}.w`);
    const g = groupBlockPaths(paths, 12);
    expect(g[1]).toEqual(['blocks.1.w']);
    expect(g[10]).toEqual(['blocks.10.w']);
    expect(groupBlockPaths(['blocks.0.channelMlp.fc1.kernel', 'blocks.0.channelMlp.fc2.kernel'], 1, MIXER_REPRESENTATIVE_PATTERN)).toEqual([['blocks.0.channelMlp.fc1.kernel']]);
  });

  it('tracks an epochs × depth matrix during core train (and contributions with evalProbes)', async () => {
    const model = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 3, connectivity: 'acn', seed: 1 });
    const data = chunkArgmaxDataset(48, [8, 8, 1], 4, 2);
    const all = new GradientNormTracker(model.depth);
    const fc1 = new GradientNormTracker(model.depth, { pattern: MIXER_REPRESENTATIVE_PATTERN, every: 2 });
    const contrib = new ContributionTracker();
    await train(model, data, { epochs: 2, batchSize: 16, lr: 3e-3, seed: 1, progress: 'none', evalData: data, evalProbes: true, callbacks: [all, fc1, contrib] });
    for (const t of [all, fc1]) {
      const m = t.matrix();
      expect(m).toHaveLength(2); // epochs
      for (const row of m) {
        expect(row).toHaveLength(model.depth);
        for (const v of row) expect(Number.isFinite(v) && v > 0).toBe(true);
      }
      expect(t.layersByEpochs()).toEqual([0, 1, 2].map((i) => m.map((r) => r[i])));
      expect(t.epochs).toEqual([1, 2]);
    }
    expect(all.samplesPerEpoch).toEqual([3, 3]); // 48 / 16 steps per epoch
    expect(fc1.samplesPerEpoch).toEqual([2, 1]); // global steps 0, 2 | 4
    expect(contrib.matrix()).toHaveLength(model.depth);
    expect(contrib.matrix()[0]).toHaveLength(2);
    model.dispose();
  });

  it('validates tracker options', () => {
    expect(() => new GradientNormTracker(0)).toThrow(RangeError);
    expect(() => new GradientNormTracker(2, { every: 0 })).toThrow(/every must be an integer >= 1/);
  });
});
