import { compressorHook, HookError, modelCost, tf, type LayerCost, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyMask } from './apply-mask';
import { magnitudePruning } from './magnitude-pruning';
import { keptCount, magnitudeMask } from './masks';
import { constantSparsity, polynomialDecay } from './schedule';
import { effective, maxAbsDiff, setWeight, sumOf, tinyMlp, useWasm, values } from './test-helpers';
import type { MagnitudePruner } from './magnitude-pruning';

/** The current mask of a layer as a plain array (maskOf returns a copy the caller disposes). */
function maskValues(p: MagnitudePruner, path: string): number[] {
  const t = p.maskOf(path);
  if (!t) throw new Error(`no mask at ${path}`);
  const out = values(t);
  t.dispose();
  return out;
}

const ramp = (f: (k: number) => number) => Array.from({ length: 64 }, (_, k) => f(k));
const onlyBlock0 = { kind: 'dense' as const, path: /^blocks\.0\.fc$/ };

describe('magnitudePruning', () => {
  beforeAll(useWasm);

  it('the effective weight is W ⊙ M with the granularity mask of the stored weight', () => {
    const m = tinyMlp();
    const w = ramp((k) => (k % 3 === 0 ? -1 : 1) * Math.sin(k + 1)); // [8, 8], distinct magnitudes
    setWeight(m, 'blocks.0.fc.kernel', w);
    const specs = [
      { granularity: 'layer', sparsity: 0.75 },
      { granularity: 'fan-in', sparsity: 0.5 },
      { granularity: 'row', sparsity: 0.5 },
      { granularity: 'nm', n: 2, m: 4 },
    ] as const;
    for (const spec of specs) {
      const h = m.hooks.attach(compressorHook(magnitudePruning({ ...spec, filter: onlyBlock0 })));
      const mask = magnitudeMask(new Float32Array(w), [8, 8], spec);
      const expected = Array.from(new Float32Array(w.map((v, i) => v * mask[i])));
      expect(effective(m, 'blocks.0.fc')).toEqual(expected);
      h.dispose();
    }
    expect(effective(m, 'blocks.0.fc')).toEqual(Array.from(new Float32Array(w))); // restored
    // The 'layer' case, by hand: 75% of 64 → the 16 largest |sin(k+1)| survive.
    const h = m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.75, filter: onlyBlock0 })));
    expect(effective(m, 'blocks.0.fc').filter((v) => v !== 0)).toHaveLength(16);
    h.dispose();
    m.dispose();
  });

  it('global scope: one threshold over two layers of different scales prunes the small layer first', () => {
    const m = tinyMlp();
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => (k % 2 ? -1 : 1) * (1 + k / 64))); // |w| in [1, 2)
    setWeight(m, 'blocks.1.fc.kernel', ramp((k) => (k % 2 ? -1 : 1) * (0.01 + k / 6400))); // |w| in [0.01, 0.02)
    const filter = { kind: 'dense' as const, path: /^blocks\./ };
    // 128 weights at 25% → 96 kept: all 64 large ones and the 32 largest small ones (k ≥ 32).
    const globalPruner = magnitudePruning({ sparsity: 0.25, scope: 'global', filter });
    const h = m.hooks.attach(compressorHook(globalPruner));
    expect(sumOf(globalPruner.maskOf('blocks.0.fc'))).toBe(64);
    const small = effective(m, 'blocks.1.fc');
    expect(small.map((v) => (v !== 0 ? 1 : 0))).toEqual(ramp((k) => (k >= 32 ? 1 : 0)));
    // modelCost applies the hook's cost: non-zeros 32 + 8 bias; CSR bytes 32·4 + 32·2 + 9·4 = 228 < 256 dense.
    const cost = modelCost(m).layers.find((l) => l.path === 'blocks.1.fc')!;
    expect(cost.nonZeroParams).toBe(40);
    expect(cost.bytes).toBe(288 - 256 + 228);
    expect(cost.flops).toBe(2 * 64 + 8); // the dense matmul still runs
    const big = modelCost(m).layers.find((l) => l.path === 'blocks.0.fc')!;
    expect(big.nonZeroParams).toBe(72);
    expect(big.bytes).toBe(288); // CSR of a dense kernel is larger than dense: dense is reported
    h.dispose();
    // Local scope: each layer loses 25% on its own.
    const local = magnitudePruning({ sparsity: 0.25, filter });
    const h2 = m.hooks.attach(compressorHook(local));
    expect(sumOf(local.maskOf('blocks.0.fc'))).toBe(48);
    expect(sumOf(local.maskOf('blocks.1.fc'))).toBe(48);
    expect(local.maskOf('head.fc')).toBeUndefined();
    h2.dispose();
    m.dispose();
  });

  it("recompute 'every-step' follows W when W changes; 'fixed' keeps the mask of attach", () => {
    const m = tinyMlp();
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => k + 1));
    const online = magnitudePruning({ sparsity: 0.5, recompute: 'every-step', gradient: 'ste', filter: onlyBlock0 });
    const fixed = magnitudePruning({ sparsity: 0.5, filter: onlyBlock0 });
    const h1 = m.hooks.attach(compressorHook(online));
    const keepsHigh = ramp((k) => (k >= 32 ? 1 : 0));
    expect(maskValues(online, 'blocks.0.fc')).toEqual(keepsHigh);
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => 64 - k)); // the order of magnitudes flips
    expect(maskValues(online, 'blocks.0.fc')).toEqual(keepsHigh); // not yet: no step
    m.hooks.step(1);
    expect(maskValues(online, 'blocks.0.fc')).toEqual(ramp((k) => (k < 32 ? 1 : 0)));
    h1.dispose();
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => k + 1));
    const h2 = m.hooks.attach(compressorHook(fixed));
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => 64 - k));
    m.hooks.step(2);
    expect(maskValues(fixed, 'blocks.0.fc')).toEqual(keepsHigh);
    h2.dispose();
    m.dispose();
  });

  it('schedules: masks start dense and change at the pruning steps only (tfmot semantics)', () => {
    const m = tinyMlp();
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => k + 1));
    const p = magnitudePruning({ schedule: constantSparsity(0.5, { beginStep: 2, frequency: 2 }), filter: onlyBlock0 });
    const h = m.hooks.attach(compressorHook(p)); // host step is 0: not a pruning step
    expect(p.sparsity).toBe(0);
    expect(sumOf(p.maskOf('blocks.0.fc'))).toBe(64);
    m.hooks.step(1);
    expect(sumOf(p.maskOf('blocks.0.fc'))).toBe(64);
    m.hooks.step(2);
    expect(p.sparsity).toBe(0.5);
    expect(maskValues(p, 'blocks.0.fc')).toEqual(ramp((k) => (k >= 32 ? 1 : 0)));
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => 64 - k));
    m.hooks.step(3); // between pruning steps the mask is fixed
    expect(maskValues(p, 'blocks.0.fc')).toEqual(ramp((k) => (k >= 32 ? 1 : 0)));
    m.hooks.step(4); // recomputed from the current W
    expect(maskValues(p, 'blocks.0.fc')).toEqual(ramp((k) => (k < 32 ? 1 : 0)));
    h.dispose();

    const poly = polynomialDecay({ initialSparsity: 0.25, finalSparsity: 0.75, beginStep: 0, endStep: 10, power: 1, frequency: 5 });
    const q = magnitudePruning({ schedule: poly, filter: onlyBlock0 });
    const h2 = m.hooks.attach(compressorHook(q)); // step 4 now: not a pruning step
    expect(q.sparsity).toBe(0);
    for (const [step, s] of [
      [5, 0.5],
      [7, 0.5],
      [10, 0.75],
      [15, 0.75],
    ] as const) {
      m.hooks.step(step);
      expect(q.sparsity).toBeCloseTo(s, 12);
      expect(sumOf(q.maskOf('blocks.0.fc'))).toBe(keptCount(64, s));
    }
    h2.dispose();
    m.dispose();
  });

  it("gradients: 'masked' gives M ⊙ dL/dW_eff, 'ste' the full dL/dW_eff (tf.grad on a small layer)", () => {
    const w = tf.tensor2d([
      [0.5, -1.0],
      [2.0, 0.25],
      [-1.5, 0.75],
    ]); // [in=3, out=2]
    const mask = tf.tensor2d([
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    const x = tf.tensor2d([
      [1, 2, 3],
      [-1, 0.5, 2],
      [0, 1, -1],
      [2, -2, 1],
    ]); // [B=4, in=3]
    const loss = (weff: Tensor) => tf.sum(tf.square(tf.matMul(x, weff)));
    const gMasked = tf.grad((v: Tensor) => loss(applyMask(v, mask, 'masked')))(w);
    const gSte = tf.grad((v: Tensor) => loss(applyMask(v, mask, 'ste')))(w);
    // dL/dW_eff = 2·xᵀ·(x·W_eff), written out with plain ops at W_eff = W ⊙ M
    const full = tf.tidy(() => tf.mul(2, tf.matMul(x, tf.matMul(x, tf.mul(w, mask)), true, false)));
    const maskedRef = tf.mul(full, mask);
    expect(maxAbsDiff(gSte, full)).toBeLessThan(1e-5);
    expect(maxAbsDiff(gMasked, maskedRef)).toBeLessThan(1e-5);
    expect(values(gMasked).filter((_, i) => values(mask)[i] === 0)).toEqual([0, 0, 0]);
    tf.dispose([w, mask, x, gMasked, gSte, full, maskedRef]);
  });

  it('gradients through a model: ste equals the gradient of the baked model, masked is that times M', () => {
    const m = tinyMlp(3);
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 5);
    const gradOf = (path: string): Tensor => {
      const v = m.namedWeights()[path];
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(x, { training: true }).logits)) as tf.Scalar, m.trainableVariables());
      const g = grads[v.name].clone();
      tf.dispose([value, ...Object.values(grads)]);
      return g;
    };
    const make = (gradient: 'ste' | 'masked') => magnitudePruning({ sparsity: 0.5, gradient, filter: onlyBlock0 });
    const ste = make('ste');
    let h = m.hooks.attach(compressorHook(ste));
    const gSte = gradOf('blocks.0.fc.kernel');
    const mask = ste.maskOf('blocks.0.fc')!;
    h.dispose();
    h = m.hooks.attach(compressorHook(make('masked')));
    const gMasked = gradOf('blocks.0.fc.kernel');
    h.bake(); // stored kernel = W ⊙ M, no hook
    const gBaked = gradOf('blocks.0.fc.kernel');
    const ref = tf.mul(gBaked, mask);
    expect(maxAbsDiff(gSte, gBaked)).toBeLessThan(1e-5);
    expect(maxAbsDiff(gMasked, ref)).toBeLessThan(1e-6);
    const pruned = values(mask).flatMap((v, i) => (v === 0 ? [i] : []));
    expect(pruned).toHaveLength(32);
    expect(pruned.map((i) => values(gMasked)[i]).every((g) => g === 0)).toBe(true);
    expect(pruned.some((i) => values(gSte)[i] !== 0)).toBe(true); // ste: pruned weights still learn
    tf.dispose([x, gSte, gMasked, gBaked, ref, mask]);
    m.dispose();
  });

  it('cost: non-zeros, CSR bytes (or dense when smaller), unchanged FLOPs', () => {
    const m = tinyMlp();
    setWeight(m, 'blocks.0.fc.kernel', ramp((k) => k + 1));
    const base: LayerCost = { params: 72, nonZeroParams: 72, flops: 136, bytes: 288 };
    for (const [sparsity, bytes] of [
      [0.5, 288 - 256 + (32 * 4 + 32 * 2 + 9 * 4)],
      [0.9, 288 - 256 + (6 * 4 + 6 * 2 + 9 * 4)],
      [0.25, 288], // 48·6 + 36 = 324 > 256: stored dense
    ] as const) {
      const h = m.hooks.attach(compressorHook(magnitudePruning({ sparsity, filter: onlyBlock0 })));
      const kept = keptCount(64, sparsity);
      expect(h.hook.cost!(m.layer('blocks.0.fc'), base)).toEqual({ params: 72, nonZeroParams: kept + 8, flops: 136, bytes });
      h.dispose();
    }
    // After an earlier 1-byte-per-parameter hook, values cost 1 byte each.
    const h = m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, filter: onlyBlock0 })));
    expect(h.hook.cost!(m.layer('blocks.0.fc'), { ...base, bytes: 72 }).bytes).toBe(72 - 64 + Math.min(64, 32 + 64 + 36));
    h.dispose();
    m.dispose();
  });

  it('bad inputs give clear errors naming the value, the layer path and the shape', () => {
    for (const s of [1, -0.1, 1.5, NaN]) {
      expect(() => magnitudePruning({ sparsity: s })).toThrow(RangeError);
      expect(() => magnitudePruning({ sparsity: s })).toThrow(`got ${s}`);
    }
    expect(() => magnitudePruning({})).toThrow(/sparsity must be a number in \[0, 1\), got undefined/);
    expect(() => magnitudePruning({ granularity: 'nm', n: 5, m: 4 })).toThrow(/N=5/);
    expect(() => magnitudePruning({ granularity: 'nm', n: 1, m: 0 })).toThrow(/M must be an integer >= 1, got 0/);
    expect(() => magnitudePruning({ granularity: 'nm', n: 2, m: 4, sparsity: 0.5 })).toThrow(/takes n and m/);
    expect(() => magnitudePruning({ sparsity: 0.5, n: 2 })).toThrow(/only apply to granularity 'nm'/);
    expect(() => magnitudePruning({ sparsity: 0.5, schedule: constantSparsity(0.5) })).toThrow(/not both/);
    expect(() => magnitudePruning({ sparsity: 0.5, granularity: 'row', scope: 'global' })).toThrow(/needs granularity 'layer', got 'row'/);
    expect(() => magnitudePruning({ sparsity: 0.5, granularity: 'block' as never })).toThrow(/unknown granularity 'block'/);
    expect(() => magnitudePruning({ sparsity: 0.5, recompute: 'always' as never })).toThrow(/got 'always'/);
    expect(() => magnitudePruning({ sparsity: 0.5, gradient: 'sign' as never })).toThrow(/got 'sign'/);

    const m = tinyMlp();
    const before = tf.memory().numTensors;
    // N:M where the input dim is not a multiple of M: the MLP's embedding takes 8 features, head.fc 8 → 3 is fine,
    // so use M = 3 (8 % 3 ≠ 0) and expect the first layer's path and shape.
    expect(() => m.hooks.attach(compressorHook(magnitudePruning({ granularity: 'nm', n: 1, m: 3 })))).toThrow(
      /layer embedding\.proj weight 'kernel' has shape \[8,8\] \(input dim 8 is not a multiple of 3\)/,
    );
    // A LayerNorm has no kernel: the host names the layer and its weights.
    expect(() => m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, filter: { kind: 'norm' } })))).toThrow(HookError);
    expect(() => m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, filter: { kind: 'norm' } })))).toThrow(/head\.norm \(norm\) has only: gamma, beta/);
    // Pointing the pruner at a 1-D weight: our prepare rejects it with the shape.
    expect(() => m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, filter: { kind: 'norm' }, weight: 'gamma' })))).toThrow(
      /layer head\.norm \(norm\) weight 'gamma' has shape \[8\]; magnitude pruning needs a 2-D weight/,
    );
    // A schedule returning a bad sparsity is caught at the step that produced it.
    const bad = magnitudePruning({ schedule: (step) => ({ shouldPrune: true, sparsity: step / 2 }), filter: onlyBlock0 });
    const h = m.hooks.attach(compressorHook(bad));
    expect(() => m.hooks.step(2)).toThrow(/schedule at step 2: sparsity must be a number in \[0, 1\), got 1/);
    h.dispose();
    expect(m.hooks.attached).toHaveLength(0); // failed attaches rolled back
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('leaks no tensors through attach, forward, steps, cost, dispose and bake', () => {
    const m = tinyMlp();
    const x = tf.randomNormal([2, 8], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const configs = [
      magnitudePruning({ sparsity: 0.5, scope: 'global', recompute: 'every-step', gradient: 'ste' }),
      magnitudePruning({ schedule: polynomialDecay({ initialSparsity: 0.1, finalSparsity: 0.6, beginStep: 0, endStep: 4, frequency: 1 }), granularity: 'fan-in' }),
      magnitudePruning({ sparsity: 0.5, granularity: 'row' }),
      magnitudePruning({ granularity: 'nm', n: 2, m: 4 }),
    ];
    for (const p of configs) {
      const h = m.hooks.attach(compressorHook(p));
      for (let step = 0; step < 3; step++) {
        m.hooks.step(step);
        tf.dispose(m.predict(x));
        const { value, grads } = tf.variableGrads(() => tf.sum(m.forward(x, { training: true }).logits) as tf.Scalar, m.trainableVariables());
        tf.dispose([value, ...Object.values(grads)]);
      }
      modelCost(m);
      h.dispose();
      expect(tf.memory().numTensors).toBe(before);
      m.hooks.attach(compressorHook(p)).bake();
      expect(tf.memory().numTensors).toBe(before);
    }
    x.dispose();
    m.dispose();
  });
});
