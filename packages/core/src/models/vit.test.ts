import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { MultiHeadAttention } from '../nn/attention-layer';
import { stopGradient } from '../ops';
import { leakedTensors, maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { ConfigError, InputError } from './errors';
import { truncate } from './truncate';
import { createVit, Vit, vitConfig, type VitConfigInput } from './vit';

const tiny: VitConfigInput = { inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, numHeads: 2, mlpDim: 12, depth: 3, seed: 5 };
const root = mkdtempSync(join(tmpdir(), 'acn-vit-'));

/** Cross-entropy-like scalar with fixed weights, for gradient comparisons. */
const weightedSum = (logits: Tensor) => tf.sum(tf.mul(logits, tf.range(1, 1 + logits.size).reshape(logits.shape))) as tf.Scalar;

describe('ViT', () => {
  beforeAll(async () => {
    await useWasm();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('defaults to the paper sizes with the quirks off, and counts ViT-B/16 parameters (≈86.6M, acn.md: 86M)', () => {
    const cfg = vitConfig({ inputShape: [224, 224, 3], numClasses: 1000 });
    expect(cfg).toMatchObject({
      architecture: 'vit',
      patchSize: 16,
      hiddenDim: 768,
      numHeads: 8,
      mlpDim: 3072,
      depth: 12,
      pooling: 'mean',
      clsToken: true,
      attnOutputNorm: false,
      diracFfn: false,
      attnScaleAfterSoftmax: false,
      layerNormEps: 1e-5,
      connectivity: 'acn',
      fused: true,
    });
    // One block only (fast): embedding 768·768+768 + CLS 768 + pos 197·768; block 2 LN + 4·(768²+768)
    // + 768·3072+3072 + 3072·768+768; head LN 1536 + 768·1000+1000.
    const m = createVit({ inputShape: [224, 224, 3], numClasses: 1000, depth: 1 });
    expect(m.tokens).toBe(197);
    const emb = 768 * 768 + 768 + 768 + 197 * 768;
    const block = 2 * 1536 + 4 * (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768);
    const head = 1536 + 768 * 1000 + 1000;
    expect(m.paramCount()).toBe(emb + block + head);
    expect(emb + 12 * block + head).toBe(86_567_656); // acn.md §2.3: ≈86M
    m.dispose();
  });

  it('counts a tiny config by hand (with and without the attention-output LN and the CLS token)', () => {
    // embedding: patch 16·8+8, CLS 8, pos 5·8; block: LN 16 + attn 4·(8·8+8) + LN 16 + mlp 8·12+12 + 12·8+8; head: LN 16 + 8·3+3
    const m = createVit(tiny);
    expect(m.tokens).toBe(5);
    expect(m.paramCount()).toBe(184 + 3 * 532 + 43);
    m.dispose();
    const ln = createVit({ ...tiny, attnOutputNorm: true, diracFfn: true });
    expect(ln.paramCount()).toBe(184 + 3 * (532 + 16) + 43); // + attn.norm; the Dirac path stores nothing
    ln.dispose();
    const noCls = createVit({ ...tiny, clsToken: false });
    expect(noCls.tokens).toBe(4);
    expect(noCls.paramCount()).toBe(184 - 8 - 8 + 3 * 532 + 43);
    noCls.dispose();
  });

  it('has hookable layers with stable paths; attention exposes numHeads', () => {
    const m = createVit({ ...tiny, depth: 1, attnOutputNorm: true });
    expect(m.layers().map((l) => `${l.path}:${l.kind}`)).toEqual([
      'embedding:embedding',
      'embedding.patch:dense',
      'blocks.0:block',
      'blocks.0.norm1:norm',
      'blocks.0.attn:attention',
      'blocks.0.attn.q:dense',
      'blocks.0.attn.k:dense',
      'blocks.0.attn.v:dense',
      'blocks.0.attn.out:dense',
      'blocks.0.attn.norm:norm',
      'blocks.0.norm2:norm',
      'blocks.0.mlp:mlp',
      'blocks.0.mlp.fc1:dense',
      'blocks.0.mlp.fc2:dense',
      'blocks.0.connection:connection', // the join of block 0 (connectivity hook point)
      'head:head',
      'head.norm:norm',
      'head.fc:dense',
    ]);
    const attn = m.layer('blocks.0.attn') as MultiHeadAttention;
    expect(attn.numHeads).toBe(2);
    expect(attn.scaleAfterSoftmax).toBe(false);
    expect(Object.keys(m.layer('embedding').weights).sort()).toEqual(['cls', 'pos']);
    m.dispose();
    const q = createVit({ ...tiny, depth: 1, attnScaleAfterSoftmax: true });
    expect((q.layer('blocks.0.attn') as MultiHeadAttention).scaleAfterSoftmax).toBe(true);
    q.dispose();
  });

  it('initializes like the repository: U(±1/√fan_in) dense layers, CLS and positions ~ N(0,1)', () => {
    const m = createVit({ inputShape: [32, 32, 3], numClasses: 10, patchSize: 4, hiddenDim: 64, numHeads: 4, mlpDim: 128, depth: 1 });
    const w = m.namedWeights();
    const patch = w['embedding.patch.kernel'].dataSync() as Float32Array; // fan_in 4·4·3
    expect(Math.max(...patch.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(48));
    const q = w['blocks.0.attn.q.kernel'].dataSync() as Float32Array;
    expect(Math.max(...q.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(64));
    const pos = w['embedding.pos'].dataSync() as Float32Array; // 65·64 values
    expect(w['embedding.pos'].shape).toEqual([1, 65, 64]);
    const std = Math.sqrt(pos.reduce((a, b) => a + b * b, 0) / pos.length);
    expect(std).toBeGreaterThan(0.95);
    expect(std).toBeLessThan(1.05);
    expect(w['embedding.cls'].shape).toEqual([1, 1, 64]);
    m.dispose();
  });

  it.each([
    { inputShape: [28, 28, 1] as const, patchSize: 7 },
    { inputShape: [32, 32, 3] as const, patchSize: 4 },
  ])('maps $inputShape images to [B, classes] logits and L+1 probes', ({ inputShape, patchSize }) => {
    const m = createVit({ ...tiny, inputShape, patchSize });
    const x = randomImages(2, inputShape);
    const { logits, probes } = m.forward(x, { probes: true });
    expect(logits.shape).toEqual([2, 3]);
    expect(probes).toHaveLength(4);
    expect(maxAbsDiff(probes![3], logits)).toBe(0);
    tf.dispose([x, logits, ...probes!]);
    m.dispose();
  });

  it.each(['acn', 'residual', 'feedforward'] as const)('%s: block and probes follow the definitions; truncate(k) equals probe k (1e-5)', (connectivity) => {
    const m = createVit({ ...tiny, connectivity, attnOutputNorm: connectivity === 'acn' });
    const x = randomImages(3, [8, 8, 1], 4);
    const { probes } = m.forward(x, { probes: true });
    const ctx = m.context();
    const manual = tf.tidy(() => {
      const outs: Tensor[] = [];
      let h = m.embedding.apply(x, ctx);
      let sum = h;
      outs.push(m.head.apply(h, ctx));
      for (const block of m.blocks) {
        const b = block as unknown as { norm1: { apply: typeof block.apply }; attn: MultiHeadAttention; norm2: { apply: typeof block.apply }; mlp: { apply: typeof block.apply } };
        const a = b.attn.apply(b.norm1.apply(h, ctx), ctx);
        // acn/feedforward: no short residuals; residual: pre-LN x + a, then + mlp(LN(x + a)).
        h =
          connectivity === 'residual'
            ? h.add(a).add(b.mlp.apply(b.norm2.apply(h.add(a), ctx), ctx))
            : b.mlp.apply(b.norm2.apply(a, ctx), ctx);
        sum = sum.add(h);
        outs.push(m.head.apply(connectivity === 'acn' ? sum : h, ctx));
      }
      return outs;
    });
    manual.forEach((t, k) => expect(maxAbsDiff(t, probes![k])).toBeLessThan(1e-5));
    for (const k of [1, 2, 3]) {
      const small = truncate(m, k);
      expect(small.depth).toBe(k);
      expect(small.config).toEqual({ ...m.config, depth: k });
      const y = small.predict(x);
      expect(maxAbsDiff(y, probes![k])).toBeLessThan(1e-5);
      if (k < 3) expect(small.paramCount()).toBe(m.paramCount() - (3 - k) * (532 + (connectivity === 'acn' ? 16 : 0)));
      y.dispose();
      small.dispose();
    }
    tf.dispose([x, ...probes!, ...manual]);
    m.dispose();
  });

  it('Dirac FFN: h = GELU(W1 v + b1 + D1 v), out = W2 h + b2 + D2 h with D1 = [I; 0], D2 = D1ᵀ', () => {
    const m = createVit({ ...tiny, depth: 1, diracFfn: true });
    const mlp = m.layer('blocks.0.mlp');
    const v = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 7);
    const ctx = m.context();
    const y = mlp.apply(v, ctx);
    const ref = tf.tidy(() => {
      const w = m.namedWeights();
      const d1 = tf.concat([tf.eye(8), tf.zeros([8, 4])], 1); // [in 8, out 12] (tfjs [in, out] layout)
      const v2 = v.reshape([10, 8]);
      const pre = v2.matMul(w['blocks.0.mlp.fc1.kernel']).add(w['blocks.0.mlp.fc1.bias']).add(v2.matMul(d1));
      const h = tf.mul(tf.mul(pre, 0.5), tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2))));
      return h.matMul(w['blocks.0.mlp.fc2.kernel']).add(w['blocks.0.mlp.fc2.bias']).add(h.matMul(d1.transpose())).reshape([2, 5, 8]);
    });
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
    tf.dispose([v, y, ref]);
    m.dispose();
  });

  it('mean pooling averages all tokens, CLS included, before the head LayerNorm; cls pooling reads token 0', () => {
    for (const pooling of ['mean', 'cls'] as const) {
      const m = createVit({ ...tiny, depth: 1, pooling });
      const y = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 8);
      const out = m.head.apply(y, m.context());
      const ref = tf.tidy(() => {
        const w = m.namedWeights();
        const pooled = pooling === 'mean' ? tf.mean(y, 1) : tf.squeeze(tf.slice(y, [0, 0, 0], [2, 1, 8]), [1]);
        const mu = tf.mean(pooled, 1, true);
        const n = tf.div(tf.sub(pooled, mu), tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(pooled, mu)), 1, true), 1e-5)));
        return n.mul(w['head.norm.gamma']).add(w['head.norm.beta']).matMul(w['head.fc.kernel']).add(w['head.fc.bias']);
      });
      expect(maxAbsDiff(out, ref)).toBeLessThan(1e-5);
      tf.dispose([y, out, ref]);
      m.dispose();
    }
  });

  it('fused ops give the same outputs and gradients as plain autodiff (<= 1e-5), every quirk on', () => {
    const quirks = { attnOutputNorm: true, diracFfn: true, attnScaleAfterSoftmax: true };
    const fused = createVit({ ...tiny, ...quirks, fused: true });
    const plain = createVit({ ...tiny, ...quirks, fused: false });
    const x = randomImages(2, [8, 8, 1]);
    const gf = tf.variableGrads(() => weightedSum(fused.predict(x)), fused.trainableVariables());
    const gp = tf.variableGrads(() => weightedSum(plain.predict(x)), plain.trainableVariables());
    expect(Math.abs(gf.value.dataSync()[0] - gp.value.dataSync()[0])).toBeLessThan(1e-4);
    const pv = plain.trainableVariables();
    fused.trainableVariables().forEach((v, i) => expect(maxAbsDiff(gf.grads[v.name], gp.grads[pv[i].name])).toBeLessThan(1e-5));
    tf.dispose([x, gf.value, gp.value, ...Object.values(gf.grads), ...Object.values(gp.grads)]);
    fused.dispose();
    plain.dispose();
  });

  it.each(['acn', 'residual'] as const)('%s: direct-gradient pass keeps the forward and sends the embedding gradient only through x_0', (connectivity) => {
    const m = createVit({ ...tiny, connectivity });
    const x = randomImages(2, [8, 8, 1], 3);
    const embVars = [...m.embedding.walk()].flatMap((l) => Object.values(l.weights)); // patch kernel/bias, CLS, positions
    const full = m.predict(x);
    const dgOut = m.forward(x, { detachInputs: true }).logits;
    expect(maxAbsDiff(full, dgOut)).toBeLessThan(1e-6);
    const dg = tf.variableGrads(() => weightedSum(m.forward(x, { detachInputs: true }).logits), embVars);
    // Reference: logits = head(x_0 + sg(y − x_0)): whatever the blocks add is a constant for x_0.
    const ctx = m.context();
    const ref = tf.variableGrads(() => {
      const x0 = m.embedding.apply(x, ctx);
      let h = stopGradient(x0);
      let y = h;
      for (const b of m.blocks) {
        h = b.apply(h, ctx);
        y = connectivity === 'acn' ? y.add(h) : h;
      }
      return weightedSum(m.head.apply(x0.add(stopGradient(y.sub(stopGradient(x0)))), ctx));
    }, embVars);
    const fg = tf.variableGrads(() => weightedSum(m.predict(x)), embVars);
    for (const v of embVars) {
      expect(maxAbsDiff(dg.grads[v.name], ref.grads[v.name])).toBeLessThan(1e-4);
      expect(maxAbsDiff(dg.grads[v.name], fg.grads[v.name])).toBeGreaterThan(1e-4); // the blocks' paths are cut
    }
    tf.dispose([x, full, dgOut, dg.value, ref.value, fg.value, ...Object.values(dg.grads), ...Object.values(ref.grads), ...Object.values(fg.grads)]);
    m.dispose();
  });

  it('rejects invalid configs with the field named', () => {
    expect(() => createVit({ ...tiny, patchSize: 3 })).toThrow(ConfigError);
    expect(() => createVit({ ...tiny, patchSize: 3 })).toThrow(/patchSize: must divide the image size 8x8 \(got 3\)/);
    expect(() => createVit({ ...tiny, numHeads: 3 })).toThrow(/numHeads: must divide hiddenDim 8 \(got 3\)/);
    expect(() => createVit({ ...tiny, pooling: 'cls', clsToken: false })).toThrow(/pooling: 'cls' pooling needs clsToken: true/);
    expect(() => createVit({ ...tiny, diracFfn: true, mlpDim: 4 })).toThrow(/mlpDim: must be >= hiddenDim 8 with diracFfn/);
    expect(() => createVit({ ...tiny, depth: 0 })).toThrow(/depth: .*>=1.*\(got 0\)/);
    expect(() => createVit({ ...tiny, connectivity: 'dense' as never })).toThrow(/connectivity: .*\(got "dense"\)/);
    expect(() => createVit({ ...tiny, heads: 2 } as never)).toThrow(/heads/);
  });

  it('rejects inputs of the wrong shape or dtype', () => {
    const m = createVit(tiny);
    const bad = [tf.zeros([2, 8, 8]), tf.zeros([2, 8, 8, 3]), tf.zeros([2, 8, 8, 1], 'int32'), tf.zeros([0, 8, 8, 1])];
    expect(() => m.forward(bad[0])).toThrow(/Vit: input shape mismatch: expected \[B, 8, 8, 1\] float32, got \[2,8,8\] float32/);
    expect(() => m.forward(bad[1])).toThrow(InputError);
    expect(() => m.forward(bad[2])).toThrow(/Vit: input dtype mismatch.*int32/);
    expect(() => m.forward(bad[3])).toThrow(/empty batch/);
    tf.dispose(bad);
    m.dispose();
  });

  it('leaves no tensors behind (forward with probes, DG pass, gradients)', async () => {
    const m = createVit({ ...tiny, attnOutputNorm: true, diracFfn: true });
    const x = randomImages(2, [8, 8, 1]);
    m.predict(x).dispose(); // warm-up
    const leaked = await leakedTensors(() => {
      const out = m.forward(x, { probes: true, detachInputs: true });
      tf.dispose(out.probes);
      const { value, grads } = tf.variableGrads(() => weightedSum(m.forward(x, { training: true }).logits), m.trainableVariables());
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(leaked).toBe(0);
    x.dispose();
    m.dispose();
  });

  it('round-trips through a checkpoint (full and truncated models)', () => {
    const m = createVit({ ...tiny, attnOutputNorm: true, diracFfn: true, attnScaleAfterSoftmax: true, seed: 9 });
    const x = randomImages(2, [8, 8, 1], 6);
    for (const [name, model] of [['full', m], ['small', truncate(m, 2)]] as const) {
      const dir = join(root, name);
      saveCheckpoint(dir, { model });
      const loaded = loadCheckpoint(dir);
      expect(loaded.model).toBeInstanceOf(Vit);
      expect(loaded.model.config).toEqual(model.config);
      const [a, b] = [model.predict(x), loaded.model.predict(x)];
      expect(maxAbsDiff(a, b)).toBe(0);
      tf.dispose([a, b]);
      loaded.model.dispose();
      if (model !== m) model.dispose();
    }
    x.dispose();
    m.dispose();
  });
});
