import type { EpochSummary } from '@acn/core';
import { describe, expect, it } from 'vitest';
import { ContributionTracker, incrementalContribution } from './contribution';

const summary = (epoch: number, probeAccuracy?: number[]): EpochSummary => ({
  epoch,
  step: epoch * 10,
  trainLoss: 1,
  lr: 1e-3,
  seconds: 0,
  eval: probeAccuracy ? { count: 10, loss: 1, accuracy: probeAccuracy[probeAccuracy.length - 1], probeAccuracy, probeLoss: probeAccuracy.map(() => 1) } : undefined,
});

describe('incremental contribution (acn.md §4.3)', () => {
  it('is acc[k] - acc[k-1] for k = 1..L', () => {
    expect(incrementalContribution([0.25, 0.5, 0.75, 0.5])).toEqual([0.25, 0.25, -0.25]);
    expect(incrementalContribution([0.4])).toEqual([]);
    expect(() => incrementalContribution([])).toThrow(RangeError);
    expect(() => incrementalContribution([0.1, NaN])).toThrow(/index 1/);
  });

  it('tracks a layers × epochs matrix from trainer summaries and manual pushes', () => {
    const t = new ContributionTracker();
    expect(t.matrix()).toEqual([]);
    t.onEpochEnd(summary(1, [0.25, 0.5, 0.5, 0.5]));
    t.onEpochEnd(summary(2, [0.25, 0.75, 1, 1]));
    t.push([0.5, 0.5, 0.75, 1]);
    expect(t.probeHistory).toEqual([
      [0.25, 0.5, 0.5, 0.5],
      [0.25, 0.75, 1, 1],
      [0.5, 0.5, 0.75, 1],
    ]);
    expect(t.epochs).toEqual([1, 2, 3]);
    // Rows are blocks 1..3, columns epochs 1..3: a layer-by-layer (diagonal) pattern.
    expect(t.matrix()).toEqual([
      [0.25, 0.5, 0],
      [0, 0.25, 0.25],
      [0, 0, 0.25],
    ]);
    // probeHistory is a copy.
    t.probeHistory[0][0] = 99;
    expect(t.probeHistory[0][0]).toBe(0.25);
  });

  it('fails fast without probe accuracies and on a depth change', () => {
    const t = new ContributionTracker();
    expect(() => t.onEpochEnd(summary(1))).toThrow(/evalProbes: true/);
    t.push([0.1, 0.2, 0.3]);
    expect(() => t.push([0.1, 0.2])).toThrow(/expected 3 probe accuracies/);
  });
});
