import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { makeBatch, type ArrayDataset } from '../data/array-dataset';
import type { ForwardContext } from '../hooks/types';
import { stopGradient } from '../ops';
import { leakedTensors, maxAbsDiff, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { AdamW } from '../train/adamw';
import { crossEntropy } from '../train/loss';
import { evaluate } from '../train/evaluate';
import { trainStep } from '../train/train-step';
import { Bert, bertConfig, createBert, MLM_IGNORE_LABEL, type BertConfigInput } from './bert';
import { ConfigError, InputError } from './errors';
import { truncate } from './truncate';

const tiny: BertConfigInput = { vocabSize: 40, numClasses: 3, maxLength: 12, hiddenDim: 16, numHeads: 2, mlpDim: 32, depth: 3, seed: 3 };
const CLS = 2;
const SEP = 3;

/** `[B, T]` int32 ids: [CLS] body [SEP] then [PAD] (0) up to `t`. */
function ids(rows: number[][], t: number): Tensor {
  const data = rows.map((r) => [CLS, ...r, SEP, ...new Array(t - r.length - 2).fill(0)]);
  return tf.tensor2d(data, [rows.length, t], 'int32');
}

const ROWS = [
  [5, 9, 17, 22],
  [8, 30],
  [11, 12, 13, 14, 15, 16],
];

describe('BERT', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('defaults to BERT-base as the ACN repository configures it, with the Hugging Face parameter count', () => {
    const cfg = bertConfig({ vocabSize: 32768, numClasses: 2 });
    expect(cfg).toMatchObject({ maxLength: 128, hiddenDim: 768, depth: 12, numHeads: 12, mlpDim: 3072, typeVocabSize: 2, tieEmbeddings: true, mlmHead: true, layerNormEps: 1e-12, initStd: 0.02, padId: 0, connectivity: 'acn' });
    // bert-base-uncased (V = 30522, 512 positions) has 109,482,240 parameters with its pooler.
    // Built with one block (memory), extrapolated: embeddings 23,837,184 + 12 × 7,087,872 + pooler 590,592.
    const one = createBert({ vocabSize: 30522, numClasses: 2, maxLength: 512, depth: 1, mlmHead: false });
    const classifier = 768 * 2 + 2;
    expect(one.paramCount()).toBe(23_837_184 + 7_087_872 + 590_592 + classifier);
    expect(23_837_184 + 12 * 7_087_872 + 590_592).toBe(109_482_240);
    one.dispose();
  });

  it('maps [B, T] ids to [B, classes] logits and L+1 probes; layers have stable paths and kinds', () => {
    const m = createBert(tiny);
    const x = ids(ROWS, 10);
    const { logits, probes } = m.forward(x, { probes: true });
    expect(logits.shape).toEqual([3, 3]);
    expect(probes).toHaveLength(4);
    expect(maxAbsDiff(probes![3], logits)).toBe(0);
    const kinds = Object.fromEntries(m.layers().map((l) => [l.path, l.kind]));
    expect(kinds).toMatchObject({
      embedding: 'embedding',
      'embedding.tokens': 'embedding',
      'embedding.positions': 'embedding',
      'embedding.types': 'embedding',
      'embedding.norm': 'norm',
      'blocks.0': 'block',
      'blocks.0.attn': 'attention',
      'blocks.0.attn.q': 'dense',
      'blocks.0.norm1': 'norm',
      'blocks.0.ffn': 'mlp',
      'blocks.0.ffn.fc1': 'dense',
      'blocks.0.norm2': 'norm',
      head: 'head',
      'head.pooler': 'dense',
      'head.classifier': 'dense',
      mlm: 'head',
      'mlm.transform': 'dense',
      'mlm.norm': 'norm',
    });
    expect(m.namedWeights()['mlm.decoderBias'].shape).toEqual([40]); // tied: no mlm.decoder
    tf.dispose([x, logits, ...probes!]);
    m.dispose();
  });

  it('initializes like HF post_init: kernels and tables N(0, 0.02²), biases 0, LayerNorm 1/0', () => {
    const m = createBert({ ...tiny, hiddenDim: 64, numHeads: 4, mlpDim: 128, vocabSize: 200 });
    const w = m.namedWeights();
    const std = (t: Tensor) => {
      const v = t.dataSync() as Float32Array;
      return Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    };
    for (const p of ['blocks.0.ffn.fc1.kernel', 'blocks.1.attn.q.kernel', 'embedding.tokens.table', 'head.pooler.kernel', 'mlm.transform.kernel']) {
      expect(std(w[p])).toBeGreaterThan(0.018);
      expect(std(w[p])).toBeLessThan(0.022);
    }
    for (const p of ['blocks.0.ffn.fc1.bias', 'blocks.0.attn.out.bias', 'head.classifier.bias', 'mlm.decoderBias', 'embedding.norm.beta']) expect(std(w[p])).toBe(0);
    expect([...w['blocks.2.norm2.gamma'].dataSync()].every((v) => v === 1)).toBe(true);
    m.dispose();
  });

  it.each(['acn', 'residual'] as const)('%s block is the post-LN BERT layer (residual) or the same layer with both residual additions deleted (acn)', (connectivity) => {
    const m = createBert({ ...tiny, connectivity });
    const x = ids(ROWS, 10);
    const block = m.blocks[1] as unknown as { attn: L; norm1: L; ffn: L; norm2: L; apply: (x: Tensor, c: ForwardContext) => Tensor };
    type L = { apply: (x: Tensor, c: ForwardContext) => Tensor };
    const diff = tf.tidy(() => {
      const c = m.prepareContext(x, m.context());
      const h = tf.randomNormal([3, 10, 16], 0, 1, 'float32', 5);
      const a = connectivity === 'acn' ? block.norm1.apply(block.attn.apply(h, c), c) : block.norm1.apply(h.add(block.attn.apply(h, c)), c);
      const out = connectivity === 'acn' ? block.norm2.apply(block.ffn.apply(a, c), c) : block.norm2.apply(a.add(block.ffn.apply(a, c)), c);
      return maxAbsDiff(block.apply(h, c), out);
    });
    expect(diff).toBe(0);
    // acn: the encoder output is the plain sum x_0 + x_1 + … + x_L (no final LayerNorm).
    if (connectivity === 'acn') {
      const d = tf.tidy(() => {
        const c = m.prepareContext(x, m.context());
        let h = m.embedding.apply(x, c);
        let sum = h;
        for (const b of m.blocks) {
          h = b.apply(h, c);
          sum = sum.add(h);
        }
        return maxAbsDiff(m.encode(x), sum);
      });
      expect(d).toBeLessThan(1e-6);
    }
    x.dispose();
    m.dispose();
  });

  it.each(['acn', 'residual', 'feedforward'] as const)('%s: probe k equals truncate(k) within 1e-5', (connectivity) => {
    const m = createBert({ ...tiny, connectivity, depth: 4 });
    const x = ids(ROWS, 9);
    const { probes } = m.forward(x, { probes: true });
    for (const k of [1, 2, 4]) {
      const small = truncate(m, k);
      expect(small.depth).toBe(k);
      if (k < 4) expect(small.paramCount()).toBeLessThan(m.paramCount());
      const y = small.predict(x);
      expect(maxAbsDiff(y, probes![k])).toBeLessThan(1e-5);
      y.dispose();
      small.dispose();
    }
    tf.dispose([x, ...probes!]);
    m.dispose();
  });

  it.each(['acn', 'residual'] as const)('%s: appending pad tokens does not change the logits or probes (within 1e-5)', (connectivity) => {
    // A wider init than BERT's 0.02 so the logits depend visibly on the tokens.
    const m = createBert({ ...tiny, connectivity, initStd: 0.3 });
    const short = ids(ROWS, 8);
    const long = ids(ROWS, 12);
    const a = m.forward(short, { probes: true });
    const b = m.forward(long, { probes: true });
    for (let k = 0; k <= m.depth; k++) expect(maxAbsDiff(a.probes![k], b.probes![k])).toBeLessThan(1e-5);
    // Each row alone (no padding beyond its [SEP]) gives the same logits as in the padded batch.
    const row = tf.tensor2d([[CLS, 8, 30, SEP]], [1, 4], 'int32');
    const alone = m.predict(row);
    expect(maxAbsDiff(alone, tf.slice(b.logits, [1, 0], [1, -1]))).toBeLessThan(1e-5);
    // ... whereas changing a real token does change them (the check is not vacuous).
    const other = tf.tensor2d([[CLS, 8, 31, SEP]], [1, 4], 'int32');
    const changed = m.predict(other);
    expect(maxAbsDiff(alone, changed)).toBeGreaterThan(1e-4);
    tf.dispose([short, long, a.logits, ...a.probes!, b.logits, ...b.probes!, row, alone, other, changed]);
    m.dispose();
  });

  it('derives the attention mask from padId', () => {
    const m = createBert({ ...tiny, padId: 1 });
    const x = tf.tensor2d([[2, 5, 3, 1, 1]], [1, 5], 'int32');
    const mask = tf.tidy(() => m.prepareContext(x, m.context()).attentionMask!.arraySync());
    expect(mask).toEqual([[1, 1, 1, 0, 0]]);
    x.dispose();
    m.dispose();
  });

  it('takes segment ids as row 1 of a [B, 2, T] input; all-zero segments equal a [B, T] input', () => {
    const m = createBert(tiny);
    const x = ids(ROWS, 9);
    const zeros = tf.zerosLike(x);
    const withSeg = tf.stack([x, zeros], 1); // [B, 2, T]
    const ones = tf.stack([x, tf.onesLike(x)], 1);
    const a = m.predict(x);
    const b = m.predict(withSeg);
    const c = m.predict(ones);
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-4);
    const noTypes = createBert({ ...tiny, typeVocabSize: 0 });
    expect(noTypes.namedWeights()['embedding.types.table']).toBeUndefined();
    expect(() => noTypes.predict(withSeg)).toThrow(/expected int32 token ids \[B, T\] with T <= 12, got \[3,2,9\] int32/);
    tf.dispose([x, zeros, withSeg, ones, a, b, c]);
    noTypes.dispose();
    m.dispose();
  });

  it('rejects bad inputs and configs with the value, position and shapes', () => {
    const m = createBert(tiny);
    const tooLong = tf.zeros([1, 13], 'int32');
    expect(() => m.predict(tooLong)).toThrow(InputError);
    expect(() => m.predict(tooLong)).toThrow(/sequence length 13 exceeds maxLength 12 \(input \[1,13\] int32\)/);
    const big = tf.tensor2d([[2, 5, 40, 3]], [1, 4], 'int32');
    expect(() => m.predict(big)).toThrow(/token id 40 is outside \[0, vocabSize=40\) at sample 0, position 2/);
    const neg = tf.tensor2d([[2, 5, 3], [2, -1, 3]], [2, 3], 'int32');
    expect(() => m.predict(neg)).toThrow(/token id -1 is outside \[0, vocabSize=40\) at sample 1, position 1/);
    const seg = tf.tensor3d([[[2, 5, 3], [0, 2, 0]]], [1, 2, 3], 'int32');
    expect(() => m.predict(seg)).toThrow(/segment id 2 is outside \[0, typeVocabSize=2\) at sample 0, position 1/);
    const float = tf.tensor2d([[2, 5, 3]], [1, 3], 'float32');
    expect(() => m.predict(float)).toThrow(/input dtype mismatch: expected int32 token ids \[B, T\].*got \[1,3\] float32/);
    const rank1 = tf.tensor1d([2, 5, 3], 'int32');
    expect(() => m.predict(rank1)).toThrow(/input shape mismatch/);
    expect(() => createBert({ ...tiny, numHeads: 3 })).toThrow(ConfigError);
    expect(() => createBert({ ...tiny, numHeads: 3 })).toThrow(/numHeads: must divide hiddenDim 16 \(got 3\)/);
    expect(() => createBert({ ...tiny, padId: 40 })).toThrow(/padId: must be a token id below vocabSize 40/);
    expect(() => createBert({ numClasses: 2 } as BertConfigInput)).toThrow(/vocabSize/);
    tf.dispose([tooLong, big, neg, seg, float, rank1]);
    m.dispose();
  });

  it('masked-LM head: logits at chosen positions equal the full logits there; the loss is CE over labelled positions', () => {
    for (const tieEmbeddings of [true, false]) {
      const m = createBert({ ...tiny, tieEmbeddings });
      expect('mlm.decoder.kernel' in m.namedWeights()).toBe(!tieEmbeddings);
      const x = ids(ROWS, 8);
      const full = m.mlmLogits(x); // [3, 8, 40]
      expect(full.shape).toEqual([3, 8, 40]);
      const pos = tf.tensor1d([1, 8 + 2, 2 * 8 + 5], 'int32');
      const some = m.mlmLogits(x, pos); // [3, 40]
      const expected = tf.gather(tf.reshape(full, [24, 40]), pos);
      expect(maxAbsDiff(some, expected)).toBeLessThan(1e-5);
      const labels = tf.tensor2d(
        Array.from({ length: 3 }, (_, b) => Array.from({ length: 8 }, (_, t) => (b * 8 + t === 1 ? 7 : b * 8 + t === 10 ? 9 : b * 8 + t === 21 ? 11 : MLM_IGNORE_LABEL))),
        [3, 8],
        'int32',
      );
      const loss = m.mlmLoss(x, labels);
      const ref = crossEntropy(some, tf.tensor1d([7, 9, 11], 'int32'));
      expect(Math.abs(loss.dataSync()[0] - ref.dataSync()[0])).toBeLessThan(1e-5);
      expect(loss.dataSync()[0]).toBeGreaterThan(Math.log(40) - 0.5); // near uniform at init
      tf.dispose([x, full, pos, some, expected, labels, loss, ref]);
      m.dispose();
    }
    const noHead = createBert({ ...tiny, mlmHead: false });
    const x = ids(ROWS, 8);
    expect(() => noHead.mlmLogits(x)).toThrow(/mlmHead: false/);
    const none = tf.fill([3, 8], MLM_IGNORE_LABEL, 'int32');
    const m = createBert(tiny);
    expect(() => m.mlmLoss(x, none)).toThrow(/every label is -100/);
    const badLabels = tf.fill([3, 8], 40, 'int32');
    expect(() => m.mlmLoss(x, badLabels)).toThrow(/label 40 at flat position 0/);
    tf.dispose([x, none, badLabels]);
    noHead.dispose();
    m.dispose();
  });

  it('trains on wasm: MLM steps lower the masked-LM loss and reach the tied token table; classification steps reach every block', () => {
    const m = createBert({ ...tiny, depth: 2 });
    const x = ids(ROWS, 8);
    const labels = tf.tensor2d(
      Array.from({ length: 3 }, (_, b) => Array.from({ length: 8 }, (_, t) => (t === 1 || t === 2 ? ROWS[b][t - 1] : MLM_IGNORE_LABEL))),
      [3, 8],
      'int32',
    );
    const masked = tf.tensor2d(Array.from({ length: 3 }, (_, b) => [CLS, 4, 4, ...(x.arraySync() as number[][])[b].slice(3)]), [3, 8], 'int32'); // [MASK] = 4
    const opt = new AdamW({ weightDecay: 0 });
    const params = m.namedWeights();
    const trainable = Object.entries(params);
    const losses: number[] = [];
    let gradPaths: string[] = [];
    for (let s = 0; s < 15; s++) {
      const { value, grads } = tf.variableGrads(() => m.mlmLoss(masked, labels, { training: true }) as tf.Scalar, trainable.map(([, v]) => v));
      const byPath: Record<string, Tensor> = {};
      for (const [p, v] of trainable) if (grads[v.name]) byPath[p] = grads[v.name];
      gradPaths = Object.keys(byPath);
      opt.apply(params, byPath, 1e-2);
      losses.push(value.dataSync()[0]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses[14]).toBeLessThan(losses[0] * 0.5);
    expect(gradPaths).toContain('embedding.tokens.table'); // input embedding + tied decoder
    expect(gradPaths).toContain('mlm.decoderBias');
    expect(gradPaths).toContain('blocks.0.attn.q.kernel');
    expect(gradPaths).not.toContain('head.pooler.kernel'); // the classification head is not used by MLM
    // Classification: core's trainStep with int32 ids.
    const y = tf.tensor1d([0, 2, 1], 'int32');
    const first = trainStep(m, opt, x, y, { lr: 3e-3, onGradients: (g) => (gradPaths = Object.keys(g)) }).loss;
    for (let s = 0; s < 10; s++) trainStep(m, opt, x, y, { lr: 3e-3 });
    const last = trainStep(m, opt, x, y, { lr: 3e-3 }).loss;
    expect(last).toBeLessThan(first);
    expect(gradPaths).toEqual(expect.arrayContaining(['blocks.1.ffn.fc2.kernel', 'embedding.positions.table', 'embedding.types.table', 'head.classifier.bias']));
    opt.dispose();
    tf.dispose([x, labels, masked, y]);
    m.dispose();
  });

  it('direct-gradient pass: same logits; in acn each block is trained only through its own long connection', () => {
    for (const connectivity of ['acn', 'residual'] as const) {
      const m = createBert({ ...tiny, connectivity });
      const x = ids(ROWS, 8);
      const a = m.forward(x);
      const b = m.forward(x, { detachInputs: true });
      expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-6);
      tf.dispose([x, a.logits, b.logits]);
      m.dispose();
    }
    const m = createBert({ ...tiny, initStd: 0.3 });
    const x = ids(ROWS, 8);
    const r = tf.randomNormal([3, 3], 0, 1, 'float32', 8);
    const v = m.namedWeights()['blocks.0.ffn.fc1.kernel'];
    const dg = tf.variableGrads(() => tf.sum(m.forward(x, { training: true, detachInputs: true }).logits.mul(r)) as tf.Scalar, [v]);
    // Reference: y = x_0 + x_1 + sg(x_2 + x_3), i.e. block 0's gradient only through its own term x_1.
    const ref = tf.variableGrads(() => {
      const c = m.prepareContext(x, m.context({ training: true }));
      const x0 = m.embedding.apply(x, c);
      const x1 = m.blocks[0].apply(x0, c);
      const x2 = m.blocks[1].apply(x1, c);
      const x3 = m.blocks[2].apply(x2, c);
      return tf.sum(m.head.apply(x0.add(x1).add(stopGradient(x2.add(x3))), c).mul(r)) as tf.Scalar;
    }, [v]);
    const full = tf.variableGrads(() => tf.sum(m.forward(x, { training: true }).logits.mul(r)) as tf.Scalar, [v]);
    expect(maxAbsDiff(dg.grads[v.name], ref.grads[v.name])).toBeLessThan(1e-6);
    expect(maxAbsDiff(dg.grads[v.name], full.grads[v.name])).toBeGreaterThan(1e-5);
    tf.dispose([x, r, dg.value, ref.value, full.value, ...Object.values(dg.grads), ...Object.values(ref.grads), ...Object.values(full.grads)]);
    m.dispose();
  });

  it('evaluates int32 ArrayDatasets (inputDtype) with core evaluate, probes included', () => {
    const m = createBert(tiny);
    const x = ids(ROWS, 10);
    const ds: ArrayDataset = { inputs: Float32Array.from(x.dataSync()), labels: Int32Array.from([0, 1, 2]), count: 3, sampleShape: [10], numClasses: 3, inputDtype: 'int32' };
    const batch = makeBatch(ds, [2, 0]);
    expect(batch.x.dtype).toBe('int32');
    expect(batch.x.arraySync()).toEqual((x.arraySync() as number[][]).filter((_, i) => i !== 1).reverse());
    const r = evaluate(m, ds, { probes: true, batchSize: 2 });
    expect(r.probeAccuracy).toHaveLength(4);
    expect(r.probeAccuracy![3]).toBe(r.accuracy);
    tf.dispose([x, batch.x, batch.y]);
    m.dispose();
  });

  it('saves and loads checkpoints (model rebuilt from the saved config)', () => {
    const m = createBert({ ...tiny, tieEmbeddings: false, connectivity: 'residual' });
    const dir = mkdtempSync(join(tmpdir(), 'acn-bert-'));
    const x = ids(ROWS, 8);
    try {
      saveCheckpoint(dir, { model: m });
      const { model } = loadCheckpoint(dir);
      expect(model).toBeInstanceOf(Bert);
      expect(model.config).toEqual(m.config);
      const a = m.predict(x);
      const b = model.predict(x);
      const la = m.mlmLogits(x);
      const lb = (model as Bert).mlmLogits(x);
      expect(maxAbsDiff(a, b)).toBe(0);
      expect(maxAbsDiff(la, lb)).toBe(0);
      tf.dispose([a, b, la, lb]);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      x.dispose();
      m.dispose();
    }
  });

  it('leaves no tensors behind (forward, probes, MLM loss and gradients)', async () => {
    const m = createBert(tiny);
    const x = ids(ROWS, 8);
    const labels = tf.tensor2d([[MLM_IGNORE_LABEL, 7, ...new Array(6).fill(MLM_IGNORE_LABEL)], new Array(8).fill(MLM_IGNORE_LABEL), new Array(8).fill(MLM_IGNORE_LABEL)], [3, 8], 'int32');
    const leaked = await leakedTensors(() => {
      const { logits, probes } = m.forward(x, { probes: true });
      tf.dispose([logits, ...probes!]);
      m.encode(x).dispose();
      m.mlmLogits(x).dispose();
      const { value, grads } = tf.variableGrads(() => m.mlmLoss(x, labels, { training: true }) as tf.Scalar, m.trainableVariables());
      tf.dispose([value, ...Object.values(grads)]);
      const { value: v2, grads: g2 } = tf.variableGrads(() => tf.sum(m.forward(x, { training: true, detachInputs: true }).logits) as tf.Scalar, m.trainableVariables());
      tf.dispose([v2, ...Object.values(g2)]);
    });
    expect(leaked).toBe(0);
    tf.dispose([x, labels]);
    m.dispose();
  });
});
