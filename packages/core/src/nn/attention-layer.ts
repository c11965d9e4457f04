/**
 * Multi-head self-attention (acn.md §2.3, §2.4) as a hookable layer, plus the attention core as a
 * plain differentiable function.
 *
 * Layout: the model width D is split into `numHeads` heads of `headDim = D / numHeads` columns,
 * head h owning columns `[h·headDim, (h+1)·headDim)` of the q/k/v projections (PyTorch's
 * `rearrange(q, 'b n (h d) -> b h n d')`, so weights port across by transposing kernels).
 *
 * Speed on wasm (see `bench/attention.bench.ts`): the two attention matmuls are batched over B·H
 * on both operands, which tfjs-wasm runs on its scalar loop (~2–3 GFLOP/s, platform.md §2). The
 * benchmark compares this with 2-D XNNPACK matmuls per (sample, head) on `tf.split` slices, with
 * block-diagonal groups of 4, 8 or B (sample, head) pairs per 2-D matmul (one matmul per head), and
 * with K pre-transposed; at B = 64, H = 4, T ∈ {17, 65}, D ∈ {64, 128} (forward + backward) every
 * alternative was slower: 1.17–7× for the grouped forms, 2–17× for per-pair loops, ±3% for the
 * pre-transposed K. The many small 2-D matmuls lose to per-call costs (every extra tfjs op costs
 * tens of microseconds; likely also XNNPACK packing each new right-hand operand), and the grouped
 * forms also pay for their wasted off-diagonal FLOPs. The projections
 * (`q`, `k`, `v`, `out`) are 2-D matmuls on the XNNPACK fast path. Since then the wasm fast paths
 * run these batched matmuls as XNNPACK 2-D products per (sample, head) inside one kernel call, on
 * views of the wasm heap (`backend/wasm-batched-matmul.ts`): no per-op cost, 1.4–3× faster than
 * the scalar loop; so the plain batched `tf.matMul` here stays the right form.
 */
import type { ForwardContext } from '../hooks/types';
import { tf, type Tensor } from '../tf';
import { DenseLayer, type LayerOptions } from './dense-layer';
import { Layer } from './layer';
import { LayerNormLayer } from './layer-norm-layer';

/**
 * The score a masked key gets before the softmax: large and negative but finite, so neither the
 * softmax nor its gradient produces NaN or Inf.
 *
 * @example
 * ```ts
 * Math.exp(MASKED_SCORE); // 0: a masked key gets no weight next to any real one
 * ```
 */
export const MASKED_SCORE = -1e9;

/**
 * Options of {@link attentionCore}.
 *
 * @example
 * ```ts
 * const opts: AttentionCoreOptions = { mask: tf.tensor2d([[1, 1, 0]]), scaleAfterSoftmax: false };
 * ```
 */
export interface AttentionCoreOptions {
  /**
   * Key padding mask `[B, Tk]`: 1 = attend, 0 = padding (any numeric dtype; cast to float32).
   * Masked keys get exactly zero weight. A query whose keys are all masked (a fully padded sample)
   * attends uniformly to all `Tk` keys of its own sample: defined, finite, and ignored by poolers
   * that also read the mask.
   */
  readonly mask?: Tensor;
  /**
   * Repository quirk (acn.md §2.3, vit_code): `softmax(q kᵀ) · 1/√d_h` instead of
   * `softmax(q kᵀ / √d_h)`. Default false (standard scaled dot-product attention).
   */
  readonly scaleAfterSoftmax?: boolean;
}

/**
 * Scaled dot-product attention of already projected queries, keys and values, per head:
 * `softmax(q_h k_hᵀ / √d_h + maskBias) v_h`, heads concatenated back to `[B, Tq, D]`.
 * Plain tfjs ops (autodiff gives the gradients); no einsum and no gather, so every kernel and
 * gradient exists on wasm.
 *
 * @param q `[B, Tq, D]`
 * @param k `[B, Tk, D]`
 * @param v `[B, Tk, D]`
 * @param numHeads divides D
 * @returns `[B, Tq, D]`
 * @example
 * ```ts
 * const o = attentionCore(q, k, v, 4, { mask: tf.tensor2d([[1, 1, 0]]) }); // q, k, v: [1, 3, 8]
 * ```
 */
export function attentionCore(q: Tensor, k: Tensor, v: Tensor, numHeads: number, options: AttentionCoreOptions = {}): Tensor {
  checkCoreShapes(q, k, v, numHeads, options.mask);
  const [b, tq, d] = q.shape as [number, number, number];
  const tk = k.shape[1] as number;
  const dh = d / numHeads;
  const scale = 1 / Math.sqrt(dh);
  return tf.tidy(() => {
    // [B, T, D] -> [B, T, H, dh] -> [B, H, T, dh]
    const heads = (x: Tensor, t: number) => tf.transpose(tf.reshape(x, [b, t, numHeads, dh]), [0, 2, 1, 3]);
    // Scaling q before the matmul equals scaling the scores, on fewer elements when T > d_h.
    const qh = heads(options.scaleAfterSoftmax ? q : tf.mul(q, scale), tq);
    let scores = tf.matMul(qh, heads(k, tk), false, true); // [B, H, Tq, Tk]
    if (options.mask) {
      // Exact masking: masked scores become MASKED_SCORE whatever their value, so a fully masked
      // row is exactly uniform and a partially masked row gives its masked keys exactly 0 weight.
      const keep = tf.reshape(tf.cast(options.mask, 'float32'), [b, 1, 1, tk]);
      scores = tf.add(tf.mul(scores, keep), tf.mul(tf.sub(1, keep), MASKED_SCORE));
    }
    let weights = tf.softmax(scores); // over keys
    if (options.scaleAfterSoftmax) weights = tf.mul(weights, scale);
    const o = tf.matMul(weights, heads(v, tk)); // [B, H, Tq, dh]
    return tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [b, tq, d]);
  });
}

function checkCoreShapes(q: Tensor, k: Tensor, v: Tensor, numHeads: number, mask?: Tensor): void {
  const s = (t: Tensor) => JSON.stringify(t.shape);
  if (q.rank !== 3 || k.rank !== 3 || v.rank !== 3) {
    throw new Error(`attentionCore: q, k, v must be [B, T, D], got ${s(q)}, ${s(k)}, ${s(v)}`);
  }
  const [b, , d] = q.shape;
  if (k.shape[0] !== b || v.shape[0] !== b || k.shape[2] !== d || v.shape[2] !== d || k.shape[1] !== v.shape[1]) {
    throw new Error(`attentionCore: q ${s(q)}, k ${s(k)}, v ${s(v)} must share B and D, and k, v their length`);
  }
  if (!Number.isInteger(numHeads) || numHeads < 1 || d % numHeads !== 0) {
    throw new Error(`attentionCore: numHeads ${numHeads} must be a positive integer dividing D = ${d}`);
  }
  if (mask && (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== k.shape[1])) {
    throw new Error(`attentionCore: mask must be [B, Tk] = [${b}, ${k.shape[1]}], got ${s(mask)}`);
  }
}

/**
 * Options of {@link MultiHeadAttention}: the shared layer options plus the attention switches.
 *
 * @example
 * ```ts
 * const acBert: MultiHeadAttentionOptions = { depth: 0, fused: true, rng: new Rng(0), outputNorm: true, layerNormEps: 1e-12 };
 * ```
 */
export interface MultiHeadAttentionOptions extends LayerOptions {
  /** See {@link AttentionCoreOptions.scaleAfterSoftmax}. Default false. */
  readonly scaleAfterSoftmax?: boolean;
  /**
   * LayerNorm on the output projection's output, as child `<path>.norm` (kind `norm`). Default
   * false. The AC-ViT repository's attention ends with `self.ln(out)` (acn.md §2.3) and AC-BERT's
   * attention output is `LN(W_o · attention)` without the residual (acn.md §2.4): both are this
   * option. Post-LN residual blocks (Res-BERT) keep it off and normalise `x + attention` themselves.
   */
  readonly outputNorm?: boolean;
  /** eps of the output LayerNorm (1e-5 PyTorch/ViT, 1e-12 BERT). Default 1e-5. */
  readonly layerNormEps?: number;
  /** Biases on the q, k, v and out projections. Default true (PyTorch `nn.Linear`, HF BERT). */
  readonly bias?: boolean;
}

/**
 * Multi-head self-attention, kind `attention`: `out(attention(q(x), k(x), v(x)))`, optionally
 * followed by a LayerNorm. Children (hookable, kind `dense`, PyTorch-default init, `[D, D]`
 * kernels): `<path>.q`, `<path>.k`, `<path>.v`, `<path>.out`, then `<path>.norm` with
 * `outputNorm`. Reads the key padding mask from `ctx.attentionMask` (`[B, T]`, 1 = keep; see
 * {@link AttentionCoreOptions.mask} for fully padded samples). Exposes `numHeads` (read by
 * `attentionFlops` in the cost accounting) and `headDim`.
 *
 * Input `[B, T, D]` → output `[B, T, D]`.
 *
 * @example
 * ```ts
 * const mha = new MultiHeadAttention('blocks.0.attn', 128, 4, { depth: 0, fused: true, rng: new Rng(0) });
 * const y = mha.apply(x, ctx); // [B, T, 128] -> [B, T, 128]
 * const acVit = new MultiHeadAttention('blocks.0.attn', 128, 8, { depth: 0, fused: true, rng, scaleAfterSoftmax: true, outputNorm: true });
 * ```
 */
export class MultiHeadAttention extends Layer {
  readonly q: DenseLayer;
  readonly k: DenseLayer;
  readonly v: DenseLayer;
  readonly out: DenseLayer;
  /** Output LayerNorm (only with `outputNorm`). */
  readonly norm?: LayerNormLayer;
  readonly headDim: number;
  readonly scaleAfterSoftmax: boolean;

  constructor(
    path: string,
    readonly dim: number,
    readonly numHeads: number,
    opts: MultiHeadAttentionOptions,
  ) {
    super(path, 'attention', opts.depth);
    if (!Number.isInteger(dim) || dim < 1 || !Number.isInteger(numHeads) || numHeads < 1 || dim % numHeads !== 0) {
      throw new Error(`layer ${path}: numHeads (${numHeads}) must be a positive integer dividing the width (${dim})`);
    }
    this.headDim = dim / numHeads;
    this.scaleAfterSoftmax = opts.scaleAfterSoftmax ?? false;
    const dense = { depth: opts.depth, fused: opts.fused, rng: opts.rng, bias: opts.bias ?? true };
    this.q = this.addChild(new DenseLayer(`${path}.q`, dim, dim, dense));
    this.k = this.addChild(new DenseLayer(`${path}.k`, dim, dim, dense));
    this.v = this.addChild(new DenseLayer(`${path}.v`, dim, dim, dense));
    this.out = this.addChild(new DenseLayer(`${path}.out`, dim, dim, dense));
    if (opts.outputNorm) this.norm = this.addChild(new LayerNormLayer(`${path}.norm`, dim, opts.layerNormEps ?? 1e-5, opts));
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    if (x.rank !== 3 || x.shape[2] !== this.dim) {
      throw new Error(`layer ${this.path}: expected input [B, T, ${this.dim}], got ${JSON.stringify(x.shape)}`);
    }
    const mask = ctx.attentionMask;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1])) {
      throw new Error(
        `layer ${this.path}: ctx.attentionMask must be [B, T] = [${x.shape[0]}, ${x.shape[1]}] for input ${JSON.stringify(x.shape)}, got ${JSON.stringify(mask.shape)}`,
      );
    }
    const o = attentionCore(this.q.apply(x, ctx), this.k.apply(x, ctx), this.v.apply(x, ctx), this.numHeads, {
      mask,
      scaleAfterSoftmax: this.scaleAfterSoftmax,
    });
    const y = this.out.apply(o, ctx);
    return this.norm ? this.norm.apply(y, ctx) : y;
  }
}
