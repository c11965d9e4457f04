import { AdamW, tf, trainStep, truncate } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachBranches, BRANCH_WEIGHTS, defaultBranchLayers, freezeBackbone } from './branches';
import { batchOf, maxAbsDiff, quadrantDataset, tinyMixer, tinyMlp, useWasm } from './fixtures.test-helper';
import { branchExitLoss } from './losses';

const data = quadrantDataset(32, 5);

beforeAll(async () => {
  await useWasm();
});

describe('attachBranches', () => {
  it('adds the branch MLP as model weights (d → 2d → C) and removes them exactly on dispose', () => {
    const model = tinyMixer('acn');
    const names = Object.keys(model.namedWeights());
    const params = model.paramCount();
    const { x } = batchOf(data, 4);
    const before = model.predict(x);
    const tensors = tf.memory().numTensors;
    const branches = attachBranches(model, { layers: [1, 3] });
    expect(branches.layers).toEqual([1, 3, 4]);
    expect(branches.branchLayers).toEqual([1, 3]);
    expect(branches.dims).toEqual([16, 32, 4]);
    const w = model.namedWeights();
    expect(w['blocks.0.exit.fc1.kernel'].shape).toEqual([16, 32]);
    expect(w['blocks.0.exit.fc1.bias'].shape).toEqual([32]);
    expect(w['blocks.2.exit.fc2.kernel'].shape).toEqual([32, 4]);
    expect(w['blocks.2.exit.fc2.bias'].shape).toEqual([4]);
    expect(Object.keys(w).filter((k) => k.includes('.exit.'))).toHaveLength(8);
    expect(model.paramCount() - params).toBe(2 * (16 * 32 + 32 + 32 * 4 + 4));
    expect(Object.keys(branches.weights(1))).toEqual([...BRANCH_WEIGHTS]);
    // PyTorch default init: U(±1/√fan_in).
    const k = branches.weights(0)['exit.fc2.kernel'];
    const m = tf.tidy(() => tf.max(tf.abs(k)).dataSync()[0]);
    expect(m).toBeLessThanOrEqual(1 / Math.sqrt(32));
    expect(m).toBeGreaterThan(0.5 / Math.sqrt(32));
    // Inference is unchanged while branches are attached.
    const during = model.predict(x);
    expect(maxAbsDiff(during, before)).toBe(0);
    branches.dispose();
    expect(Object.keys(model.namedWeights())).toEqual(names);
    expect(model.paramCount()).toBe(params);
    expect(tf.memory().numTensors).toBe(tensors + 1); // only `during`
    expect(() => branches.weights(0)).toThrow(/disposed/);
    tf.dispose([x, before, during]);
    model.dispose();
  });

  it('reads the CLS token of the block output (Mixer) or the [B, d] output (MLP)', () => {
    for (const model of [tinyMixer('residual'), tinyMlp('acn')]) {
      const branches = attachBranches(model, { layers: [2] });
      const { x } = batchOf(data, 3);
      tf.tidy(() => {
        const ctx = model.context();
        const h1 = model.blocks[1].apply(model.blocks[0].apply(model.embedding.apply(x, ctx), ctx), ctx);
        const v = h1.rank === 3 ? tf.squeeze(tf.slice(h1, [0, 0, 0], [-1, 1, -1]), [1]) : h1;
        const w = branches.weights(0);
        const hid = v.matMul(w['exit.fc1.kernel']).add(w['exit.fc1.bias']);
        const gelu = hid.mul(0.5).mul(tf.erf(hid.div(Math.SQRT2)).add(1));
        const expected = gelu.matMul(w['exit.fc2.kernel']).add(w['exit.fc2.bias']);
        expect(maxAbsDiff(branches.branchLogits(0, h1), expected)).toBeLessThan(1e-5);
      });
      x.dispose();
      branches.dispose();
      model.dispose();
    }
  });

  it('default layers follow the paper (blocks 4, 8, 12 of 16, 0-based) scaled to the depth', () => {
    expect(defaultBranchLayers(16)).toEqual([5, 9, 13]);
    expect(defaultBranchLayers(8)).toEqual([3, 5, 7]);
    expect(defaultBranchLayers(4)).toEqual([1, 2, 3]);
    expect(defaultBranchLayers(2)).toEqual([1]);
    expect(() => defaultBranchLayers(1)).toThrow(/depth must be an integer >= 2/);
    const model = tinyMixer('acn');
    const b = attachBranches(model);
    expect(b.branchLayers).toEqual([1, 2, 3]);
    b.dispose();
    model.dispose();
  });

  it('rejects bad layers and widths, and refuses to be baked', () => {
    const model = tinyMixer('acn');
    expect(() => attachBranches(model, { layers: [0] })).toThrow('attachBranches: layers[0] = 0 must be an integer in [1, 3] (a number of executed blocks)');
    expect(() => attachBranches(model, { layers: [4] })).toThrow(/layers\[0\] = 4 must be an integer in \[1, 3\]/);
    expect(() => attachBranches(model, { layers: [2, 2] })).toThrow(/strictly increasing, got \[2,2\]/);
    expect(() => attachBranches(model, { layers: [] })).toThrow(/non-empty array/);
    expect(() => attachBranches(model, { hiddenDim: 0 })).toThrow('attachBranches: hiddenDim must be an integer >= 1, got 0');
    const wrong = attachBranches(model, { layers: [1], inputDim: 8 });
    const { x } = batchOf(data, 2);
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => wrong.branchLogits(0, tf.zeros([2, 5, 16])))).toThrow(/has width 16, the branch expects inputDim 8/);
    expect(tf.memory().numTensors).toBe(before);
    wrong.dispose();
    const b = attachBranches(model, { layers: [2] });
    expect(() => model.hooks.bakeAll()).toThrow(/acn:early-exit\/branches' wraps the forward and defines no bake\(\)/);
    b.dispose();
    x.dispose();
    model.dispose();
  });

  it('truncation keeps branches below the cut only if re-attached (they are hook weights)', () => {
    const model = tinyMixer('acn');
    const b = attachBranches(model, { layers: [1] });
    const small = truncate(model, 2);
    expect(Object.keys(small.namedWeights()).some((k) => k.includes('.exit.'))).toBe(false);
    small.dispose();
    b.dispose();
    model.dispose();
  });
});

describe('freezeBackbone', () => {
  it('trains only the branches, then restores the trainable flags', () => {
    const model = tinyMixer('residual');
    const branches = attachBranches(model, { layers: [2] });
    const unfreeze = freezeBackbone(model, branches);
    const trainable = Object.entries(model.namedWeights()).filter(([, v]) => v.trainable).map(([k]) => k);
    expect(trainable).toEqual(['blocks.1.exit.fc1.kernel', 'blocks.1.exit.fc1.bias', 'blocks.1.exit.fc2.kernel', 'blocks.1.exit.fc2.bias']);
    const snapshot = Object.fromEntries(Object.entries(model.namedWeights()).map(([k, v]) => [k, v.clone()]));
    const opt = new AdamW();
    const { x, y } = batchOf(data, 16);
    trainStep(model, opt, x, y, { lr: 1e-2, extraLoss: branchExitLoss(branches, [1]) });
    for (const [k, v] of Object.entries(model.namedWeights())) {
      const changed = maxAbsDiff(v, snapshot[k]) > 0;
      expect([k, changed]).toEqual([k, k.includes('.exit.')]);
    }
    unfreeze();
    expect(Object.values(model.namedWeights()).every((v) => v.trainable)).toBe(true);
    tf.dispose([x, y, ...Object.values(snapshot)]);
    opt.dispose();
    branches.dispose();
    model.dispose();
  });
});
