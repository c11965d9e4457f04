import { AdamW, compressorHook, createMlp, HookError, Rng, makeBatch, tf, train, trainStep, warmupCosine, type ArrayDataset, type Tensor } from '@acn/core';
import { modelCost } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { vconStep } from './beta-state';
import { callCounter, factorCompressor, halveCompressor, maskCompressor, maxAbsDiff, signCompressor, useWasm } from './compressors.test-helper';
import { cosineBeta } from './schedule';
import { vcon } from './vcon';

// vcon.md §2.6, stored as our [in, out] kernel of `embedding.proj` (a 2 → 4 dense layer).
const W = [
  [0.5, -0.1, 0.3, -0.8],
  [0.05, 0.2, -0.15, 0.1],
];
const onlyProj = { kind: 'dense' as const, path: /^embedding\.proj$/ };

function projModel() {
  const m = createMlp({ inputShape: [2], numClasses: 3, depth: 1, hiddenDim: 4, seed: 3 });
  tf.tidy(() => m.layer('embedding.proj').weights.kernel.assign(tf.tensor2d(W)));
  return m;
}

function read(t: Tensor): number[][] {
  const v = t.arraySync() as number[][];
  t.dispose();
  return v.map((r) => r.map((x) => +x.toFixed(6)));
}

/** Gradient of sum(W_eff ⊙ R) w.r.t. the stored kernel, i.e. what reaches W when dL/dW_eff = R. */
function gradToStored(m: ReturnType<typeof projModel>, r: Tensor): Tensor {
  const layer = m.layer('embedding.proj');
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.w('kernel'), r)) as tf.Scalar, [layer.weights.kernel]);
  value.dispose();
  return grads[layer.weights.kernel.name];
}

function dataset(count: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const inputs = new Float32Array(count * 6).map(() => rng.next() * 2 - 1);
  const labels = new Int32Array(count).map((_, i) => i % 3);
  return { inputs, labels, count, sampleShape: [6], numClasses: 3 };
}

describe('vcon: weight-space blend (realisation A)', () => {
  beforeAll(useWasm);

  it('W_eff = β·W + (1−β)·C(W): the vcon.md §2.6 vectors for pruning (β = 0.25) and binarisation (β = 0.5)', () => {
    const m = projModel();
    const before = tf.memory().numTensors;
    const p = vcon(maskCompressor(0.5, onlyProj), { Q: 100 });
    const hp = m.hooks.attach(p);
    m.hooks.step(75);
    expect(p.beta).toBe(0.25);
    expect(p.blendOf('embedding.proj')).toBe('weight');
    expect(read(m.layer('embedding.proj').w('kernel'))).toEqual([
      [0.5, -0.025, 0.3, -0.8],
      [0.0125, 0.2, -0.0375, 0.025],
    ]);
    hp.dispose();
    const q = vcon(signCompressor(onlyProj), { Q: 10 });
    m.hooks.attach(q);
    m.hooks.step(5);
    expect(read(m.layer('embedding.proj').w('kernel'))).toEqual([
      [0.3875, -0.1875, 0.2875, -0.5375],
      [0.1625, 0.2375, -0.2125, 0.1875],
    ]);
    m.hooks.step(10); // β = 0: C(W) only
    expect(read(m.layer('embedding.proj').w('kernel'))).toEqual([
      [0.275, -0.275, 0.275, -0.275],
      [0.275, 0.275, -0.275, 0.275],
    ]);
    m.hooks.step(0); // β = 1: the stored weight itself
    expect(m.layer('embedding.proj').w('kernel')).toBe(m.layer('embedding.proj').weights.kernel);
    m.hooks.disposeAll();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('the gradient w.r.t. W is dy exactly (identity STE) at β = 1, 0.75, 0.25, 0; `compressor` mode is autodiff', () => {
    const m = projModel();
    const r = tf.tensor2d([
      [0.3, -1.2, 2.0, 0.7],
      [-0.4, 0.9, 1.1, -2.5],
    ]);
    const expected = r.arraySync();
    for (const make of [() => maskCompressor(0.5, onlyProj), () => signCompressor(onlyProj), () => halveCompressor(onlyProj)]) {
      const h = m.hooks.attach(vcon(make(), { Q: 4 }));
      for (const t of [0, 1, 3, 4, 9]) {
        m.hooks.step(t);
        const g = gradToStored(m, r);
        expect(g.arraySync()).toEqual(expected); // bit-exact: nothing multiplies dy
        g.dispose();
      }
      h.dispose();
    }
    // Plain autodiff through β·W + (1−β)·W/2: (β + (1 − β)/2)·dy.
    const h = m.hooks.attach(vcon(halveCompressor(onlyProj), { Q: 4, gradient: 'compressor' }));
    for (const [t, beta] of [[0, 1], [1, 0.75], [3, 0.25], [4, 0]] as const) {
      m.hooks.step(t);
      const g = gradToStored(m, r);
      const want = tf.mul(r, beta + (1 - beta) / 2);
      expect(maxAbsDiff(g, want)).toBeLessThan(1e-7);
      tf.dispose([g, want]);
    }
    h.dispose();
    r.dispose();
    m.dispose();
  });

  it('trains through the blend: the latent W moves, pruned entries included (online mask)', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 4 });
    const data = dataset(16, 1);
    const { x, y } = makeBatch(data, Array.from({ length: 16 }, (_, i) => i));
    const h = m.hooks.attach(vcon(maskCompressor(0.9), { Q: 0 })); // β = 0: fully pruned from the start
    const k = m.layer('blocks.0.fc').weights.kernel;
    const before = k.arraySync() as number[][];
    const opt = new AdamW();
    trainStep(m, opt, x, y, { lr: 1e-2 });
    const after = k.arraySync() as number[][];
    const moved = before.flat().filter((v, i) => v !== after.flat()[i]).length;
    expect(moved).toBe(64); // every latent weight got the STE gradient, not only the 10% kept
    opt.dispose();
    h.dispose();
    tf.dispose([x, y]);
    m.dispose();
  });
});

describe('vcon: output blend (realisation B)', () => {
  beforeAll(useWasm);

  it('β = 0 skips the original path, β = 1 does not compute g; in between y = β·f + (1−β)·g', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 5 });
    const x = tf.randomUniform([4, 6], -1, 1, 'float32', 2);
    const filter = { kind: 'dense' as const, path: /^blocks\.1\.fc$/ };
    const spy = callCounter(filter);
    m.hooks.attach(spy.hook); // innermost: counts calls of the original forward f
    const gCalls = { g: 0 };
    const hook = vcon(factorCompressor(3, gCalls, filter), { Q: 10 });
    m.hooks.attach(hook);
    const layer = m.layer('blocks.1.fc');
    const inp = tf.randomUniform([4, 8], -1, 1, 'float32', 3);
    const ctx = m.context();

    const f = layer.apply(inp, ctx); // β = 1
    expect([spy.calls.get('blocks.1.fc'), gCalls.g]).toEqual([1, 0]);
    m.hooks.step(10); // β = 0
    const g = layer.apply(inp, ctx);
    expect([spy.calls.get('blocks.1.fc'), gCalls.g]).toEqual([1, 1]);
    m.hooks.step(3); // β = 0.7
    const mid = layer.apply(inp, ctx);
    expect([spy.calls.get('blocks.1.fc'), gCalls.g]).toEqual([2, 2]);
    const want = tf.tidy(() => f.mul(0.7).add(g.mul(0.3)));
    expect(maxAbsDiff(mid, want)).toBeLessThan(1e-6);
    expect(hook.blendOf('blocks.1.fc')).toBe('output');
    // The whole model at β = 0 never runs blocks.1.fc's dense forward.
    m.hooks.step(10);
    tf.dispose(m.predict(x));
    expect(spy.calls.get('blocks.1.fc')).toBe(2);
    m.hooks.disposeAll();
    tf.dispose([x, inp, f, g, mid, want]);
    m.dispose();
  });

  it('gradients: the dense kernel gets β·(its gradient), the factors (1−β)·(theirs)', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 6 });
    const filter = { kind: 'dense' as const, path: /^blocks\.0\.fc$/ };
    m.hooks.attach(vcon(factorCompressor(2, undefined, filter), { Q: 4 }));
    const layer = m.layer('blocks.0.fc');
    const inp = tf.randomUniform([5, 8], -1, 1, 'float32', 4);
    const r = tf.randomUniform([5, 8], -1, 1, 'float32', 5);
    const vars = [layer.weights.kernel, layer.weights['test.a'], layer.weights['test.b']];
    const gradsAt = (t: number): Tensor[] => {
      m.hooks.step(t);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(inp, m.context({ training: true })), r)) as tf.Scalar, vars);
      value.dispose();
      return vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    };
    const [kDense] = gradsAt(0); // β = 1: only the dense path
    const [, aOnly, bOnly] = gradsAt(4); // β = 0: only the factors
    const [k, a, b] = gradsAt(1); // β = 0.75
    const wants = [tf.mul(kDense, 0.75), tf.mul(aOnly, 0.25), tf.mul(bOnly, 0.25)];
    [k, a, b].forEach((g, i) => expect(maxAbsDiff(g, wants[i])).toBeLessThan(1e-6));
    m.hooks.disposeAll();
    tf.dispose([inp, r, kDense, aOnly, bOnly, k, a, b, ...wants]);
    m.dispose();
  });
});

describe('vcon: schedule driving, cost, bake', () => {
  beforeAll(useWasm);

  it("train(): the forward of step t sees β = max(1 − t/Q, 0); a custom loop with model.hooks.step(t) gives the same run", async () => {
    const data = dataset(32, 7);
    const Q = 20;
    const N = 12; // 3 epochs × 4 steps
    const make = () => createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 8 });
    const a = make();
    const hookA = vcon(signCompressor(), { Q });
    a.hooks.attach(hookA);
    const seen: number[] = [];
    const before = tf.memory().numTensors;
    const res = await train(a, data, { epochs: 3, batchSize: 8, lr: 1e-2, seed: 3, progress: 'none', callbacks: { onStepBegin: () => seen.push(hookA.beta) } });
    res.optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(res.steps).toBe(N);
    seen.forEach((b, t) => expect(b).toBeCloseTo(Math.max(1 - t / Q, 0), 12));
    // The trainer signals each step before running it, and N (the step after the last one) when
    // it ends, so the hook holds β(N) = max(1 − N/Q, 0) with no call by the user.
    expect(hookA.step).toBe(N);
    expect(hookA.beta).toBeCloseTo(Math.max(1 - N / Q, 0), 12);

    const b = make();
    const hookB = vcon(signCompressor(), { Q });
    b.hooks.attach(hookB);
    const opt = new AdamW();
    const lr = warmupCosine({ peakLr: 1e-2, warmupSteps: 0, totalSteps: N, minLr: 1e-6 });
    const seenB: number[] = [];
    const rng2 = new Rng(3); // the trainer's shuffling: one permutation per epoch
    let t = 0;
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = rng2.permutation(32);
      for (let s = 0; s < 4; s++) {
        b.hooks.step(t);
        seenB.push(hookB.beta);
        const { x, y } = makeBatch(data, order.subarray(s * 8, (s + 1) * 8));
        trainStep(b, opt, x, y, { lr: lr(t) });
        tf.dispose([x, y]);
        t++;
      }
    }
    b.hooks.step(N);
    expect(seenB).toEqual(seen);
    expect(hookB.beta).toBe(hookA.beta);
    const wa = a.namedWeights();
    for (const [p, v] of Object.entries(b.namedWeights())) expect(maxAbsDiff(v, wa[p])).toBeLessThan(1e-6);
    expect(vconStep(hookB, 5)).toBe(0.75);
    opt.dispose();
    a.dispose();
    b.dispose();
  });

  it('cost: dense + compressed while β > 0, compressed only at β = 0 (metrics modelCost)', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 9, headNorm: false });
    const dense = modelCost(m);
    const h = m.hooks.attach(vcon(halveCompressor({ kind: 'dense', path: /^blocks\./ }), { schedule: cosineBeta(10) }));
    const blockBytes = dense.blocks.reduce((s, b) => s + b.bytes, 0);
    const blending = modelCost(m);
    expect(blending.total.bytes).toBe(dense.total.bytes + blockBytes / 2);
    expect(blending.total.flops).toBe(dense.total.flops + dense.blocks.reduce((s, b) => s + b.flops, 0));
    m.hooks.step(9); // cosine: still > 0
    expect(modelCost(m).total.bytes).toBe(dense.total.bytes + blockBytes / 2);
    m.hooks.step(10);
    const compressed = modelCost(m);
    expect(compressed.total.bytes).toBe(dense.total.bytes - blockBytes / 2);
    expect(compressed.total.flops).toBe(dense.total.flops);
    h.dispose();
    m.dispose();
  });

  it('bake is refused at β > 0 (naming β and the step, weights untouched); at β = 0 it equals the attached forward', () => {
    for (const make of [() => maskCompressor(0.5), () => factorCompressor(3)]) {
      const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 10 });
      const x = tf.randomUniform([4, 6], -1, 1, 'float32', 6);
      const stored = Object.fromEntries(Object.entries(m.namedWeights()).map(([p, v]) => [p, v.clone()]));
      const before = tf.memory().numTensors;
      const varsBefore = Object.keys(m.namedWeights()).length;
      const h = m.hooks.attach(vcon(make(), { Q: 20 }));
      m.hooks.step(10);
      expect(() => h.bake()).toThrow(HookError);
      expect(() => h.bake()).toThrow(/bake refused: β = 0.5 at step 10 \(linear\(Q=20\); β reaches 0 at step 20\)/);
      expect(h.active).toBe(true);
      for (const [p, v] of Object.entries(m.namedWeights())) if (stored[p]) expect(maxAbsDiff(v, stored[p])).toBe(0);
      m.hooks.step(20);
      const attached = m.predict(x);
      h.bake();
      expect(m.hooks.attached).toHaveLength(0);
      const baked = m.predict(x);
      expect(maxAbsDiff(baked, attached)).toBeLessThan(1e-5);
      tf.dispose([attached, baked]);
      // Baking low rank replaces each kernel by two factors; nothing else may stay behind.
      expect(tf.memory().numTensors).toBe(before + Object.keys(m.namedWeights()).length - varsBefore);
      tf.dispose([x, ...Object.values(stored)]);
      m.dispose();
    }
  });

  it('bad input gets a clear error', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 11 });
    expect(() => vcon({} as never, { Q: 1 })).toThrow(/vcon: expected a Compressor/);
    expect(() => vcon(signCompressor(), {} as never)).toThrow(/acn:vcon\(test:sign\): give exactly one of Q/);
    expect(() => vcon(signCompressor(), { Q: -3 })).toThrow(/Q must be an integer number of optimizer steps >= 0, got -3/);
    expect(() => vcon(signCompressor(), { Q: 3, gradient: 'exact' as never })).toThrow(/gradient must be 'ste' or 'compressor', got "exact"/);
    const before = tf.memory().numTensors;
    const wrongShape = { name: 'test:wrong', prepare: () => ({ compress: (w: Tensor) => tf.sum(w) }) };
    expect(() => m.hooks.attach(vcon(wrongShape, { Q: 3 }))).toThrow(/returned C\(W\) \[\] float32 for embedding\.proj\.kernel \[6,8\] float32; C\(W\) must keep shape and dtype/);
    const empty = { name: 'test:empty', prepare: () => ({}) };
    expect(() => m.hooks.attach(vcon(empty, { Q: 3 }))).toThrow(/gave neither compress .* nor forward .* for layer/);
    expect(() => m.hooks.attach(vcon(signCompressor(), { Q: 3, blend: 'output' }))).toThrow(/blend 'output' needs the compressor's forward/);
    expect(m.hooks.attached).toHaveLength(0);
    expect(tf.memory().numTensors).toBe(before);
    const h = m.hooks.attach(vcon(signCompressor(), { Q: 3 }));
    expect(() => m.hooks.step(-1)).toThrow(RangeError);
    expect(() => vconStep(h, 0.5)).toThrow(/optimizer step must be an integer >= 0, got 0.5/);
    h.dispose();
    m.dispose();
  });

  it('compressorHook and vcon(Q = 0) are the same model (the baseline is VCON with Q = 0)', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 12 });
    const x = tf.randomUniform([4, 6], -1, 1, 'float32', 7);
    const h1 = m.hooks.attach(compressorHook(maskCompressor(0.7)));
    const a = m.predict(x);
    h1.dispose();
    const h2 = m.hooks.attach(vcon(maskCompressor(0.7), { Q: 0 }));
    const b = m.predict(x);
    expect(maxAbsDiff(a, b)).toBe(0);
    h2.dispose();
    tf.dispose([x, a, b]);
    m.dispose();
  });
});
