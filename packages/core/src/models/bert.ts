/**
 * BERT encoder with selectable connectivity (acn.md §2.4): AC-BERT, Res-BERT (post-LN, as Hugging
 * Face `BertModel`) and the feedforward baseline, with the GLUE classification head (CLS pooler +
 * classifier, shared by every probe) and an optional masked-LM head for pre-training.
 *
 * Shapes: token ids `[B, T]` int32 (T ≤ maxLength; or `[B, 2, T]` with segment ids in row 1) →
 * embeddings `[B, T, D]` → blocks keep `[B, T, D]` → head `[B, numClasses]` from the [CLS] token
 * (position 0). Padding (`padId`) is masked out of attention (`prepareContext`), so appending pad
 * tokens never changes the logits.
 */
import { z } from 'zod';
import type { ForwardContext } from '../hooks/types';
import { MultiHeadAttention } from '../nn/attention-layer';
import { DenseLayer, type LayerOptions } from '../nn/dense-layer';
import { EmbeddingLayer, embeddingLookup } from '../nn/embedding-layer';
import { standardNormal } from '../nn/init';
import { Layer } from '../nn/layer';
import { LayerNormLayer } from '../nn/layer-norm-layer';
import { MlpLayer } from '../nn/mlp-layer';
import { walkPrefixes } from '../connectivity/walk';
import { gelu, geluFused, stopGradient } from '../ops';
import { Rng } from '../random';
import { tf, type Tensor } from '../tf';
import { crossEntropy } from '../train/loss';
import { BlockModel, type BaseModelConfig, type ForwardOptions } from './block-model';
import { hasResidualBlocks } from '../connectivity/registry';
import { CONNECTIVITY_ENUM } from './connectivity';
import { InputError } from './errors';
import { parseConfig } from './validate-config';

/** Label of masked-LM positions that are not predicted (PyTorch's `ignore_index`). */
export const MLM_IGNORE_LABEL = -100;

/**
 * Configuration of a BERT encoder. Defaults are BERT-base as used by the ACN repository
 * (acn.md §2.4: HF `BertConfig` defaults, 128 positions, no dropout) unless noted.
 */
export interface BertConfig extends BaseModelConfig {
  readonly architecture: 'bert';
  /** Vocabulary size (the tokenizer's). Required (the repository: 32,768). */
  readonly vocabSize: number;
  /** Longest input, [CLS] and [SEP] included (position embeddings). Default 128. */
  readonly maxLength: number;
  /** Width D. Default 768. */
  readonly hiddenDim: number;
  /** Attention heads; must divide D. Default 12. */
  readonly numHeads: number;
  /** FFN hidden width. Default 3072. */
  readonly mlpDim: number;
  /**
   * Segment (token-type) vocabulary. Default 2 (HF BERT). 0 = no segment embeddings. Segment ids
   * are passed as row 1 of a `[B, 2, T]` input (row 0 = token ids); a `[B, T]` input means
   * segment 0 everywhere.
   */
  readonly typeVocabSize: number;
  /**
   * Tie the MLM decoder to the token embedding (`logits = h Eᵀ + b`). Default true: standard
   * BERT, Res-BERT in the repository (HF `BertForMaskedLM`), and the same setting for every
   * connectivity so comparisons are fair. The repository's AC-BERT is effectively untied by
   * accident (acn.md §2.4 quirk, ambiguity A7): set false to reproduce it (adds a `[D, V]` decoder).
   * Measured (examples/bert-sst2): with a short MLM pre-training of a small AC model, tied
   * embeddings left an encoder that fine-tuning could not move off the majority class, untied did
   * not; the example therefore runs untied.
   */
  readonly tieEmbeddings: boolean;
  /** Build the masked-LM head (`mlmLogits`, `mlmLoss`). Default true; classification-only models can drop it. */
  readonly mlmHead: boolean;
  /** LayerNorm epsilon. Default 1e-12 (BERT). */
  readonly layerNormEps: number;
  /** Std of the N(0, σ²) init of every dense kernel and embedding table (biases 0, LN 1/0). Default 0.02 (HF `post_init`). */
  readonly initStd: number;
  /** Token id of [PAD]: masked out of attention. Default 0. */
  readonly padId: number;
}

/** What a user must give; everything else has a default. */
export type BertConfigInput = Partial<Omit<BertConfig, 'architecture'>> & Pick<BertConfig, 'vocabSize' | 'numClasses'>;

const positiveInt = z.number().int().min(1);

/** zod schema of `BertConfig` (defaults filled in). */
export const bertConfigSchema = z
  .object({
    architecture: z.literal('bert').default('bert'),
    vocabSize: z.number().int().min(2),
    numClasses: z.number().int().min(2),
    maxLength: positiveInt.default(128),
    hiddenDim: positiveInt.default(768),
    depth: positiveInt.default(12),
    numHeads: positiveInt.default(12),
    mlpDim: positiveInt.default(3072),
    typeVocabSize: z.number().int().min(0).default(2),
    tieEmbeddings: z.boolean().default(true),
    mlmHead: z.boolean().default(true),
    layerNormEps: z.number().positive().default(1e-12),
    initStd: z.number().positive().default(0.02),
    padId: z.number().int().min(0).default(0),
    connectivity: z.enum(CONNECTIVITY_ENUM).default('acn'),
    seed: z.number().int().min(0).default(0),
    fused: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.hiddenDim % c.numHeads !== 0) ctx.addIssue({ code: 'custom', path: ['numHeads'], message: `must divide hiddenDim ${c.hiddenDim}` });
    if (c.padId >= c.vocabSize) ctx.addIssue({ code: 'custom', path: ['padId'], message: `must be a token id below vocabSize ${c.vocabSize}` });
  });

/**
 * Validates a BERT configuration and fills in defaults.
 *
 * @example
 * ```ts
 * const cfg = bertConfig({ vocabSize: 4096, numClasses: 2, hiddenDim: 128, depth: 4, numHeads: 4, mlpDim: 512 });
 * ```
 */
export function bertConfig(input: BertConfigInput): BertConfig {
  return parseConfig(bertConfigSchema, input, 'BertConfig') as BertConfig;
}

/** Token ids `[B, T]` of an input (row 0 of a `[B, 2, T]` input). */
function tokenIds(x: Tensor): Tensor {
  return x.rank === 3 ? tf.reshape(tf.slice(x, [0, 0, 0], [-1, 1, -1]), [x.shape[0], x.shape[2] as number]) : x;
}

/** x_0 = LN(word + position + segment embeddings) (HF `BertEmbeddings`, no dropout). */
class BertEmbeddings extends Layer {
  readonly tokens: EmbeddingLayer;
  readonly positions: EmbeddingLayer;
  readonly types?: EmbeddingLayer;
  readonly norm: LayerNormLayer;

  constructor(cfg: BertConfig, opts: LayerOptions) {
    super('embedding', 'embedding', -1);
    const d = cfg.hiddenDim;
    this.tokens = this.addChild(new EmbeddingLayer('embedding.tokens', cfg.vocabSize, d, opts, cfg.initStd));
    this.positions = this.addChild(new EmbeddingLayer('embedding.positions', cfg.maxLength, d, opts, cfg.initStd));
    if (cfg.typeVocabSize > 0) this.types = this.addChild(new EmbeddingLayer('embedding.types', cfg.typeVocabSize, d, opts, cfg.initStd));
    this.norm = this.addChild(new LayerNormLayer('embedding.norm', d, cfg.layerNormEps, opts));
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    const ids = tokenIds(x); // [B, T]
    const [b, t] = ids.shape as [number, number];
    let e = this.tokens.apply(ids, ctx); // [B, T, D]
    e = e.add(this.positions.apply(tf.range(0, t, 1, 'int32'), ctx)); // + [T, D]
    if (this.types) {
      const segments = x.rank === 3 ? tf.reshape(tf.slice(x, [0, 1, 0], [-1, 1, -1]), [b, t]) : tf.zeros([b, t], 'int32');
      e = e.add(this.types.apply(segments, ctx));
    }
    return this.norm.apply(e, ctx);
  }
}

/**
 * One post-LN BERT block f_i: self-attention (`attn`, W_o included), `norm1`, FFN (`ffn`: dense →
 * GELU → dense), `norm2`.
 *
 * - residual (HF `BertLayer`): `a = LN1(x + Attn(x))`, `out = LN2(a + FFN(a))`.
 * - acn / feedforward (acn.md §2.4, the repository's `MyLayer`): the same block with both residual
 *   additions deleted: `a = LN1(Attn(x))`, `out = LN2(FFN(a))`. The only paths around a block are
 *   the long connections of the model-level sum.
 */
class BertBlock extends Layer {
  readonly attn: MultiHeadAttention;
  readonly norm1: LayerNormLayer;
  readonly ffn: MlpLayer;
  readonly norm2: LayerNormLayer;

  constructor(index: number, private readonly cfg: BertConfig, opts: LayerOptions) {
    const path = `blocks.${index}`;
    super(path, 'block', index);
    const d = cfg.hiddenDim;
    this.attn = this.addChild(new MultiHeadAttention(`${path}.attn`, d, cfg.numHeads, opts));
    this.norm1 = this.addChild(new LayerNormLayer(`${path}.norm1`, d, cfg.layerNormEps, opts));
    this.ffn = this.addChild(new MlpLayer(`${path}.ffn`, d, cfg.mlpDim, d, opts));
    this.norm2 = this.addChild(new LayerNormLayer(`${path}.norm2`, d, cfg.layerNormEps, opts));
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    if (!hasResidualBlocks(this.cfg.connectivity)) {
      const a = this.norm1.apply(this.attn.apply(x, ctx), ctx); // ← no `x +` (AC / feedforward)
      return this.norm2.apply(this.ffn.apply(a, ctx), ctx); // ← no `a +`
    }
    if (!ctx.detachInputs) {
      const a = this.norm1.apply(x.add(this.attn.apply(x, ctx)), ctx);
      return this.norm2.apply(a.add(this.ffn.apply(a, ctx)), ctx);
    }
    // Direct-gradient pass (acn.md §4.5): the branches see only stop-gradiented inputs, the
    // identity path (through the post-LNs) keeps x, as in the Mixer's residual blocks.
    const xs = stopGradient(x);
    const t = this.attn.apply(xs, ctx);
    const a = this.norm1.apply(x.add(t), ctx);
    const aBranch = this.norm1.apply(xs.add(t), ctx); // the FFN branch's input, cut from x
    return this.norm2.apply(a.add(this.ffn.apply(aBranch, ctx)), ctx);
  }
}

/** The shared head: [CLS] token → pooler (dense + tanh) → classifier. No LayerNorm on the AC sum (acn.md §2.4). */
class BertHead extends Layer {
  readonly pooler: DenseLayer;
  readonly classifier: DenseLayer;

  constructor(cfg: BertConfig, opts: LayerOptions) {
    super('head', 'head', -1);
    this.pooler = this.addChild(new DenseLayer('head.pooler', cfg.hiddenDim, cfg.hiddenDim, opts));
    this.classifier = this.addChild(new DenseLayer('head.classifier', cfg.hiddenDim, cfg.numClasses, opts));
  }

  protected forward(y: Tensor, ctx: ForwardContext): Tensor {
    const [b, , d] = y.shape as [number, number, number];
    const cls = tf.reshape(tf.slice(y, [0, 0, 0], [-1, 1, -1]), [b, d]); // [B, D], position 0 = [CLS]
    return this.classifier.apply(tf.tanh(this.pooler.apply(cls, ctx)), ctx); // [B, numClasses]
  }
}

/**
 * Masked-LM head (HF `BertOnlyMLMHead`): dense → GELU → LN → decoder to the vocabulary. Tied: the
 * decoder is the token embedding table (`h Eᵀ + decoderBias`); untied: its own `mlm.decoder`.
 * Input `[N, D]` rows, output `[N, vocabSize]`.
 */
class BertMlmHead extends Layer {
  readonly transform: DenseLayer;
  readonly norm: LayerNormLayer;
  readonly decoder?: DenseLayer;

  constructor(private readonly cfg: BertConfig, private readonly tokens: EmbeddingLayer, opts: LayerOptions) {
    super('mlm', 'head', -1);
    const d = cfg.hiddenDim;
    this.transform = this.addChild(new DenseLayer('mlm.transform', d, d, opts));
    this.norm = this.addChild(new LayerNormLayer('mlm.norm', d, cfg.layerNormEps, opts));
    if (cfg.tieEmbeddings) this.addWeight('decoderBias', tf.zeros([cfg.vocabSize]));
    else this.decoder = this.addChild(new DenseLayer('mlm.decoder', d, cfg.vocabSize, opts));
  }

  protected forward(h: Tensor, ctx: ForwardContext): Tensor {
    const act = this.cfg.fused ? geluFused : gelu;
    const z = this.norm.apply(act(this.transform.apply(h, ctx)), ctx); // [N, D]
    if (this.decoder) return this.decoder.apply(z, ctx);
    return tf.add(tf.matMul(z, this.tokens.w('table'), false, true), this.w('decoderBias')); // [N, V]
  }
}

/** Options of `Bert.mlmLogits` / `Bert.mlmLoss`. */
export interface BertMlmOptions {
  /** Inside a training step (default false). */
  readonly training?: boolean;
}

/**
 * BERT encoder (AC, residual or feedforward) with the GLUE head and an optional MLM head. Build it
 * with `createBert`.
 *
 * @example
 * ```ts
 * const bert = createBert({ vocabSize: 4096, numClasses: 2, hiddenDim: 128, depth: 4, numHeads: 4, mlpDim: 512, maxLength: 64 });
 * const ids = tf.tensor2d([[2, 57, 912, 3, 0, 0]], [1, 6], 'int32'); // [CLS] … [SEP] [PAD] [PAD]
 * const { logits, probes } = bert.forward(ids, { probes: true }); // [1, 2], depth + 1 probes
 * const loss = bert.mlmLoss(maskedIds, labels); // labels: -100 where not masked
 * ```
 */
export class Bert extends BlockModel<BertConfig> {
  readonly embedding: Layer;
  readonly blocks: readonly Layer[];
  readonly head: Layer;
  /** The masked-LM head (`config.mlmHead`; kind `head`, path `mlm`), after the classification head in `layers()`. */
  readonly mlm?: Layer;
  private readonly mlmHead?: BertMlmHead;

  constructor(config: BertConfig) {
    super(config);
    const rng = new Rng(config.seed);
    const opts: LayerOptions = { depth: -1, fused: config.fused, rng };
    const embedding = new BertEmbeddings(config, opts);
    this.embedding = embedding;
    this.blocks = Array.from({ length: config.depth }, (_, i) => new BertBlock(i, config, { ...opts, depth: i }));
    this.head = new BertHead(config, opts);
    if (config.mlmHead) this.mlm = this.mlmHead = new BertMlmHead(config, embedding.tokens, opts);
    this.initWeights(rng);
  }

  /** HF `post_init`: every dense kernel and embedding table N(0, initStd²), biases 0, LayerNorm 1/0. */
  private initWeights(rng: Rng): void {
    for (const l of this.layers()) {
      if (l instanceof LayerNormLayer) continue;
      for (const [name, v] of Object.entries(l.weights)) {
        tf.tidy(() => v.assign(name === 'bias' || name === 'decoderBias' ? tf.zeros(v.shape) : standardNormal([...v.shape], rng, this.config.initStd)));
      }
    }
  }

  /** Every hookable layer: embedding, blocks, classification head, then the MLM head if any. */
  override layers(): Layer[] {
    const out = super.layers();
    if (this.mlm) out.push(...this.mlm.walk());
    return out;
  }

  override dispose(): void {
    super.dispose();
    this.mlm?.dispose();
  }

  /** Derives `attentionMask` `[B, T]` (1 = token, 0 = `padId`) from the token ids. */
  override prepareContext(x: Tensor, ctx: ForwardContext): ForwardContext {
    return { ...ctx, attentionMask: tf.cast(tf.notEqual(tokenIds(x), this.config.padId), 'float32') };
  }

  /**
   * Throws `InputError` unless `x` is int32 `[B, T]` (or `[B, 2, T]` with segment ids when
   * `typeVocabSize > 0`) with 1 ≤ T ≤ maxLength, token ids in `[0, vocabSize)` and segment ids in
   * `[0, typeVocabSize)`. Reads the ids back (cheap on cpu/wasm).
   */
  validateInput(x: Tensor): void {
    const c = this.config;
    const segs = c.typeVocabSize > 0;
    const expected = `int32 token ids [B, T] with T <= ${c.maxLength}${segs ? ` (or [B, 2, T] with segment ids in row 1)` : ''}`;
    const got = `${JSON.stringify(x.shape)} ${x.dtype}`;
    if (x.dtype !== 'int32') throw new InputError(`Bert: input dtype mismatch: expected ${expected}, got ${got}`);
    const okRank = x.rank === 2 || (segs && x.rank === 3 && x.shape[1] === 2);
    if (!okRank) throw new InputError(`Bert: input shape mismatch: expected ${expected}, got ${got}`);
    const t = x.shape[x.rank - 1];
    if (x.shape[0] < 1 || t < 1) throw new InputError(`Bert: empty input: expected ${expected}, got ${got}`);
    if (t > c.maxLength) throw new InputError(`Bert: sequence length ${t} exceeds maxLength ${c.maxLength} (input ${got}); truncate the ids or build the model with a larger maxLength`);
    const v = x.dataSync();
    const rowLen = x.rank === 3 ? 2 * t : t;
    for (let i = 0; i < v.length; i++) {
      const isSegment = x.rank === 3 && i % rowLen >= t;
      const limit = isSegment ? c.typeVocabSize : c.vocabSize;
      if (v[i] < 0 || v[i] >= limit) {
        const sample = Math.floor(i / rowLen);
        const pos = (i % rowLen) % t;
        const what = isSegment ? `segment id ${v[i]} is outside [0, typeVocabSize=${limit})` : `token id ${v[i]} is outside [0, vocabSize=${limit})`;
        throw new InputError(`Bert: ${what} at sample ${sample}, position ${pos} (input ${got})`);
      }
    }
  }

  withConfig(config: BertConfig): Bert {
    return new Bert(bertConfig(config));
  }

  /**
   * The encoder output `[B, T, D]` that the heads read: the running sum `x_0 + … + x_L` (acn),
   * the last block's output (residual, feedforward, densenet) or the last depth-weighted average
   * (denseformer). The same block loop as `forward` (`walkPrefixes`), without the classification head.
   *
   * @example
   * ```ts
   * const h = bert.encode(ids); // [B, T, D]
   * ```
   */
  encode(x: Tensor, options: ForwardOptions = {}): Tensor {
    this.checkForwardInput(x, 'encode');
    const ctx = this.context(options);
    return tf.tidy(() => {
      const c = this.prepareContext(x, ctx);
      return walkPrefixes(this, x, c).y; // the one block loop; y = what the heads read
    });
  }

  private requireMlm(): BertMlmHead {
    if (!this.mlmHead) throw new InputError('Bert: this model was built with mlmHead: false; rebuild it with mlmHead: true for masked-LM pre-training');
    return this.mlmHead;
  }

  /**
   * Masked-LM logits. Without `positions`: `[B, T, vocabSize]` for every position. With
   * `positions` (int32 `[M]`, flat indices `b·T + t`): `[M, vocabSize]` for those positions only
   * (pre-training computes the vocabulary projection for the ~15% masked tokens only).
   *
   * @example
   * ```ts
   * const logits = bert.mlmLogits(ids, tf.tensor1d([1, 7], 'int32')); // [2, V]
   * ```
   */
  mlmLogits(x: Tensor, positions?: Tensor, options: BertMlmOptions = {}): Tensor {
    const mlm = this.requireMlm();
    const [b, t] = tokenIds(x).shape as [number, number];
    if (positions && (positions.dtype !== 'int32' || positions.rank !== 1)) {
      throw new InputError(`Bert.mlmLogits: positions must be int32 [M], got ${JSON.stringify(positions.shape)} ${positions.dtype}`);
    }
    const ctx = this.context({ training: options.training });
    const h = this.encode(x, { training: options.training });
    try {
      return tf.tidy(() => {
        const rows = tf.reshape(h, [b * t, this.config.hiddenDim]); // [B·T, D]
        if (!positions) return tf.reshape(mlm.apply(rows, ctx), [b, t, this.config.vocabSize]);
        return mlm.apply(embeddingLookup(rows, positions), ctx); // [M, D] -> [M, V]
      });
    } finally {
      h.dispose();
    }
  }

  /**
   * Mean cross-entropy of the masked-LM head over the positions whose label is not
   * `MLM_IGNORE_LABEL` (-100); `labels` is int32 `[B, T]` (token ids of an input `[B, T]` or
   * `[B, 2, T]`). A scalar, differentiable w.r.t. every weight it uses (call it inside
   * `tf.variableGrads`).
   *
   * @example
   * ```ts
   * const { value, grads } = tf.variableGrads(() => bert.mlmLoss(inputs, labels, { training: true }) as tf.Scalar);
   * ```
   */
  mlmLoss(x: Tensor, labels: Tensor, options: BertMlmOptions = {}): Tensor {
    const ids = x.rank === 3 ? [x.shape[0], x.shape[2]] : x.shape;
    if (labels.dtype !== 'int32' || labels.shape.join() !== ids.join()) {
      throw new InputError(`Bert.mlmLoss: labels must be int32 ${JSON.stringify(ids)} like the token ids, got ${JSON.stringify(labels.shape)} ${labels.dtype}`);
    }
    const lv = labels.dataSync();
    const pos: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < lv.length; i++) {
      if (lv[i] === MLM_IGNORE_LABEL) continue;
      if (lv[i] < 0 || lv[i] >= this.config.vocabSize) throw new InputError(`Bert.mlmLoss: label ${lv[i]} at flat position ${i} is neither ${MLM_IGNORE_LABEL} nor a token id in [0, ${this.config.vocabSize})`);
      pos.push(i);
      targets.push(lv[i]);
    }
    if (pos.length === 0) throw new InputError(`Bert.mlmLoss: every label is ${MLM_IGNORE_LABEL}: no position to predict`);
    return tf.tidy(() => {
      const logits = this.mlmLogits(x, tf.tensor1d(pos, 'int32'), options); // [M, V]
      return crossEntropy(logits, tf.tensor1d(targets, 'int32'));
    });
  }
}

/**
 * Creates a BERT encoder from a (partial) configuration; throws `ConfigError` naming bad fields.
 *
 * @example
 * ```ts
 * const res = createBert({ vocabSize: 4096, numClasses: 2, hiddenDim: 128, depth: 4, numHeads: 4, mlpDim: 512, connectivity: 'residual' });
 * ```
 */
export function createBert(input: BertConfigInput): Bert {
  return new Bert(bertConfig(input));
}
