import { evaluate, modelCost, tf, type BlockModel } from '@acn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BranchExits } from './branches';
import { collectExitScores, entropyGrid, evaluatePolicy, pickThreshold, simulateExits, sweepThresholds, type SweepPoint } from './calibrate';
import { exitCost } from './cost';
import { allExitLogits, earlyExitForward } from './exit-forward';
import { sharedExits } from './exits';
import { batchOf, maxAbsDiff, quadrantDataset, tinyMixer, trainedWithBranches, useWasm } from './fixtures.test-helper';
import { entropyPolicy, maxProbPolicy, staticExitPolicy } from './policy';

const data = quadrantDataset(256, 8);
const val = quadrantDataset(96, 21);
let model: BlockModel;
let residual: BlockModel;
let branches: BranchExits;

beforeAll(async () => {
  await useWasm();
  model = tinyMixer('acn');
  branches = await trainedWithBranches(model, data, 3);
  residual = tinyMixer('residual', 8);
});

afterAll(() => {
  branches.dispose();
  model.dispose();
  residual.dispose();
});

describe('collectExitScores', () => {
  it('stores the softmax of every exit, batch by batch, without leaks', () => {
    const before = tf.memory().numTensors;
    const scores = collectExitScores(model, val, branches, { batchSize: 40 });
    expect(tf.memory().numTensors).toBe(before);
    expect(scores.layers).toEqual([1, 2, 3, 4]);
    expect(scores.probs.map((p) => p.length)).toEqual([384, 384, 384, 384]);
    expect(Array.from(scores.labels)).toEqual(Array.from(val.labels));
    const { x } = batchOf(val, 96);
    const logits = allExitLogits(model, x, branches);
    logits.forEach((l, j) => {
      const p = tf.softmax(l);
      const stored = tf.tensor2d(scores.probs[j], [96, 4]);
      expect(maxAbsDiff(p, stored)).toBeLessThan(1e-6);
      tf.dispose([p, stored]);
    });
    tf.dispose([x, ...logits]);
    expect(() => collectExitScores(model, val, branches, { batchSize: 0 })).toThrow(/batchSize must be an integer >= 1, got 0/);
  });
});

describe('evaluatePolicy and sweeps', () => {
  it('without early exit: the model accuracy, all L layers, FLOPs = full forward + the extra exit heads', () => {
    const exits = sharedExits(model);
    const scores = collectExitScores(model, val, exits);
    const cost = exitCost(exits);
    const e = evaluatePolicy(scores, staticExitPolicy(model.depth), cost);
    expect(e.accuracy).toBeCloseTo(evaluate(model, val).accuracy, 12);
    expect(e.avgLayers).toBe(4);
    expect(e.flopsPerSample).toBe(cost.full); // static=L skips every intermediate exit
    expect(e.flopsSpeedup).toBe(1);
    expect(e.exitHistogram).toEqual([0, 0, 0, 0, 96]);
    const all = evaluatePolicy(scores, entropyPolicy({ tau: 0 }), cost, { baselineFlops: 2 * cost.full });
    expect(all.flopsPerSample).toBe(cost.full + 4 * cost.exitHeads[0]); // every exit evaluated, none taken
    expect(all.flopsSpeedup).toBeCloseTo((2 * cost.full) / all.flopsPerSample, 12);
  });

  it('matches earlyExitForward sample by sample', () => {
    const scores = collectExitScores(model, val, branches);
    const policy = maxProbPolicy({ p: 0.9, minLayer: 2 });
    const e = evaluatePolicy(scores, policy, exitCost(branches));
    const { x, y } = batchOf(val, 96);
    const r = earlyExitForward(model, x, { exits: branches, policy });
    const labels = y.dataSync();
    const acc = Array.from(r.predictions).filter((p, i) => p === labels[i]).length / 96;
    expect(e.accuracy).toBeCloseTo(acc, 12);
    expect(e.avgLayers).toBeCloseTo(Array.from(r.exitLayers).reduce((a, b) => a + b, 0) / 96, 12);
    expect(e.exitHistogram[0]).toBe(0); // below minLayer
    tf.dispose([x, y]);
  });

  it('entropy sweeps trade accuracy for FLOPs monotonically; speed-ups are relative to the residual model', () => {
    const exits = sharedExits(model);
    const scores = collectExitScores(model, val, exits);
    const baselineFlops = modelCost(residual).total.flops;
    const grid = entropyGrid(4, 20);
    expect(grid).toContain(0.7);
    expect(grid[0]).toBe(0);
    expect(grid[grid.length - 1]).toBeCloseTo(Math.log(4), 12);
    const curve = sweepThresholds(scores, exitCost(exits), { policy: (t) => entropyPolicy({ tau: t }), thresholds: grid, baselineFlops });
    expect(curve).toHaveLength(grid.length);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i].avgLayers).toBeLessThanOrEqual(curve[i - 1].avgLayers);
      expect(curve[i].flopsPerSample).toBeLessThanOrEqual(curve[i - 1].flopsPerSample);
    }
    // τ ≥ ln C: everyone exits at the embedding-only exit.
    expect(curve[curve.length - 1].avgLayers).toBe(0);
    expect(curve[curve.length - 1].flopsSpeedup).toBeGreaterThan(4);
    expect(curve.find((p) => p.threshold === 0.7)!.label).toBe('entropy<=0.7');
    // The AC and residual Mixers of the same size cost the same FLOPs (the running sum is not counted).
    expect(curve[0].flopsSpeedup).toBeCloseTo(baselineFlops / (exitCost(exits).full + 4 * exitCost(exits).exitHeads[0]), 12);
    expect(() => sweepThresholds(scores, exitCost(exits), { policy: (t) => entropyPolicy({ tau: t }), thresholds: [] })).toThrow(/non-empty/);
    expect(() => evaluatePolicy(scores, entropyPolicy({ tau: 1 }), exitCost(branches))).toThrow(/scores are for exits \[0,1,2,3,4\], cost for \[1,2,3,4\]/);
  });
});

describe('pickThreshold', () => {
  const pt = (threshold: number, accuracy: number, flopsSpeedup: number): SweepPoint => ({ threshold, accuracy, flopsSpeedup, avgLayers: 0, flopsPerSample: 1, exitHistogram: [], label: '' });
  const curve = [pt(0, 0.9, 1), pt(0.3, 0.895, 1.5), pt(0.6, 0.885, 2), pt(0.9, 0.87, 3), pt(1.2, 0.7, 5)];

  it('takes the fastest point within the allowed drop', () => {
    expect(pickThreshold(curve, { referenceAccuracy: 0.9, maxDrop: 0.01 })).toEqual({ point: curve[1], met: true });
    expect(pickThreshold(curve, { referenceAccuracy: 0.9, maxDrop: 0.015 })).toEqual({ point: curve[2], met: true });
    expect(pickThreshold(curve, { referenceAccuracy: 0.9, maxDrop: 0.5 })).toEqual({ point: curve[4], met: true });
    expect(pickThreshold(curve, { referenceAccuracy: 0.95, maxDrop: 0.01 })).toEqual({ point: curve[0], met: false });
  });

  it('validates its inputs', () => {
    expect(() => pickThreshold([], { referenceAccuracy: 0.9, maxDrop: 0.01 })).toThrow(/no sweep points/);
    expect(() => pickThreshold(curve, { referenceAccuracy: 90, maxDrop: 0.01 })).toThrow(/referenceAccuracy must be in \[0, 1\], got 90/);
    expect(() => pickThreshold(curve, { referenceAccuracy: 0.9, maxDrop: -1 })).toThrow(/maxDrop must be a fraction in \[0, 1\], got -1/);
    expect(() => entropyGrid(1)).toThrow(/numClasses must be an integer >= 2/);
    expect(() => simulateExits({ layers: [0, 1], probs: [new Float32Array(4)], numClasses: 2, count: 2 }, staticExitPolicy(0))).toThrow(/1 probability matrices for 2 exits/);
  });
});
