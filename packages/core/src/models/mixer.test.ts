import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedTensors, maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { ConfigError, InputError } from './errors';
import { createMixer, mixerConfig, type MixerConfigInput } from './mixer';

const tiny: MixerConfigInput = { inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 6, channelMlpDim: 12, depth: 3, seed: 5 };

describe('MLP-Mixer', () => {
  beforeAll(useWasm);

  it('has the paper configuration by default and its parameter count (acn.md §2.2)', () => {
    const cfg = mixerConfig({ inputShape: [32, 32, 3], numClasses: 10 });
    expect(cfg).toMatchObject({ patchSize: 4, hiddenDim: 128, tokenMlpDim: 64, channelMlpDim: 512, depth: 16, pooling: 'cls', postBlock: 'none', layerNormEps: 1e-5, connectivity: 'acn' });
    const m = createMixer({ inputShape: [32, 32, 3], numClasses: 10 });
    // embedding 48·128+128 + CLS 128; block: 2 LN 512 + token MLP 65·64+64+64·65+65 + channel MLP 128·512+512+512·128+128; head LN 256 + 128·10+10
    expect(m.tokens).toBe(65);
    expect(m.paramCount()).toBe(6400 + 16 * 140673 + 1546); // 2,258,714 ≈ 2.26M
    m.dispose();
    const post = createMixer({ inputShape: [32, 32, 3], numClasses: 10, postBlock: 'linearReluSkipLN', depth: 1 });
    expect(post.paramCount()).toBe(6400 + 157441 + 1546); // 157.4k per block with the post-block
    post.dispose();
  });

  it.each([
    { inputShape: [28, 28, 1] as const, patchSize: 7 },
    { inputShape: [32, 32, 3] as const, patchSize: 4 },
  ])('maps $inputShape images to [B, classes] logits and L+1 probes', ({ inputShape, patchSize }) => {
    const m = createMixer({ ...tiny, inputShape, patchSize });
    const x = randomImages(2, inputShape);
    const { logits, probes } = m.forward(x, { probes: true });
    expect(logits.shape).toEqual([2, 4]);
    expect(probes).toHaveLength(4);
    expect(maxAbsDiff(probes![3], logits)).toBe(0);
    tf.dispose([x, logits, ...probes!]);
    m.dispose();
  });

  it('initializes like PyTorch: U(±1/√fan_in) kernels and biases, LN 1/0, CLS ~ N(0,1)', () => {
    const m = createMixer({ inputShape: [32, 32, 3], numClasses: 10, depth: 1 });
    const w = m.namedWeights();
    const fc1 = w['blocks.0.channelMlp.fc1.kernel'].dataSync() as Float32Array; // fan_in 128
    const bound = 1 / Math.sqrt(128);
    expect(Math.max(...fc1.map(Math.abs))).toBeLessThanOrEqual(bound);
    const mean = fc1.reduce((a, b) => a + b, 0) / fc1.length;
    const std = Math.sqrt(fc1.reduce((a, b) => a + (b - mean) ** 2, 0) / fc1.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeCloseTo(bound / Math.sqrt(3), 3);
    const tokBias = w['blocks.0.tokenMix.mlp.fc1.bias'].dataSync() as Float32Array; // Conv1d(65→64): fan_in 65
    expect(Math.max(...tokBias.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(65));
    expect(w['embedding.patch.kernel'].shape).toEqual([48, 128]);
    expect([...w['blocks.0.norm1.gamma'].dataSync()].every((v) => v === 1)).toBe(true);
    expect([...w['blocks.0.norm1.beta'].dataSync()].every((v) => v === 0)).toBe(true);
    const cls = w['embedding.cls'].dataSync() as Float32Array;
    const cstd = Math.sqrt(cls.reduce((a, b) => a + b * b, 0) / cls.length);
    expect(cstd).toBeGreaterThan(0.8);
    expect(cstd).toBeLessThan(1.2);
    m.dispose();
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = createMixer(tiny);
    const b = createMixer(tiny);
    const c = createMixer({ ...tiny, seed: 6 });
    const x = randomImages(2, [8, 8, 1]);
    const [ya, yb, yc] = [a, b, c].map((m) => m.predict(x));
    expect(maxAbsDiff(ya, yb)).toBe(0);
    expect(maxAbsDiff(ya, yc)).toBeGreaterThan(1e-3);
    tf.dispose([x, ya, yb, yc]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it.each(['acn', 'residual', 'feedforward'] as const)('%s: probe k follows the connectivity definition', (connectivity) => {
    const m = createMixer({ ...tiny, connectivity, postBlock: 'linearReluSkipLN' });
    const x = randomImages(3, [8, 8, 1]);
    const { probes } = m.forward(x, { probes: true });
    const ctx = m.context();
    const manual = tf.tidy(() => {
      const outs: Tensor[] = [];
      let h = m.embedding.apply(x, ctx);
      let sum = h;
      outs.push(m.head.apply(h, ctx));
      for (const b of m.blocks) {
        h = b.apply(h, ctx);
        sum = sum.add(h);
        outs.push(m.head.apply(connectivity === 'acn' ? sum : h, ctx));
      }
      return outs;
    });
    manual.forEach((t, k) => expect(maxAbsDiff(t, probes![k])).toBeLessThan(1e-5));
    tf.dispose([x, ...probes!, ...manual]);
    m.dispose();
  });

  it('fused ops give the same outputs and gradients as plain autodiff (<= 1e-5)', () => {
    const fused = createMixer({ ...tiny, fused: true });
    const plain = createMixer({ ...tiny, fused: false });
    const x = randomImages(2, [8, 8, 1]);
    const lossOf = (m: typeof fused) => () => tf.sum(tf.mul(m.predict(x), tf.range(1, 9).reshape([2, 4]))) as tf.Scalar;
    const gf = tf.variableGrads(lossOf(fused), fused.trainableVariables());
    const gp = tf.variableGrads(lossOf(plain), plain.trainableVariables());
    expect(Math.abs(gf.value.dataSync()[0] - gp.value.dataSync()[0])).toBeLessThan(1e-4);
    const fv = fused.trainableVariables();
    const pv = plain.trainableVariables();
    fv.forEach((v, i) => expect(maxAbsDiff(gf.grads[v.name], gp.grads[pv[i].name])).toBeLessThan(1e-5));
    tf.dispose([x, gf.value, gp.value, ...Object.values(gf.grads), ...Object.values(gp.grads)]);
    fused.dispose();
    plain.dispose();
  });

  it('mean pooling has no CLS token', () => {
    const m = createMixer({ ...tiny, pooling: 'mean' });
    expect(m.tokens).toBe(4);
    expect('embedding.cls' in m.namedWeights()).toBe(false);
    m.dispose();
  });

  it('rejects invalid configs with the field named', () => {
    expect(() => createMixer({ ...tiny, depth: 0 })).toThrow(ConfigError);
    expect(() => createMixer({ ...tiny, depth: 0 })).toThrow(/depth: .*>=1.*\(got 0\)/);
    expect(() => createMixer({ ...tiny, patchSize: 3 })).toThrow(/patchSize: must divide the image size 8x8/);
    expect(() => createMixer({ ...tiny, connectivity: 'dense' as never })).toThrow(/connectivity: .*\(got "dense"\)/);
    expect(() => createMixer({ ...tiny, postBlock: 'yes' as never })).toThrow(/postBlock/);
    expect(() => createMixer({ ...tiny, widht: 3 } as never)).toThrow(/widht/);
  });

  it('rejects inputs of the wrong shape or dtype', () => {
    const m = createMixer(tiny);
    const bad = [tf.zeros([2, 8, 8]), tf.zeros([2, 8, 8, 3]), tf.zeros([2, 8, 8, 1], 'int32')];
    expect(() => m.forward(bad[0])).toThrow(/input shape mismatch: expected \[B, 8, 8, 1\] float32, got \[2,8,8\] float32/);
    expect(() => m.forward(bad[1])).toThrow(InputError);
    expect(() => m.forward(bad[2])).toThrow(/dtype mismatch.*int32/);
    tf.dispose(bad);
    m.dispose();
  });

  it('leaves no tensors behind (forward with probes under tidy)', async () => {
    const m = createMixer(tiny);
    const x = randomImages(2, [8, 8, 1]);
    const leaked = await leakedTensors(() => {
      const out = m.forward(x, { probes: true, detachInputs: true });
      tf.dispose(out.probes);
    });
    expect(leaked).toBe(0);
    x.dispose();
    m.dispose();
  });
});

afterAll(() => undefined);
