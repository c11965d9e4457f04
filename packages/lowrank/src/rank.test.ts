import { describe, expect, it } from 'vitest';
import { withSingularValues } from './helpers.test-helper';
import { maxReducingRank, selectRank, validateRankSpec } from './rank';
import { svdOf } from './svd';

describe('rank selection', () => {
  // A [12, 6] kernel with singular values 10, 5, 2, 1, 0.5, 0.1 (energies 100, 25, 4, 1, 0.25, 0.01; total 130.26).
  const s = [10, 5, 2, 1, 0.5, 0.1];
  const svd = svdOf(withSingularValues(12, 6, s, 11), 12, 6);

  it('by energy: the smallest r with Σ_{i≤r} s_i² / Σ s_i² ≥ energy', () => {
    const pick = (energy: number) => selectRank({ energy }, svd.s, 12, 6, { force: true });
    expect(pick(0.5)).toBe(1); // 100 / 130.26 = 0.76770
    expect(pick(0.7676)).toBe(1);
    expect(pick(0.7678)).toBe(2); // 125 / 130.26 = 0.9596
    expect(pick(0.99)).toBe(3); // 129 / 130.26 = 0.99033
    expect(pick(0.995)).toBe(4); // 130 / 130.26 = 0.998
    expect(pick(0.9999)).toBe(5); // 130.25 / 130.26 = 0.999923
    expect(pick(0.99995)).toBe(6);
    expect(pick(1)).toBe(6);
  });

  it('by fraction: max(1, round(fraction · min(in, out)))', () => {
    const pick = (fraction: number) => selectRank({ fraction }, [], 12, 6, { force: true });
    expect(pick(0.5)).toBe(3);
    expect(pick(0.25)).toBe(2); // round(1.5) = 2
    expect(pick(0.1)).toBe(1);
    expect(pick(0.01)).toBe(1); // never 0
    expect(pick(1)).toBe(6);
  });

  it('the largest FLOP-reducing rank is the largest r with r·(in + out) < in·out', () => {
    expect(maxReducingRank(8, 16)).toBe(5); // 120 < 128 ≤ 144
    expect(maxReducingRank(4, 4)).toBe(1); // break-even exactly 2
    expect(maxReducingRank(64, 64)).toBe(31);
    expect(maxReducingRank(2, 2)).toBe(0);
    expect(maxReducingRank(1, 10)).toBe(0);
  });

  it('refuses a rank that does not reduce FLOPs, naming the layer, the shape and the break-even rank; force accepts it', () => {
    const opts = { layer: 'blocks.0.fc' };
    expect(selectRank(5, [], 8, 16, opts)).toBe(5);
    expect(() => selectRank(6, [], 8, 16, opts)).toThrow(
      'low rank: rank 6 does not reduce FLOPs for layer blocks.0.fc with kernel [8, 16]: r·(in + out) = 144 >= in·out = 128 (break-even rank in·out/(in + out) = 5.333); use a rank <= 5, or pass force: true',
    );
    expect(selectRank(6, [], 8, 16, { ...opts, force: true })).toBe(6);
    expect(() => selectRank({ fraction: 1 }, [], 8, 16, opts)).toThrow(/rank 8 \(from fraction 1\) does not reduce FLOPs/);
    expect(() => selectRank({ energy: 1 }, svd.s, 12, 6, opts)).toThrow(/rank 6 \(from energy 1\) does not reduce FLOPs .* \[12, 6\].*use a rank <= 3/);
    expect(() => selectRank(1, [], 2, 2, opts)).toThrow(/no rank reduces FLOPs for this shape, or pass force: true/);
  });

  it('rank < 1 or > min(in, out) is an error even with force', () => {
    expect(() => selectRank(0, [], 8, 16, { force: true })).toThrow('low rank: rank must be an integer >= 1, got 0');
    expect(() => selectRank(2.5, [], 8, 16, { force: true })).toThrow(/integer >= 1, got 2.5/);
    expect(() => selectRank(9, [], 8, 16, { layer: 'head.fc', force: true })).toThrow(
      'low rank: rank 9 is out of range for layer head.fc with kernel [8, 16]: it must be in [1, 8] (min(in, out))',
    );
  });

  it('validates specs up front', () => {
    expect(() => validateRankSpec({ fraction: 0 })).toThrow('low rank: fraction must be in (0, 1], got 0');
    expect(() => validateRankSpec({ fraction: 1.5 })).toThrow(/fraction must be in \(0, 1\], got 1.5/);
    expect(() => validateRankSpec({ energy: 1.2 })).toThrow('low rank: energy must be in (0, 1], got 1.2');
    expect(() => validateRankSpec({ energy: Number.NaN })).toThrow(/energy must be in \(0, 1\], got NaN/);
    expect(() => validateRankSpec({} as never)).toThrow(/rank must be a number, \{ fraction \} or \{ energy \}, got \{\}/);
    expect(() => validateRankSpec(4)).not.toThrow();
  });
});
