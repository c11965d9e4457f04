/**
 * Masked-LM pre-training loop (acn.md §5.3, scaled down): BERT's 15% / 80-10-10 masking drawn
 * fresh for every batch, AdamW (β2 0.98, ε 1e-9, weight decay 0.01: the repository's "Cramming"
 * values), linear warm-up then linear decay, global-norm clipping at 0.5.
 */
import { AdamW, clipByGlobalNorm, Rng, tf, type Bert, type Tensor } from '@acn/core';
import { maskTokens, TextRng } from '@acn/datasets';
import type { ExampleData, IdRows } from './data';

/** Options of {@link pretrainMlm}. */
export interface PretrainOptions {
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Warm-up fraction of the steps. */
  readonly warmup: number;
  readonly seed: number;
  /** Start the decoder bias at the log unigram frequencies ({@link initMlmBiasToUnigram}). */
  readonly unigramBias?: boolean;
  /** Print a progress line every this many steps (0 = never). */
  readonly logEvery?: number;
}

/** What pre-training measured. */
export interface MlmResult {
  /** Loss of every step (masked positions of that batch). */
  readonly trainLoss: number[];
  /** Mean masked-LM cross-entropy on the held-out sequences (fixed masking), after training. */
  readonly heldOutLoss: number;
  /** The same before training (≈ ln(vocabSize) at init). */
  readonly heldOutLossAtInit: number;
  readonly seconds: number;
}

/** Linear warm-up to `peak` over `warm` steps, then linear decay to 0 at `total` (HF's "linear" schedule). */
export function linearSchedule(peak: number, warm: number, total: number): (step: number) => number {
  return (s) => (s < warm ? (peak * (s + 1)) / warm : peak * Math.max(0, (total - s) / Math.max(1, total - warm)));
}

function gather(rows: IdRows, idx: ArrayLike<number>): Int32Array {
  const out = new Int32Array(idx.length * rows.length);
  for (let i = 0; i < idx.length; i++) out.set(rows.ids.subarray(idx[i] * rows.length, (idx[i] + 1) * rows.length), i * rows.length);
  return out;
}

/**
 * Sets the MLM decoder bias to the log unigram frequencies of the training sequences (add-one
 * smoothed; special tokens get the smallest value). Not in HF BERT: a short pre-training budget
 * otherwise spends its first few hundred steps learning the unigram distribution through the bias
 * (the loss plateaus at the unigram entropy), and the encoder collapses towards predicting it.
 */
export function initMlmBiasToUnigram(model: Bert, data: ExampleData): void {
  const tok = data.tokenizer;
  const counts = new Float64Array(tok.vocabSize).fill(1);
  for (const id of data.mlmTrain.ids) if (!tok.isSpecial(id)) counts[id] += 1;
  for (const id of tok.specialIds) counts[id] = 1;
  const total = counts.reduce((a, c) => a + c, 0);
  const logp = Float32Array.from(counts, (c) => Math.log(c / total));
  const w = model.namedWeights();
  const bias = w['mlm.decoderBias'] ?? w['mlm.decoder.bias'];
  if (!bias) throw new Error('initMlmBiasToUnigram: the model has no MLM decoder bias (build it with mlmHead: true)');
  tf.tidy(() => bias.assign(tf.tensor1d(logp)));
}

/** Mean MLM loss over `rows` with a fixed masking (per masked token, batched, no gradients). */
export function heldOutMlmLoss(model: Bert, data: ExampleData, rows: IdRows, seed = 12345): number {
  const tok = data.tokenizer;
  const masked = maskTokens(rows.ids, { vocabSize: tok.vocabSize, maskId: tok.maskId, specialIds: tok.specialIds, seed });
  let sum = 0;
  let n = 0;
  const bs = 64;
  for (let s = 0; s < rows.count; s += bs) {
    const b = Math.min(bs, rows.count - s);
    const lab = masked.labels.subarray(s * rows.length, (s + b) * rows.length);
    const selected = lab.reduce((c, v) => c + (v >= 0 ? 1 : 0), 0);
    if (selected === 0) continue;
    const x = tf.tensor2d(masked.inputs.subarray(s * rows.length, (s + b) * rows.length), [b, rows.length], 'int32');
    const y = tf.tensor2d(lab, [b, rows.length], 'int32');
    const loss = model.mlmLoss(x, y);
    sum += loss.dataSync()[0] * selected;
    n += selected;
    tf.dispose([x, y, loss]);
  }
  return sum / Math.max(1, n);
}

/**
 * Pre-trains `model` (built with `mlmHead: true`) on the packed MLM sequences. Leak-free; the
 * optimizer is disposed at the end.
 */
export function pretrainMlm(model: Bert, data: ExampleData, o: PretrainOptions): MlmResult {
  const t0 = performance.now();
  const tok = data.tokenizer;
  const rows = data.mlmTrain;
  const heldOutLossAtInit = heldOutMlmLoss(model, data, data.mlmHeldOut);
  if (o.unigramBias) initMlmBiasToUnigram(model, data);
  const optimizer = new AdamW({ beta1: 0.9, beta2: 0.98, epsilon: 1e-9, weightDecay: 0.01 });
  const lr = linearSchedule(o.lr, Math.round(o.warmup * o.steps), o.steps);
  const rng = new Rng(o.seed);
  const maskRng = new TextRng(o.seed + 1);
  const params = model.namedWeights();
  const trainable = Object.entries(params).filter(([, v]) => v.trainable);
  const pathOf = new Map(trainable.map(([p, v]) => [v.name, p]));
  const trainLoss: number[] = [];
  let order = rng.permutation(rows.count);
  let at = 0;
  try {
    for (let step = 0; step < o.steps; step++) {
      if (at + o.batchSize > rows.count) {
        order = rng.permutation(rows.count);
        at = 0;
      }
      const b = Math.min(o.batchSize, rows.count);
      const batch = gather(rows, order.subarray(at, at + b));
      at += b;
      let masked = maskTokens(batch, { vocabSize: tok.vocabSize, maskId: tok.maskId, specialIds: tok.specialIds, rng: maskRng });
      while (masked.selected === 0) masked = maskTokens(batch, { vocabSize: tok.vocabSize, maskId: tok.maskId, specialIds: tok.specialIds, rng: maskRng });
      const x = tf.tensor2d(masked.inputs, [b, rows.length], 'int32');
      const y = tf.tensor2d(masked.labels, [b, rows.length], 'int32');
      model.hooks.step(step);
      const { value, grads } = tf.variableGrads(() => model.mlmLoss(x, y, { training: true }) as tf.Scalar, trainable.map(([, v]) => v));
      const byPath: Record<string, Tensor> = {};
      for (const [name, g] of Object.entries(grads)) byPath[pathOf.get(name) ?? name] = g;
      const clipped = clipByGlobalNorm(byPath, 0.5);
      try {
        const loss = value.dataSync()[0];
        if (!Number.isFinite(loss)) throw new Error(`MLM loss is ${loss} at step ${step}; lower --mlm-lr`);
        optimizer.apply(params, clipped.grads, lr(step));
        trainLoss.push(loss);
      } finally {
        tf.dispose([x, y, value, ...Object.values(grads), ...Object.values(clipped.grads)]);
      }
      if (o.logEvery && (step + 1) % o.logEvery === 0) {
        const recent = trainLoss.slice(-o.logEvery);
        const mean = recent.reduce((a, c) => a + c, 0) / recent.length;
        console.log(`  mlm step ${step + 1}/${o.steps}: loss ${mean.toFixed(3)} | lr ${lr(step).toExponential(2)} | ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { trainLoss, heldOutLoss: heldOutMlmLoss(model, data, data.mlmHeldOut), heldOutLossAtInit, seconds: (performance.now() - t0) / 1000 };
}
