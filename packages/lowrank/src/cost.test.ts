import { describe, expect, it } from 'vitest';
import { factoredCost } from './cost';

describe('factoredCost', () => {
  it('params r·(in + out) + bias, FLOPs 2·r·(in + out) + out per row, bytes at the base rate', () => {
    // A [8, 16] dense layer with bias, 5 rows per sample: base FLOPs 5·(2·8·16 + 16) = 1360.
    const base = { params: 8 * 16 + 16, nonZeroParams: 144, flops: 1360, bytes: 4 * 144 };
    const c = factoredCost(base, { inDim: 8, outDim: 16, rank: 2, hasBias: true });
    expect(c).toEqual({ params: 2 * 24 + 16, nonZeroParams: 64, flops: 5 * (2 * 2 * 24 + 16), bytes: 4 * 64 });
    // Without a bias, half-precision storage, counted non-zeros.
    const half = factoredCost({ params: 128, nonZeroParams: 100, flops: 256, bytes: 256 }, { inDim: 8, outDim: 16, rank: 3, hasBias: false }, 70);
    expect(half).toEqual({ params: 72, nonZeroParams: 70, flops: 2 * 3 * 24, bytes: 144 });
  });
});
