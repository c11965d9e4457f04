import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdamW, DenseLayer, compressorHook, createMlp, loadCheckpoint, saveCheckpoint, tf, trainStep, type LayerInfo, type Tensor, type Variable } from '@acn/core';
import { modelCost } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, useWasm } from './helpers.test-helper';
import { FACTOR_A, FACTOR_B, lowRank, type LowRankLayerReport } from './low-rank';
import { svdOf, truncationError } from './svd';

// Blocks are [64, 64]: rank 4 computes 2·4·128 = 1024 instead of 2·64·64 = 8192 matmul FLOPs per row (8×).
const mlp = (seed = 1) => createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 64, seed });
const BLOCKS = { path: /^blocks\./ };

function values(t: Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

describe('lowRank compressor', () => {
  beforeAll(useWasm);

  it('starts at the best rank-r approximation and computes (x A) B + b', () => {
    for (const init of ['vcon', 'balanced'] as const) {
      const m = mlp();
      const fc = m.layer('blocks.0.fc') as DenseLayer;
      const k = values(fc.weights.kernel);
      const h = m.hooks.attach(compressorHook(lowRank({ rank: 4, init, filter: BLOCKS })));
      const a = fc.weights[FACTOR_A];
      const b = fc.weights[FACTOR_B];
      expect(a.shape).toEqual([64, 4]);
      expect(b.shape).toEqual([4, 64]);
      // ‖K − A B‖_F equals the Eckart–Young bound of the kernel's own SVD.
      const err = tf.tidy(() => tf.norm(tf.sub(fc.weights.kernel, tf.matMul(a, b))).dataSync()[0]);
      expect(Math.abs(err - truncationError(svdOf(k, 64, 64), 4))).toBeLessThan(1e-4);
      if (init === 'vcon') {
        const ata = tf.tidy(() => tf.matMul(a, a, true, false)); // AᵀA = I₄: A is the orthonormal factor
        expect(maxAbsDiff(ata, tf.eye(4))).toBeLessThan(1e-5);
        ata.dispose();
      }
      const x = tf.randomNormal([5, 64], 0, 1, 'float32', 3);
      const y = fc.apply(x, m.context());
      const ref = tf.tidy(() => tf.add(tf.matMul(x, tf.matMul(a, b)), fc.weights.bias));
      expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
      tf.dispose([x, y, ref]);
      h.dispose();
      expect(Object.keys(fc.weights).sort()).toEqual(['bias', 'kernel']);
      m.dispose();
    }
  });

  it('gradients reach A, B and the bias (as plain autodiff of (x A) B + b); the kernel gets an exact zero', () => {
    const m = mlp();
    const fc = m.layer('blocks.1.fc');
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 4, filter: BLOCKS })));
    const { kernel, bias } = fc.weights;
    const a = fc.weights[FACTOR_A];
    const b = fc.weights[FACTOR_B];
    const x = tf.randomNormal([5, 64], 0, 1, 'float32', 4);
    const loss = (y: Tensor) => tf.sum(tf.square(tf.sin(y))) as tf.Scalar;
    const ours = tf.variableGrads(() => loss(fc.apply(x, m.context())), [kernel, bias, a, b]);
    const ref = tf.variableGrads(() => loss(tf.add(tf.matMul(tf.matMul(x, a), b), bias)), [bias, a, b]);
    for (const v of [bias, a, b]) {
      expect(maxAbsDiff(ours.grads[v.name], ref.grads[v.name])).toBeLessThan(1e-4);
      expect(tf.tidy(() => tf.max(tf.abs(ours.grads[v.name])).dataSync()[0])).toBeGreaterThan(1e-3);
    }
    expect(tf.tidy(() => tf.max(tf.abs(ours.grads[kernel.name])).dataSync()[0])).toBe(0);
    expect(ref.grads[kernel.name]).toBeUndefined();

    // Model level: every trainable variable has a gradient; attached kernels' are zero.
    const vars = m.trainableVariables();
    const all = tf.variableGrads(() => tf.sum(tf.square(m.predict(x.slice([0, 0], [5, 6])))) as tf.Scalar, vars);
    expect(Object.keys(all.grads)).toHaveLength(vars.length);
    const named = m.namedWeights();
    for (const i of [0, 1]) {
      const gk = all.grads[named[`blocks.${i}.fc.kernel`].name];
      const ga = all.grads[named[`blocks.${i}.fc.${FACTOR_A}`].name];
      expect(tf.tidy(() => tf.max(tf.abs(gk)).dataSync()[0])).toBe(0);
      expect(tf.tidy(() => tf.max(tf.abs(ga)).dataSync()[0])).toBeGreaterThan(0);
    }
    tf.dispose([x, ours.value, ref.value, all.value, ...Object.values(ours.grads), ...Object.values(ref.grads), ...Object.values(all.grads)]);
    h.dispose();
    m.dispose();
  });

  it('training moves A, B and the bias; the kernel only by weight decay', () => {
    const m = mlp(2);
    const fc = m.layer('blocks.0.fc');
    const kernel0 = fc.weights.kernel.clone();
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 4, filter: BLOCKS })));
    const a0 = fc.weights[FACTOR_A].clone();
    const x = tf.randomNormal([16, 6], 0, 1, 'float32', 5);
    const y = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32');
    const lr = 0.01;
    const wd = 0.1;
    const opt = new AdamW({ weightDecay: wd });
    const losses = [0, 1, 2, 3, 4].map(() => trainStep(m, opt, x, y, { lr }).loss);
    expect(losses[4]).toBeLessThan(losses[0]);
    expect(maxAbsDiff(a0, fc.weights[FACTOR_A])).toBeGreaterThan(1e-3);
    // Zero gradient: Adam's step is 0, only the decoupled decay θ·(1 − lr·λ) applies, 5 times.
    const decayed = tf.mul(kernel0, (1 - lr * wd) ** 5);
    expect(maxAbsDiff(decayed, fc.weights.kernel)).toBeLessThan(1e-7);
    tf.dispose([kernel0, a0, x, y, decayed]);
    opt.dispose();
    h.dispose();
    m.dispose();
  });

  it('trainFactors: false adds the factors as non-trainable weights', () => {
    const m = mlp();
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 4, filter: BLOCKS, trainFactors: false })));
    const fc = m.layer('blocks.0.fc');
    expect(fc.weights[FACTOR_A].trainable).toBe(false);
    expect(m.trainableVariables()).not.toContain(fc.weights[FACTOR_B]);
    h.dispose();
    m.dispose();
  });

  it('cost while attached equals the baked layer cost; FLOPs drop by 2·rows·(in·out − r·(in + out)) per layer', () => {
    const m = mlp();
    const dense = modelCost(m);
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 4, filter: BLOCKS })));
    const attached = modelCost(m);
    h.bake();
    const baked = modelCost(m);
    const fcDense = dense.layers.find((l) => l.path === 'blocks.0.fc')!;
    const fcBaked = baked.layers.find((l) => l.path === 'blocks.0.fc')!;
    expect(fcDense.flops).toBe(2 * 64 * 64 + 64);
    expect(fcBaked.flops).toBe(2 * 4 * 128 + 64); // 8× fewer matmul FLOPs
    expect(fcBaked.params).toBe(4 * 128 + 64);
    expect(fcBaked.bytes).toBe(4 * (4 * 128 + 64));
    expect(dense.total.flops - baked.total.flops).toBe(2 * 2 * (64 * 64 - 4 * 128));
    expect(dense.total.params - baked.total.params).toBe(2 * (64 * 64 - 4 * 128));
    for (let i = 0; i < attached.layers.length; i++) {
      const [a, b] = [attached.layers[i], baked.layers[i]];
      expect(a.params).toBe(b.params);
      expect(a.nonZeroParams).toBe(b.nonZeroParams);
      expect(a.flops).toBeCloseTo(b.flops, 8);
      expect(a.bytes).toBeCloseTo(b.bytes, 8);
    }
    m.dispose();
  });

  it('bake stores the current (trained) factors: same outputs, ranks in structure(), and a checkpoint round trip keeps them', () => {
    const m = mlp(3);
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 6);
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 4, filter: BLOCKS })));
    const fc = m.layer('blocks.1.fc') as DenseLayer;
    tf.tidy(() => fc.weights[FACTOR_A].assign(tf.add(fc.weights[FACTOR_A], tf.randomNormal([64, 4], 0, 0.1, 'float32', 7)))); // "trained"
    const a = fc.weights[FACTOR_A].clone();
    const attached = m.predict(x);
    h.bake();
    expect(m.hooks.attached).toHaveLength(0);
    expect(m.structure()).toEqual({ factorized: { 'blocks.0.fc': 4, 'blocks.1.fc': 4 } });
    expect(fc.rank).toBe(4);
    expect(Object.keys(fc.weights).sort()).toEqual(['bias', 'kernelA', 'kernelB']);
    expect(maxAbsDiff(fc.weights.kernelA, a)).toBe(0);
    const baked = m.predict(x);
    expect(maxAbsDiff(attached, baked)).toBeLessThan(1e-5);

    const dir = mkdtempSync(join(tmpdir(), 'acn-lowrank-'));
    try {
      saveCheckpoint(dir, { model: m });
      const loaded = loadCheckpoint(dir);
      expect(loaded.model.structure()).toEqual(m.structure());
      expect(loaded.model.paramCount()).toBe(m.paramCount());
      const again = loaded.model.predict(x);
      expect(maxAbsDiff(again, baked)).toBe(0);
      again.dispose();
      loaded.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    tf.dispose([x, a, attached, baked]);
    m.dispose();
  });

  it('a checkpoint saved while attached loads into a fresh model with the same hook attached', () => {
    const m = mlp(4);
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 8);
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 3, filter: BLOCKS })));
    const b = m.layer('blocks.0.fc').weights[FACTOR_B];
    tf.tidy(() => b.assign(tf.mul(b, 1.5)));
    const before = m.predict(x);
    expect(Object.keys(m.namedWeights())).toContain(`blocks.0.fc.${FACTOR_B}`);
    const dir = mkdtempSync(join(tmpdir(), 'acn-lowrank-'));
    try {
      saveCheckpoint(dir, { model: m });
      const fresh = mlp(4); // same config; its factors start from the SVD again (B not scaled)
      const h2 = fresh.hooks.attach(compressorHook(lowRank({ rank: 3, filter: BLOCKS })));
      const unloaded = fresh.predict(x);
      expect(maxAbsDiff(before, unloaded)).toBeGreaterThan(1e-3);
      unloaded.dispose();
      loadCheckpoint(dir, { into: fresh }); // overwrites every weight, the hook's factors included
      const after = fresh.predict(x);
      expect(maxAbsDiff(before, after)).toBe(0);
      after.dispose();
      h2.dispose();
      fresh.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    tf.dispose([x, before]);
    h.dispose();
    m.dispose();
  });

  it('refuses a non-reducing rank at attach with the layer and the break-even rank, and leaves the model as it was', () => {
    const m = mlp();
    const names = Object.keys(m.namedWeights());
    expect(() => m.hooks.attach(compressorHook(lowRank({ rank: 6 })))).toThrow(
      /rank 6 does not reduce FLOPs for layer embedding\.proj with kernel \[6, 64\].*break-even rank in·out\/\(in \+ out\) = 5\.486\); use a rank <= 5, or pass force: true/,
    );
    expect(() => m.hooks.attach(compressorHook(lowRank({ rank: 33, filter: BLOCKS })))).toThrow(/rank 33 does not reduce FLOPs for layer blocks\.0\.fc .*use a rank <= 31/);
    expect(() => m.hooks.attach(compressorHook(lowRank({ rank: 65, filter: BLOCKS, force: true })))).toThrow(/rank 65 is out of range for layer blocks\.0\.fc with kernel \[64, 64\]: it must be in \[1, 64\]/);
    expect(() => lowRank({ rank: 0 })).toThrow('low rank: rank must be an integer >= 1, got 0');
    expect(() => lowRank({ rank: 2, init: 'random' as never })).toThrow(/unknown init 'random' \(known: vcon, balanced\)/);
    expect(m.hooks.attached).toHaveLength(0);
    expect(Object.keys(m.namedWeights())).toEqual(names);
    // force accepts a non-reducing rank
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 40, filter: BLOCKS, force: true })));
    expect(m.layer('blocks.0.fc').weights[FACTOR_A].shape).toEqual([64, 40]);
    h.dispose();
    m.dispose();
  });

  it('a rank function and onPrepare reports: per-layer ranks and retained energy', () => {
    const m = mlp();
    const reports: LowRankLayerReport[] = [];
    const h = m.hooks.attach(
      compressorHook(
        lowRank({
          rank: (l: LayerInfo) => (l.path === 'head.fc' ? 1 : { energy: 0.5 }),
          filter: { path: /^(blocks|head)\./ },
          onPrepare: (r) => reports.push(r),
        }),
      ),
    );
    expect(reports.map((r) => r.path)).toEqual(['blocks.0.fc', 'blocks.1.fc', 'head.fc']);
    expect(reports[2].rank).toBe(1);
    for (const r of reports.slice(0, 2)) {
      const e = r.singularValues.map((s) => s * s);
      const total = e.reduce((p, q) => p + q, 0);
      const kept = (n: number) => e.slice(0, n).reduce((p, q) => p + q, 0) / total;
      expect(r.retainedEnergy).toBeCloseTo(kept(r.rank), 12);
      expect(kept(r.rank)).toBeGreaterThanOrEqual(0.5);
      expect(kept(r.rank - 1)).toBeLessThan(0.5);
      expect(r.relativeError).toBeCloseTo(Math.sqrt(1 - r.retainedEnergy), 10);
    }
    h.dispose();
    m.dispose();
  });

  it('skips layers that are already factored; bake refuses layers that are not core DenseLayers', () => {
    const m = mlp();
    (m.layer('blocks.0.fc') as DenseLayer).factorize(tf.zeros([64, 2]), tf.zeros([2, 64]));
    const h = m.hooks.attach(compressorHook(lowRank({ rank: 2, filter: BLOCKS })));
    expect(h.layers.map((l) => l.path)).toEqual(['blocks.1.fc']);
    h.dispose();
    m.dispose();

    // A LayerInfo that is not a DenseLayer (e.g. from another architecture): prepare works, bake says why not.
    const weights: Record<string, Variable> = { kernel: tf.variable(tf.randomNormal([8, 8], 0, 1, 'float32', 1)) };
    const fake: LayerInfo = { path: 'custom.proj', kind: 'dense', depth: 0, weights };
    const s = lowRank({ rank: 2 }).prepare(fake, { addWeight: (n, v, t) => (weights[n] = tf.variable(v, t)) });
    const y = s.forward!(tf.ones([1, 8]), { training: false, step: 0, detachInputs: false });
    expect(y.shape).toEqual([1, 8]);
    expect(() => s.bake!()).toThrow("lowRank: cannot bake layer custom.proj (dense): it is not a core DenseLayer, so it has no factorize()");
    tf.dispose([y, ...Object.values(weights)]);
  });

  it('leaks no tensors over attach, forward, gradients, cost, bake and dispose', () => {
    const m = mlp();
    const x = tf.randomNormal([3, 6], 0, 1, 'float32', 9);
    const before = tf.memory().numTensors;
    const h = m.hooks.attach(compressorHook(lowRank({ rank: { fraction: 0.1 }, filter: BLOCKS })));
    const y = m.predict(x);
    const { value, grads } = tf.variableGrads(() => tf.sum(m.predict(x)) as tf.Scalar, m.trainableVariables());
    modelCost(m);
    tf.dispose([y, value, ...Object.values(grads)]);
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const h2 = m.hooks.attach(compressorHook(lowRank({ rank: 4, filter: BLOCKS })));
    h2.bake();
    // Each of the two blocks traded its kernel for two factors (kernelA, kernelB): +2 tensors, nothing else.
    expect(tf.memory().numTensors).toBe(before + 2);
    x.dispose();
    m.dispose();
  });
});
