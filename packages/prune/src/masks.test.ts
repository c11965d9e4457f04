import { describe, expect, it } from 'vitest';
import { kthLargest } from './kth-largest';
import { columnNorms, globalThreshold, keptCount, magnitudeMask, roundHalfEven } from './masks';

/** Transposes a row-major [r, c] array: PyTorch [out, in] ↔ our [in, out]. */
function transpose(rows: number[][]): number[][] {
  return rows[0].map((_, j) => rows.map((r) => r[j]));
}
const flat = (rows: number[][]) => new Float32Array(rows.flat());
const asRows = (m: Float32Array, cols: number) => Array.from({ length: m.length / cols }, (_, i) => Array.from(m.subarray(i * cols, (i + 1) * cols)));

describe('magnitude masks', () => {
  // vcon.md §2.6: W is [out=2, in=4] in PyTorch layout; our kernel is its transpose [in=4, out=2].
  const torchW = [
    [0.5, -0.1, 0.3, -0.8],
    [0.05, 0.2, -0.15, 0.1],
  ];
  const kernel = flat(transpose(torchW));

  it('reproduces the vcon.md §2.6 test vectors (layer, neuron = fan-in, g=2 = 1:2)', () => {
    const layer = magnitudeMask(kernel, [4, 2], { granularity: 'layer', sparsity: 0.5 });
    expect(transpose(asRows(layer, 2))).toEqual([
      [1, 0, 1, 1],
      [0, 1, 0, 0],
    ]);
    const fanIn = magnitudeMask(kernel, [4, 2], { granularity: 'fan-in', sparsity: 0.5 });
    expect(transpose(asRows(fanIn, 2))).toEqual([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
    ]);
    const g2 = magnitudeMask(kernel, [4, 2], { granularity: 'nm', n: 1, m: 2 });
    expect(transpose(asRows(g2, 2))).toEqual([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
    ]);
  });

  it('row granularity keeps or removes whole output units (kernel columns) by L2 norm', () => {
    // [in=3, out=4]; column norms: 5, 1, √2, 13 → at 50% keep units 0 and 3.
    const w = flat([
      [3, 1, 1, 5],
      [4, 0, -1, 12],
      [0, 0, 0, 0],
    ]);
    expect(Array.from(columnNorms(w, 3, 4))).toEqual([5, 1, Math.SQRT2, 13]);
    expect(asRows(magnitudeMask(w, [3, 4], { granularity: 'row', sparsity: 0.5 }), 4)).toEqual([
      [1, 0, 0, 1],
      [1, 0, 0, 1],
      [1, 0, 0, 1],
    ]);
    // 75%: round(4·0.25) = 1 unit survives, the largest.
    expect(asRows(magnitudeMask(w, [3, 4], { granularity: 'row', sparsity: 0.75 }), 4)[0]).toEqual([0, 0, 0, 1]);
  });

  it('N:M 2:4 keeps exactly 2 per group of 4 consecutive inputs, lower index first on ties', () => {
    // [in=8, out=2]: column 0 has a tie in its second group.
    const w = flat([
      [0.1, 1],
      [-0.9, 2],
      [0.5, 3],
      [0.2, 4],
      [0.3, -8],
      [0.3, 7],
      [0.3, 6],
      [-0.4, 5],
    ]);
    expect(asRows(magnitudeMask(w, [8, 2], { granularity: 'nm', n: 2, m: 4 }), 2)).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [1, 1],
      [0, 1],
      [0, 0],
      [1, 0],
    ]);
  });

  it('layer granularity keeps round(n·(1−s)) with ties at the threshold kept (VCON), and rounds half to even', () => {
    // 6 weights at 50%: kept 3 → threshold 0.5, but the tie at 0.5 keeps a fourth.
    const w = new Float32Array([0.9, -0.5, 0.5, 0.1, -0.2, 0.7]);
    expect(Array.from(magnitudeMask(w, [6, 1], { granularity: 'layer', sparsity: 0.5 }))).toEqual([1, 1, 1, 0, 0, 1]);
    expect(keptCount(5, 0.5)).toBe(2); // Python round(2.5) = 2
    expect(keptCount(7, 0.5)).toBe(4); // round(3.5) = 4
    expect(keptCount(36864, 0.9)).toBe(3686); // vcon.md §2.1
    expect(keptCount(147456, 0.9)).toBe(14746);
    expect(roundHalfEven(0.5)).toBe(0);
    expect(roundHalfEven(1.5)).toBe(2);
    // sparsity that rounds to nothing kept: every weight pruned
    expect(Array.from(magnitudeMask(new Float32Array([1, 2, 3, 4]), [4, 1], { granularity: 'layer', sparsity: 0.9 }))).toEqual([0, 0, 0, 0]);
    expect(Array.from(magnitudeMask(new Float32Array([1, 0, 3, 4]), [4, 1], { granularity: 'layer', sparsity: 0 }))).toEqual([1, 1, 1, 1]);
  });

  it('global threshold ranks weights of two layers of different scales together', () => {
    const big = new Float32Array([1, -2, 3, -4]);
    const small = new Float32Array([0.01, -0.02, 0.03, 5]);
    // 8 weights at 50% keep 4: 5, 4, 3, 2 → threshold 2
    expect(globalThreshold([big, small], 0.5)).toBe(2);
    expect(globalThreshold([big, small], 0.95)).toBe(Infinity); // round(0.4) = 0 kept
  });

  it('kthLargest agrees with a full sort on random data, with duplicates', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const v = new Float32Array(1001).map(() => Math.round(rand() * 200) / 10 - 10);
    const sorted = Array.from(v).sort((a, b) => b - a);
    for (const k of [1, 2, 17, 500, 1000, 1001]) expect(kthLargest(v, k)).toBe(sorted[k - 1]);
    expect(kthLargest([3, NaN, 1], 3)).toBe(-Infinity); // NaN ranks last
    expect(() => kthLargest([1, 2], 3)).toThrow(/k must be an integer in \[1, 2\], got 3/);
  });

  it('rejects bad specs with the value in the message', () => {
    const w = new Float32Array(8);
    expect(() => magnitudeMask(w, [4, 2], { granularity: 'layer', sparsity: 1 })).toThrow(RangeError);
    expect(() => magnitudeMask(w, [4, 2], { granularity: 'nm', n: 3, m: 2 })).toThrow(/N=3/);
    expect(() => magnitudeMask(w, [4, 2], { granularity: 'nm', n: 1, m: 3 })).toThrow(/\[4, 2\]/);
    expect(() => magnitudeMask(w, [3, 2], { granularity: 'layer', sparsity: 0.5 })).toThrow(/8 values do not fit shape \[3, 2\]/);
  });
});
