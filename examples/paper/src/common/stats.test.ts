import { describe, expect, it } from 'vitest';
import { binomialStdError, meanCurve, meanMatrix, summarize } from './stats';
import { validatePaperResult } from './schema';

describe('stats', () => {
  it('summarize: mean and Bessel-corrected std', () => {
    expect(summarize([1, 2, 3])).toEqual({ values: [1, 2, 3], mean: 2, std: 1 });
    expect(summarize([0.8])).toEqual({ values: [0.8], mean: 0.8, std: 0 });
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9]).std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(() => summarize([])).toThrow(/no values/);
    expect(() => summarize([1, Number.NaN])).toThrow(/index 1 is not finite/);
  });

  it('meanMatrix skips nulls; meanCurve averages curves; binomialStdError', () => {
    expect(meanMatrix([[[1, 2]], [[3, null]]])).toEqual([[2, 2]]);
    expect(meanMatrix([[[null]], [[null]]])).toEqual([[null]]);
    expect(meanCurve([[1, 2], [3, 6]])).toEqual([2, 4]);
    expect(binomialStdError(0.5, 100)).toBeCloseTo(0.05, 12);
  });

  it('the result schema rejects a row whose value count differs from the seed count', () => {
    const base = {
      schemaVersion: 1, experiment: 'x', title: 't', quick: true, createdAt: 'now', durationSeconds: 1, backend: 'cpu', dataset: 'd',
      trainSize: 1, testSize: 1, seeds: [0, 1], config: {}, charts: [], notes: [],
      rows: [{ arm: 'acn', condition: '', metric: 'm', unit: 'fraction', values: [0.5, 0.6], mean: 0.55, std: 0.07 }],
    };
    expect(validatePaperResult(base).rows).toHaveLength(1);
    expect(() => validatePaperResult({ ...base, seeds: [0] })).toThrow(/has 2 values for 1 seeds/);
    expect(() => validatePaperResult({ ...base, rows: [{ ...base.rows[0], unit: 'furlongs' }] })).toThrow(/rows\.0\.unit/);
  });
});
