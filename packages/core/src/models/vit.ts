/**
 * Vision Transformer with selectable connectivity (acn.md §2.3): AC-ViT, Res-ViT and the
 * feedforward baseline, for any `[H, W, C]` image input.
 *
 * Shapes: images `[B, H, W, C]` → patches `[B, N, p·p·C]` (N = HW/p²) → tokens `[B, T, D]`
 * (T = N + 1 with a CLS token, plus learned positions) → blocks keep `[B, T, D]` → head
 * `[B, numClasses]`.
 *
 * Blocks (one long connection per whole block, acn.md §1.2):
 * - `acn` / `feedforward`: `u = MHA(LN_a(x))` [→ LN with `attnOutputNorm`]; `x_out = FFN(LN_b(u))`.
 *   No short residuals (the repository's `Add` wrappers return `fn(x)` without `x`).
 * - `residual`: pre-LN `x + MHA(LN(x))`, then `+ FFN(LN(·))`.
 */
import { z } from 'zod';
import type { ForwardContext } from '../hooks/types';
import { MultiHeadAttention } from '../nn/attention-layer';
import { DenseLayer, type LayerOptions } from '../nn/dense-layer';
import { standardNormal } from '../nn/init';
import { Layer } from '../nn/layer';
import { LayerNormLayer } from '../nn/layer-norm-layer';
import { MlpLayer } from '../nn/mlp-layer';
import { gelu, geluFused, stopGradient } from '../ops';
import { Rng } from '../random';
import { tf, type Tensor } from '../tf';
import { BlockModel, type BaseModelConfig } from './block-model';
import { hasResidualBlocks } from '../connectivity/registry';
import { CONNECTIVITY_ENUM } from './connectivity';
import { checkInputShape } from './input-check';
import { parseConfig } from './validate-config';

/**
 * Configuration of a ViT. Sizes default to the paper's ImageNet model (acn.md §2.3: ViT-B/16 with
 * the repository's 8 heads); the three repository quirks default to the paper-faithful reading
 * (acn.md §8.3): a standard transformer block with its short residuals removed, and nothing else.
 *
 * @example
 * ```ts
 * // The AC-ViT of the repository's vit/vit_code, as written:
 * const repo: VitConfig = vitConfig({ inputShape: [224, 224, 3], numClasses: 1000, attnOutputNorm: true, diracFfn: true, attnScaleAfterSoftmax: true });
 * ```
 */
export interface VitConfig extends BaseModelConfig {
  readonly architecture: 'vit';
  /** `[H, W, C]`, e.g. `[28, 28, 1]` (Fashion-MNIST) or `[224, 224, 3]` (ImageNet). Required. */
  readonly inputShape: readonly [number, number, number];
  /** Square patch side; must divide H and W. Default 16. */
  readonly patchSize: number;
  /** Token width D. Default 768. */
  readonly hiddenDim: number;
  /** Attention heads; must divide `hiddenDim`. Default 8 (the repository's `MultiHeadAttention` default, not ViT-B's 12). */
  readonly numHeads: number;
  /** Hidden width of the FFN. Default 3072 (4·768). */
  readonly mlpDim: number;
  /**
   * `mean`: mean over **all** tokens, CLS included (the repository's `ClassificationHead`:
   * mean → LN → Linear); `cls`: the CLS token → LN → Linear (needs `clsToken`). Default `mean`.
   */
  readonly pooling: 'mean' | 'cls';
  /** Prepend a learnable CLS token (N(0,1) init, as the repository's `randn`). Default true. */
  readonly clsToken: boolean;
  /**
   * AC-ViT quirk: LayerNorm on the attention output (`return self.ln(out)` in `ac_vit.py`, child
   * `blocks.i.attn.norm`). Default false: the paper describes a standard block with the short
   * residuals removed, and in an AC block `LN_b` normalises the attention output right after
   * anyway. The repository uses it in AC-ViT only (`res_vit.py` has none); the switch applies to
   * whatever connectivity it is set on.
   */
  readonly attnOutputNorm: boolean;
  /**
   * AC-ViT quirk (acn.md §2.3, ambiguity A2): a frozen identity path through the FFN,
   * `h = GELU(W1 v + b1 + D1 v)`, `out = W2 h + b2 + D2 h` with `D1 = [I; 0]`, `D2 = D1ᵀ` (no
   * stored weights). Default false: the paper never mentions it, it re-introduces a
   * (GELU-gated) short path inside AC blocks, and the older AC model (`model_long.py`) does not
   * use it. Needs `mlpDim >= hiddenDim`.
   */
  readonly diracFfn: boolean;
  /**
   * Repository quirk shared by AC- and Res-ViT (the tutorial code they build on): scale the
   * attention weights by `1/√d_h` after the softmax instead of the scores before it. Default
   * false: the paper follows the original ViT, i.e. standard scaled dot-product attention.
   */
  readonly attnScaleAfterSoftmax: boolean;
  /** LayerNorm epsilon. Default 1e-5 (PyTorch default, as the paper's `vit_code`; the later simple-ViT pipeline uses 1e-6). */
  readonly layerNormEps: number;
}

/**
 * What a user must give; everything else has a default.
 *
 * @example
 * ```ts
 * const input: VitConfigInput = { inputShape: [32, 32, 3], numClasses: 10, patchSize: 4, hiddenDim: 128, numHeads: 4, mlpDim: 256, depth: 6 };
 * ```
 */
export type VitConfigInput = Partial<Omit<VitConfig, 'architecture'>> & Pick<VitConfig, 'inputShape' | 'numClasses'>;

const positiveInt = z.number().int().min(1);

/**
 * zod schema of `VitConfig` (defaults filled in).
 *
 * @example
 * ```ts
 * const ok = vitConfigSchema.safeParse({ inputShape: [28, 28, 1], numClasses: 10, patchSize: 7 }).success; // true
 * ```
 */
export const vitConfigSchema = z
  .object({
    architecture: z.literal('vit').default('vit'),
    inputShape: z.tuple([positiveInt, positiveInt, positiveInt]),
    numClasses: z.number().int().min(2),
    patchSize: positiveInt.default(16),
    hiddenDim: positiveInt.default(768),
    depth: positiveInt.default(12),
    numHeads: positiveInt.default(8),
    mlpDim: positiveInt.default(3072),
    pooling: z.enum(['mean', 'cls']).default('mean'),
    clsToken: z.boolean().default(true),
    attnOutputNorm: z.boolean().default(false),
    diracFfn: z.boolean().default(false),
    attnScaleAfterSoftmax: z.boolean().default(false),
    layerNormEps: z.number().positive().default(1e-5),
    connectivity: z.enum(CONNECTIVITY_ENUM).default('acn'),
    seed: z.number().int().min(0).default(0),
    fused: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    const [h, w] = c.inputShape;
    if (h % c.patchSize !== 0 || w % c.patchSize !== 0) {
      ctx.addIssue({ code: 'custom', path: ['patchSize'], message: `must divide the image size ${h}x${w}` });
    }
    if (c.hiddenDim % c.numHeads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['numHeads'], message: `must divide hiddenDim ${c.hiddenDim}` });
    }
    if (c.pooling === 'cls' && !c.clsToken) {
      ctx.addIssue({ code: 'custom', path: ['pooling'], message: `'cls' pooling needs clsToken: true` });
    }
    if (c.diracFfn && c.mlpDim < c.hiddenDim) {
      ctx.addIssue({ code: 'custom', path: ['mlpDim'], message: `must be >= hiddenDim ${c.hiddenDim} with diracFfn (the identity path D1 = [I; 0])` });
    }
  });

/**
 * Validates a ViT configuration and fills in defaults.
 *
 * @example
 * ```ts
 * const cfg = vitConfig({ inputShape: [28, 28, 1], numClasses: 10, patchSize: 7, hiddenDim: 64, numHeads: 4, mlpDim: 128, depth: 6 });
 * ```
 */
export function vitConfig(input: VitConfigInput): VitConfig {
  return parseConfig(vitConfigSchema, input, 'VitConfig') as VitConfig;
}

/**
 * x_0: patchify (reshape/transpose + dense: conv2d has no gradient on wasm) → optional CLS →
 * + learned positions. Weights: `cls` `[1, 1, D]`, `pos` `[1, T, D]`, both N(0,1) as the repository.
 */
class VitEmbedding extends Layer {
  readonly patch: DenseLayer;

  constructor(private readonly cfg: VitConfig, tokens: number, opts: LayerOptions) {
    super('embedding', 'embedding', -1);
    const [, , c] = cfg.inputShape;
    const p = cfg.patchSize;
    // Same fan-in as the repository's Conv2d(C→D, k=p, s=p), hence the same PyTorch init. Kernel
    // rows are ordered (row-in-patch, col-in-patch, channel): PyTorch's conv weight [D, C, p, p]
    // maps to it by permute(2, 3, 1, 0).reshape(p*p*C, D).
    this.patch = this.addChild(new DenseLayer('embedding.patch', p * p * c, cfg.hiddenDim, opts));
    if (cfg.clsToken) this.addWeight('cls', standardNormal([1, 1, cfg.hiddenDim], opts.rng));
    this.addWeight('pos', standardNormal([1, tokens, cfg.hiddenDim], opts.rng));
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    const [h, w, c] = this.cfg.inputShape;
    const p = this.cfg.patchSize;
    const b = x.shape[0];
    const gh = h / p;
    const gw = w / p;
    // [B, H, W, C] -> [B, gh, p, gw, p, C] -> [B, gh, gw, p, p, C] -> [B, N, p*p*C]
    const patches = tf.reshape(tf.transpose(tf.reshape(x, [b, gh, p, gw, p, c]), [0, 1, 3, 2, 4, 5]), [b, gh * gw, p * p * c]);
    let tokens = this.patch.apply(patches, ctx); // [B, N, D]
    if (this.cfg.clsToken) tokens = tf.concat([tf.tile(this.w('cls'), [b, 1, 1]), tokens], 1); // [B, N+1, D]
    return tf.add(tokens, this.w('pos')); // positions broadcast over the batch
  }
}

/**
 * The FFN with the repository's frozen "Dirac" identity path (see `VitConfig.diracFfn`):
 * `h = GELU(fc1(v) + [v, 0])`, `out = fc2(h) + h[..., :D]`. Kind `mlp` like `MlpLayer` (same
 * children `fc1`, `fc2`), so hooks and cost counting treat both alike; the identity path has no
 * weights (it is computed by padding and slicing, never stored or trained).
 */
class DiracMlpLayer extends Layer {
  readonly fc1: DenseLayer;
  readonly fc2: DenseLayer;

  constructor(path: string, private readonly dim: number, private readonly hidden: number, private readonly opts: LayerOptions) {
    super(path, 'mlp', opts.depth);
    this.fc1 = this.addChild(new DenseLayer(`${path}.fc1`, dim, hidden, opts));
    this.fc2 = this.addChild(new DenseLayer(`${path}.fc2`, hidden, dim, opts));
  }

  protected forward(v: Tensor, ctx: ForwardContext): Tensor {
    const act = this.opts.fused ? geluFused : gelu;
    const lastPad: [number, number] = [0, this.hidden - this.dim];
    const eye1 = this.hidden === this.dim ? v : tf.pad(v, [...v.shape.slice(0, -1).map((): [number, number] => [0, 0]), lastPad]); // D1 v = [v; 0]
    const h = act(tf.add(this.fc1.apply(v, ctx), eye1)); // [.., hidden]
    const eye2 = this.hidden === this.dim ? h : tf.slice(h, v.shape.map(() => 0), [...v.shape.slice(0, -1), this.dim]); // D2 h = h[:D]
    return tf.add(this.fc2.apply(h, ctx), eye2);
  }
}

/** One transformer block f_i; the connectivity decides whether its sub-layers keep short skips. */
class VitBlock extends Layer {
  readonly norm1: LayerNormLayer;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNormLayer;
  readonly mlp: MlpLayer | DiracMlpLayer;

  constructor(index: number, private readonly cfg: VitConfig, opts: LayerOptions) {
    const path = `blocks.${index}`;
    super(path, 'block', index);
    const d = cfg.hiddenDim;
    this.norm1 = this.addChild(new LayerNormLayer(`${path}.norm1`, d, cfg.layerNormEps, opts));
    this.attn = this.addChild(
      new MultiHeadAttention(`${path}.attn`, d, cfg.numHeads, {
        ...opts,
        scaleAfterSoftmax: cfg.attnScaleAfterSoftmax,
        outputNorm: cfg.attnOutputNorm,
        layerNormEps: cfg.layerNormEps,
      }),
    );
    this.norm2 = this.addChild(new LayerNormLayer(`${path}.norm2`, d, cfg.layerNormEps, opts));
    this.mlp = this.addChild(cfg.diracFfn ? new DiracMlpLayer(`${path}.mlp`, d, cfg.mlpDim, opts) : new MlpLayer(`${path}.mlp`, d, cfg.mlpDim, d, opts));
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    if (hasResidualBlocks(this.cfg.connectivity)) {
      // Pre-LN residual block. In a direct-gradient pass the branches see sg(x) while the identity
      // path keeps x (acn.md §4.5); gradient still flows between the two sub-layers.
      const xs = ctx.detachInputs ? stopGradient(x) : x;
      const a = this.attn.apply(this.norm1.apply(xs, ctx), ctx);
      const m = this.mlp.apply(this.norm2.apply(xs.add(a), ctx), ctx);
      return x.add(a).add(m); // = (x + a) + m
    }
    // AC / feedforward block: no short residuals; the block's only skip is its long connection.
    const u = this.attn.apply(this.norm1.apply(x, ctx), ctx);
    return this.mlp.apply(this.norm2.apply(u, ctx), ctx);
  }
}

/** Mean over all tokens (CLS included) or the CLS token → LayerNorm → linear classifier. */
class VitHead extends Layer {
  readonly norm: LayerNormLayer;
  readonly fc: DenseLayer;

  constructor(private readonly cfg: VitConfig, opts: LayerOptions) {
    super('head', 'head', -1);
    this.norm = this.addChild(new LayerNormLayer('head.norm', cfg.hiddenDim, cfg.layerNormEps, opts));
    this.fc = this.addChild(new DenseLayer('head.fc', cfg.hiddenDim, cfg.numClasses, opts));
  }

  protected forward(y: Tensor, ctx: ForwardContext): Tensor {
    const pooled =
      this.cfg.pooling === 'cls'
        ? tf.squeeze(tf.slice(y, [0, 0, 0], [-1, 1, -1]), [1]) // [B, D]
        : tf.mean(y, 1); // [B, D]: the repository pools first, then normalises
    return this.fc.apply(this.norm.apply(pooled, ctx), ctx); // [B, numClasses]
  }
}

/**
 * Vision Transformer (AC, residual or feedforward). Build it with `createVit`.
 *
 * @example
 * ```ts
 * const ac = createVit({ inputShape: [28, 28, 1], numClasses: 10, patchSize: 7, hiddenDim: 64, numHeads: 4, mlpDim: 128, depth: 6, connectivity: 'acn' });
 * const { logits, probes } = ac.forward(images, { probes: true }); // probes.length === 7
 * ```
 */
export class Vit extends BlockModel<VitConfig> {
  readonly embedding: Layer;
  readonly blocks: readonly Layer[];
  readonly head: Layer;
  /** Tokens per image T (patches, plus one with a CLS token). */
  readonly tokens: number;

  constructor(config: VitConfig) {
    super(config);
    const rng = new Rng(config.seed);
    const opts: LayerOptions = { depth: -1, fused: config.fused, rng };
    const [h, w] = config.inputShape;
    this.tokens = (h / config.patchSize) * (w / config.patchSize) + (config.clsToken ? 1 : 0);
    this.embedding = new VitEmbedding(config, this.tokens, opts);
    this.blocks = Array.from({ length: config.depth }, (_, i) => new VitBlock(i, config, { ...opts, depth: i }));
    this.head = new VitHead(config, opts);
  }

  validateInput(x: Tensor): void {
    checkInputShape(x, this.config.inputShape, 'Vit');
  }

  withConfig(config: VitConfig): Vit {
    return new Vit(vitConfig(config));
  }
}

/**
 * Creates a ViT from a (partial) configuration; throws `ConfigError` naming bad fields.
 *
 * @example
 * ```ts
 * const res = createVit({ inputShape: [32, 32, 3], numClasses: 10, patchSize: 4, hiddenDim: 128, numHeads: 4, mlpDim: 256, depth: 6, connectivity: 'residual' });
 * ```
 */
export function createVit(input: VitConfigInput): Vit {
  return new Vit(vitConfig(input));
}
