import { compressorHook, createMlp, initBackend, tf } from '@acn/core';
import { magnitudePruning } from '@acn/prune';
import { binaryQuantizer } from '@acn/quant';
import { beforeAll, describe, expect, it } from 'vitest';

// Real @acn/prune and @acn/quant hooks on the same weight (blocks.0.fc.kernel, [8, 8]), in both
// attach orders, against effective weights computed by hand in plain JS (no tfjs in the reference).
const path = /^blocks\.0\.fc$/;
const prune = () => compressorHook(magnitudePruning({ sparsity: 0.5, filter: { kind: 'dense', path } }));
const quant = () => compressorHook(binaryQuantizer({ scale: 'layer', filter: { kind: 'dense', path } }));

/** Magnitude mask by hand: keep the round(n·(1 − s)) largest |w| (ties at the threshold survive). */
function maskOf(w: readonly number[], sparsity: number): number[] {
  const keep = Math.round(w.length * (1 - sparsity));
  const threshold = [...w].map(Math.abs).sort((a, b) => b - a)[keep - 1];
  return w.map((v) => (Math.abs(v) >= threshold ? 1 : 0));
}
/** Scaled sign by hand: α·sign(w), α = mean|w| over the whole kernel (zeros included), sign(0) = 0. */
function binarize(w: readonly number[]): number[] {
  const alpha = w.reduce((s, v) => s + Math.abs(v), 0) / w.length;
  return w.map((v) => (v > 0 ? alpha : v < 0 ? -alpha : 0));
}
function close(a: readonly number[], b: readonly number[], tol = 1e-6): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol * Math.max(1, Math.abs(b[i])));
}

describe('prune × quant on one weight (real plugins)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('prune then quantize = binarize(W ⊙ M); quantize then prune = M ⊙ binarize(W); they differ; bake keeps each', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 8 });
    const layer = m.layer('blocks.0.fc');
    const W = Array.from(layer.weights.kernel.dataSync());
    const M = maskOf(W, 0.5);
    expect(M.reduce((s, v) => s + v, 0)).toBe(32);
    const effective = () => tf.tidy(() => Array.from(layer.w('kernel').dataSync()));
    const before = tf.memory().numTensors;

    // Order A: the pruning mask first, then the sign of the masked weight (α shrinks: zeros count).
    const pa = m.hooks.attach(prune());
    const qa = m.hooks.attach(quant());
    const pruneThenQuant = effective();
    const refA = binarize(W.map((v, i) => v * M[i]));
    expect(close(pruneThenQuant, refA)).toBe(true);
    expect(pruneThenQuant.filter((v) => v === 0)).toHaveLength(32);
    qa.dispose();
    pa.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // Order B: the sign of the full weight (α = mean|W|), then the mask (computed from stored W).
    const qb = m.hooks.attach(quant());
    const pb = m.hooks.attach(prune());
    const quantThenPrune = effective();
    const refB = binarize(W).map((v, i) => v * M[i]);
    expect(close(quantThenPrune, refB)).toBe(true);
    pb.dispose();
    qb.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // Same zeros, different scale: |α_A| = mean|W ⊙ M| < |α_B| = mean|W|.
    const nz = (a: number[]) => a.findIndex((v) => v !== 0);
    expect(Math.abs(pruneThenQuant[nz(pruneThenQuant)])).toBeLessThan(Math.abs(quantThenPrune[nz(quantThenPrune)]));
    expect(close(pruneThenQuant, quantThenPrune)).toBe(false);

    // Baking both in attach order writes the composed effective weight.
    m.hooks.attach(prune());
    m.hooks.attach(quant());
    m.hooks.bakeAll();
    expect(close(Array.from(layer.weights.kernel.dataSync()), refA)).toBe(true);
    m.dispose();
  });
});
