import { describe, expect, it } from 'vitest';
import { cutoffLayer } from './cutoff';

describe('cutoffLayer (acn.md §4.2)', () => {
  it('finds the earliest probe within delta of the final and of the best probe', () => {
    const r = cutoffLayer([0.1, 0.5, 0.795, 0.8, 0.799], { delta: 0.005 });
    expect(r).toEqual({ relativeToFinal: 2, relativeToBest: 2, delta: 0.005, finalAccuracy: 0.799, bestAccuracy: 0.8, fractionUsed: 0.5 });
  });

  it('defaults delta to 0.005 (0.5 points on fractions)', () => {
    expect(cutoffLayer([0.1, 0.5, 0.795, 0.8, 0.799]).delta).toBe(0.005);
    // 0.79 is 0.009 below the final: outside the default, inside delta = 0.01.
    expect(cutoffLayer([0.1, 0.79, 0.8, 0.799]).relativeToFinal).toBe(2);
    expect(cutoffLayer([0.1, 0.79, 0.8, 0.799], { delta: 0.01 }).relativeToFinal).toBe(1);
  });

  it('distinguishes the final from the best probe when the best is in the middle', () => {
    // Later layers hurt: the best probe is k = 2 (0.9), the final is 0.7.
    const r = cutoffLayer([0.2, 0.72, 0.9, 0.8, 0.7], { delta: 0.005 });
    expect(r.relativeToFinal).toBe(1); // 0.72 >= 0.7 - 0.005
    expect(r.relativeToBest).toBe(2); // only 0.9 is within 0.005 of the best
    expect(r.bestAccuracy).toBe(0.9);
    expect(r.finalAccuracy).toBe(0.7);
    expect(r.fractionUsed).toBe(0.25);
  });

  it('is exact at the boundary and with delta = 0', () => {
    const r = cutoffLayer([0.25, 0.5, 0.75, 1], { delta: 0.25 }); // binary-exact values
    expect(r.relativeToFinal).toBe(2);
    expect(r.relativeToBest).toBe(2);
    expect(r.fractionUsed).toBeCloseTo(2 / 3, 12);
    const z = cutoffLayer([0.3, 0.6, 0.6, 0.5], { delta: 0 });
    expect(z.relativeToFinal).toBe(1);
    expect(z.relativeToBest).toBe(1);
    expect(z.bestAccuracy).toBe(0.6);
    // A single block: the embedding probe alone can already be enough.
    expect(cutoffLayer([0.9, 0.9]).relativeToFinal).toBe(0);
  });

  it('rejects empty curves, non-finite values and bad deltas with a RangeError', () => {
    expect(() => cutoffLayer([])).toThrow(RangeError);
    expect(() => cutoffLayer([])).toThrow(/>= 2 probe accuracies/);
    expect(() => cutoffLayer([0.5])).toThrow(RangeError);
    expect(() => cutoffLayer([0.1, NaN, 0.3])).toThrow(/index 1 is not a finite number/);
    expect(() => cutoffLayer([0.1, Infinity])).toThrow(RangeError);
    expect(() => cutoffLayer([0.1, 0.2], { delta: -0.01 })).toThrow(/delta must be a finite number >= 0/);
    expect(() => cutoffLayer([0.1, 0.2], { delta: NaN })).toThrow(RangeError);
  });
});
