import { createMlp, initBackend, truncate } from '../index';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareCost } from './compare';
import { modelCost } from './model-cost';

describe('compareCost', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('truncated vs full: ratios after/before and the FLOP speed-up', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 8, headNorm: false });
    const small = truncate(m, 2);
    const r = compareCost(modelCost(m), modelCost(small));
    // params: full 56 + 4·72 + 27 = 371, truncated 56 + 2·72 + 27 = 227; FLOPs 699 vs 427.
    expect(r.params).toBeCloseTo(227 / 371, 12);
    expect(r.nonZeroParams).toBeCloseTo(227 / 371, 12);
    expect(r.bytes).toBeCloseTo(227 / 371, 12);
    expect(r.flops).toBeCloseTo(427 / 699, 12);
    expect(r.flopSpeedup).toBeCloseTo(699 / 427, 12);
    expect(r.compression).toBeCloseTo(371 / 227, 12);
    small.dispose();
    m.dispose();
  });

  it('accepts plain totals; 0/0 is 1 and x/0 is Infinity', () => {
    const r = compareCost({ params: 10, nonZeroParams: 0, flops: 0, bytes: 40 }, { params: 5, nonZeroParams: 0, flops: 3, bytes: 0 });
    expect(r).toEqual({ params: 0.5, nonZeroParams: 1, flops: Infinity, bytes: 0, flopSpeedup: 0, compression: Infinity });
  });
});
