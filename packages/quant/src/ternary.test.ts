import { compressorHook, createMlp, tf } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ternarize, ternaryQuantizer } from './ternary';
import { maxDiff, useWasm, values } from './test-helpers';

describe('ternary quantization', () => {
  beforeAll(useWasm);

  const W = [
    [0.9, -0.05],
    [0.3, -0.6],
  ];

  it("TWN: Δ = 0.7·mean|W|, α = mean of |W| above Δ", () => {
    const w = tf.tensor2d(W);
    // mean|W| = 1.85/4 = 0.4625 → Δ = 0.32375: keeps 0.9 and -0.6 → α = 0.75.
    expect(maxDiff(values(ternarize(w, 'twn')), [0.75, 0, 0, -0.75])).toBeLessThan(1e-7);
    expect(maxDiff(values(ternarize(w)), [0.75, 0, 0, -0.75])).toBeLessThan(1e-7);
    w.dispose();
  });

  it('fixed threshold: strict |W| > Δ, dropped entries are +0 (never -0), nothing kept → all zero', () => {
    const w = tf.tensor2d(W);
    // Δ = 0.2 keeps 0.9, 0.3, -0.6 → α = 0.6.
    expect(maxDiff(values(ternarize(w, 0.2)), [0.6, 0, 0.6, -0.6])).toBeLessThan(1e-7);
    // Δ = 0.3 equals an entry: strict, so 0.3 is dropped → α = 0.75.
    const q = values(ternarize(w, 0.3));
    expect(maxDiff(q, [0.75, 0, 0, -0.75])).toBeLessThan(1e-7);
    expect(Object.is(q[1], 0)).toBe(true); // -0.05 dropped → +0
    expect(values(ternarize(w, 5))).toEqual([0, 0, 0, 0]);
    // Δ = 0 keeps every non-zero entry; exact zeros stay 0.
    const z = tf.tensor2d([
      [0, 2],
      [-1, 0],
    ]);
    expect(values(ternarize(z, 0))).toEqual([0, 1.5, -1.5, 0]);
    tf.dispose([w, z]);
  });

  it('as a compressor: effective kernel = ternarize(W); rejects bad thresholds', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 5 });
    const h = m.hooks.attach(compressorHook(ternaryQuantizer({ threshold: 'twn' })));
    const fc = m.layer('blocks.0.fc');
    const eff = fc.w('kernel');
    const ref = ternarize(fc.weights.kernel, 'twn');
    expect(values(eff)).toEqual(values(ref));
    const distinct = new Set(values(eff).map((v) => Math.abs(v)));
    expect(distinct.size).toBe(2); // {0, α}
    tf.dispose([eff, ref]);
    h.dispose();
    m.dispose();
    expect(() => ternaryQuantizer({ threshold: -0.1 })).toThrow(/threshold must be 'twn' or a finite number >= 0, got -0.1/);
    expect(() => ternaryQuantizer({ threshold: 'larq' as never })).toThrow(/got "larq"/);
    const v = tf.ones([2, 2, 2]);
    expect(() => ternarize(v)).toThrow(/ternarize: expected a 2-D \[in, out\] kernel, got shape \[2, 2, 2\]/);
    v.dispose();
  });
});
