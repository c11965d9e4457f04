import { describe, expect, it } from 'vitest';
import { constantSparsity, polynomialDecay } from './schedule';

/** tfmot's PolynomialDecay.__call__, written out (sparsity part). */
function tfmotPolynomial(step: number, s0: number, s1: number, begin: number, end: number, power: number): number {
  const p = Math.min(1, Math.max(0, (step - begin) / (end - begin)));
  return (s0 - s1) * (1 - p) ** power + s1;
}

describe('sparsity schedules', () => {
  it('constantSparsity: fixed value, prunes at beginStep + k·frequency up to endStep', () => {
    const s = constantSparsity(0.6, { beginStep: 10, endStep: 40, frequency: 10 });
    expect([0, 9, 10, 15, 20, 40, 50].map((t) => s(t).shouldPrune)).toEqual([false, false, true, false, true, true, false]);
    expect(s(0).sparsity).toBe(0.6);
    expect(s(1000).sparsity).toBe(0.6);
    const forever = constantSparsity(0.5); // tfmot defaults: begin 0, end -1, frequency 100
    expect([0, 50, 100, 12300].map((t) => forever(t).shouldPrune)).toEqual([true, false, true, true]);
  });

  it('polynomialDecay matches the tfmot formula at given steps', () => {
    const opts = { initialSparsity: 0.2, finalSparsity: 0.9, beginStep: 100, endStep: 1100, power: 3, frequency: 50 };
    const s = polynomialDecay(opts);
    for (const step of [0, 100, 150, 350, 600, 1000, 1100, 5000]) {
      expect(s(step).sparsity).toBeCloseTo(tfmotPolynomial(step, 0.2, 0.9, 100, 1100, 3), 12);
    }
    // written-out values: p = 0.5 at step 600 → 0.9 − 0.7·0.125 = 0.8125; p = 0.25 at 350 → 0.9 − 0.7·0.421875
    expect(s(600).sparsity).toBeCloseTo(0.8125, 12);
    expect(s(350).sparsity).toBeCloseTo(0.6046875, 12);
    expect(s(0).sparsity).toBeCloseTo(0.2, 12); // before beginStep: p clamps to 0 (and no pruning step)
    expect(s(9999).sparsity).toBeCloseTo(0.9, 12);
    expect([0, 100, 120, 150, 1100, 1150].map((t) => s(t).shouldPrune)).toEqual([false, true, false, true, true, false]);
    // default power 3, frequency 100
    const d = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 100 });
    expect(d(50).sparsity).toBeCloseTo(0.7, 12);
    expect(d(50).shouldPrune).toBe(false);
    expect(d(100).shouldPrune).toBe(true);
  });

  it('rejects bad schedule parameters with the value in the message', () => {
    expect(() => constantSparsity(1)).toThrow(RangeError);
    expect(() => constantSparsity(1)).toThrow(/got 1/);
    expect(() => constantSparsity(0.5, { frequency: 0 })).toThrow(/frequency must be an integer >= 1, got 0/);
    expect(() => constantSparsity(0.5, { beginStep: 10, endStep: 5 })).toThrow(/endStep .* got 5/);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 1.2, beginStep: 0, endStep: 10 })).toThrow(/got 1.2/);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 10, endStep: 10 })).toThrow(/endStep must be an integer > beginStep \(10\), got 10/);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, power: 0 })).toThrow(/power/);
  });
});
