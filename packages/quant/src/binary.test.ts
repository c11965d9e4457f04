import { compressorHook, createMlp, tf, type DenseLayer, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { binarize, binaryQuantizer } from './binary';
import { leaked, maxDiff, useWasm, values, VCON_KERNEL } from './test-helpers';

describe('binary quantization (scaled sign)', () => {
  beforeAll(useWasm);

  it('vcon.md §2.6: α = mean|W| = 0.275 per layer, W_q = 0.275·sign(W), and the β = 0.5 blend', () => {
    const w = tf.tensor2d(VCON_KERNEL); // [in = 4, out = 2], the transpose of the spec's [out, in]
    const q = binarize(w, 'layer');
    // Spec, [out, in]: [[0.275,-0.275,0.275,-0.275],[0.275,0.275,-0.275,0.275]] → transposed here.
    const expected = [0.275, 0.275, -0.275, 0.275, 0.275, -0.275, -0.275, 0.275];
    expect(maxDiff(values(q), expected)).toBeLessThan(1e-7);
    const blend = tf.tidy(() => w.mul(0.5).add(q.mul(0.5)));
    const blendSpec = [0.3875, 0.1625, -0.1875, 0.2375, 0.2875, -0.2125, -0.5375, 0.1875];
    expect(maxDiff(values(blend), blendSpec)).toBeLessThan(1e-6);
    tf.dispose([w, q, blend]);
  });

  it("per channel: one α per output column of the [in, out] kernel (the spec's rows)", () => {
    const w = tf.tensor2d(VCON_KERNEL);
    const q = binarize(w, 'channel');
    // Output 0 (spec row 0): (0.5+0.1+0.3+0.8)/4 = 0.425; output 1: (0.05+0.2+0.15+0.1)/4 = 0.125.
    const expected = [0.425, 0.125, -0.425, 0.125, 0.425, -0.125, -0.425, 0.125];
    expect(maxDiff(values(q), expected)).toBeLessThan(1e-7);
    const none = binarize(w, 'none');
    expect(values(none)).toEqual([1, 1, -1, 1, 1, -1, -1, 1]);
    tf.dispose([w, q, none]);
  });

  it('sign(0) = 0 (torch semantics): zeros stay zero and count in the mean', () => {
    const w = tf.tensor2d([
      [0, 1],
      [-2, 0],
    ]);
    expect(values(binarize(w))).toEqual([0, 0.75, -0.75, 0]);
    // Per channel: column 0 α = 1, column 1 α = 0.5.
    expect(values(binarize(w, 'channel'))).toEqual([0, 0.5, -1, 0]);
    const zeros = tf.zeros([2, 3]);
    expect(values(binarize(zeros))).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([w, zeros]);
  });

  it('as a compressor: the effective kernel is binarize(W), and the latent W gets ∂L/∂W_eff unchanged (identity STE)', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 3 });
    const ref = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 3 });
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const h = m.hooks.attach(compressorHook(binaryQuantizer({ scale: 'layer', filter: { kind: 'dense', path: /^blocks\./ } })));
    const fc = m.layer('blocks.0.fc');
    const eff = fc.w('kernel');
    const direct = binarize(fc.weights.kernel);
    expect(values(eff)).toEqual(values(direct));
    // Reference: a model whose stored kernels ARE the binarized ones (its gradient is ∂L/∂W_eff).
    for (const p of ['blocks.0.fc', 'blocks.1.fc']) tf.tidy(() => ref.layer(p).weights.kernel.assign(binarize(m.layer(p).weights.kernel)));
    const loss = (model: typeof m) => () => tf.sum(tf.square(model.forward(x, { training: true }).logits)) as tf.Scalar;
    const kernel = (model: typeof m) => model.layer('blocks.1.fc').weights.kernel;
    const a = tf.variableGrads(loss(m), [kernel(m)]);
    const b = tf.variableGrads(loss(ref), [kernel(ref)]);
    expect(values(a.value)).toEqual(values(b.value));
    expect(maxDiff(values(a.grads[kernel(m).name]), values(b.grads[kernel(ref).name]))).toBeLessThan(1e-6);
    tf.dispose([eff, direct, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    m.dispose();
    ref.dispose();
  });

  it('clipped STE: the gradient is zero where |W| > clip', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 4 });
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 6);
    const fc = m.layer('blocks.0.fc');
    const k = fc.weights.kernel;
    const clip = 0.15; // torchUniform(±1/√8 ≈ ±0.35): some weights above, some below
    const id = m.hooks.attach(compressorHook(binaryQuantizer({ filter: { path: /^blocks\.0\.fc$/ } })));
    const gId = tf.variableGrads(() => tf.sum(tf.square(m.predict(x))) as tf.Scalar, [k]);
    id.dispose();
    const cl = m.hooks.attach(compressorHook(binaryQuantizer({ ste: 'clipped', clip, filter: { path: /^blocks\.0\.fc$/ } })));
    const gCl = tf.variableGrads(() => tf.sum(tf.square(m.predict(x))) as tf.Scalar, [k]);
    cl.dispose();
    const w = values(k);
    const full = values(gId.grads[k.name]);
    const clipped = values(gCl.grads[k.name]);
    const inside = w.filter((v) => Math.abs(v) <= clip).length;
    expect(inside).toBeGreaterThan(5);
    expect(inside).toBeLessThan(w.length - 5);
    expect(clipped.map((g) => g + 0)).toEqual(full.map((g, i) => (Math.abs(w[i]) <= clip ? g : 0))); // + 0: -0 → 0
    tf.dispose([gId.value, gCl.value, ...Object.values(gId.grads), ...Object.values(gCl.grads), x]);
    m.dispose();
  });

  it('rejects bad options and kernels that are not 2-D, naming the value, layer and shape', () => {
    expect(() => binaryQuantizer({ scale: 'row' as never })).toThrow(/acn:quant\/binary: unknown scale "row"/);
    expect(() => binaryQuantizer({ ste: 'approx' as never })).toThrow(/unknown ste "approx"/);
    expect(() => binaryQuantizer({ ste: 'clipped', clip: -1 })).toThrow(/clip must be a finite number > 0, got -1/);
    const v = tf.tensor1d([1, -1]);
    expect(() => binarize(v)).toThrow(/binarize: expected a 2-D \[in, out\] kernel, got shape \[2\]/);
    v.dispose();
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 1 });
    const n = leaked(() => {
      expect(() => m.hooks.attach(compressorHook(binaryQuantizer({ filter: { kind: 'dense', path: /^blocks/ }, weight: 'bias' })))).toThrow(
        /layer blocks\.0\.fc weight 'bias': expected a 2-D \[in, out\] kernel, got shape \[8\]/,
      );
      expect(() => m.hooks.attach(compressorHook(binaryQuantizer({ filter: { kind: 'norm' }, weight: 'gamma' })))).toThrow(/head\.norm.*got shape \[8\]/);
    });
    expect(n).toBe(0);
    expect(m.hooks.attached).toHaveLength(0);
    // A low-rank (factorized) dense layer has kernelA/kernelB and no `kernel`: the host names them.
    const fc = m.layer('blocks.0.fc') as DenseLayer;
    tf.tidy(() => fc.factorize(tf.ones([8, 2]), tf.ones([2, 8])));
    expect(() => m.hooks.attach(compressorHook(binaryQuantizer({ filter: { path: /^blocks\.0\.fc$/ } })))).toThrow(
      /parametrizes weight 'kernel' but layer blocks\.0\.fc \(dense\) has only: bias, kernelA, kernelB/,
    );
    m.dispose();
  });

  it('leaks nothing across forwards while attached, and frees its state on dispose', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 2 });
    const x = tf.randomUniform([2, 6], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const h = m.hooks.attach(compressorHook(binaryQuantizer({ scale: 'channel' })));
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const y: Tensor = m.predict(x);
      y.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBe(counts[0]);
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });
});

describe('tfjs leak check (IS_TEST)', () => {
  beforeAll(useWasm);

  // IS_TEST makes tfjs throw when a kernel (a customGrad forward included) leaves data ids behind.
  // Only inference is checked: on wasm a customGrad that `save`s (core's fused ops, the clipped STE)
  // trips the check during training whatever this package does, because save() clones.
  it('inference, cost and bake of every quantizer pass the check', async () => {
    const { ternaryQuantizer } = await import('./ternary');
    const { uniformQuantizer } = await import('./uniform');
    const was = tf.env().getBool('IS_TEST');
    tf.env().set('IS_TEST', true);
    try {
      for (const c of [binaryQuantizer(), binaryQuantizer({ scale: 'channel', ste: 'clipped' }), ternaryQuantizer(), uniformQuantizer({ ste: 'clipped' })]) {
        const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 2 });
        const x = tf.randomUniform([2, 6], 0, 1, 'float32', 1);
        const h = m.hooks.attach(compressorHook(c));
        m.predict(x).dispose();
        h.hook.cost!(m.layer('blocks.0.fc'), { params: 72, nonZeroParams: 72, flops: 136, bytes: 288 });
        h.bake();
        x.dispose();
        m.dispose();
      }
    } finally {
      tf.env().set('IS_TEST', was);
    }
  });
});
