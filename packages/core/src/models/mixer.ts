/**
 * MLP-Mixer with selectable connectivity (acn.md §2.2): AC-Mixer, Res-Mixer and the feedforward
 * baseline, for any `[H, W, C]` image input.
 *
 * Shapes: images `[B, H, W, C]` → patches `[B, N, p·p·C]` (N = HW/p²) → tokens `[B, T, D]`
 * (T = N + 1 with a CLS token) → blocks keep `[B, T, D]` → head `[B, numClasses]`.
 */
import { z } from 'zod';
import type { ForwardContext } from '../hooks/types';
import { DenseLayer, type LayerOptions } from '../nn/dense-layer';
import { standardNormal } from '../nn/init';
import { Layer } from '../nn/layer';
import { LayerNormLayer } from '../nn/layer-norm-layer';
import { MlpLayer } from '../nn/mlp-layer';
import { TokenMixingLayer } from '../nn/token-mixing-layer';
import { stopGradient } from '../ops';
import { Rng } from '../random';
import { tf, type Tensor } from '../tf';
import { BlockModel, type BaseModelConfig } from './block-model';
import { hasResidualBlocks } from '../connectivity/registry';
import { CONNECTIVITY_ENUM } from './connectivity';
import { InputError } from './errors';
import { checkInputShape } from './input-check';
import { parseConfig } from './validate-config';

/** Configuration of an MLP-Mixer. Defaults are the paper's CIFAR-10 Mixer (acn.md §2.2) unless noted. */
export interface MixerConfig extends BaseModelConfig {
  readonly architecture: 'mixer';
  /** `[H, W, C]`, e.g. `[28, 28, 1]` (Fashion-MNIST) or `[32, 32, 3]` (CIFAR-10). Required. */
  readonly inputShape: readonly [number, number, number];
  /** Square patch side; must divide H and W. Default 4. */
  readonly patchSize: number;
  /** Token width D. Default 128. */
  readonly hiddenDim: number;
  /** Hidden width of the token-mixing MLP (D_S). Default 64. */
  readonly tokenMlpDim: number;
  /** Hidden width of the channel-mixing MLP (D_C). Default 512. */
  readonly channelMlpDim: number;
  /** `cls`: prepend a learnable CLS token (N(0,1) init) and classify it (the paper's runs); `mean`: mean-pool tokens. Default `cls`. */
  readonly pooling: 'cls' | 'mean';
  /**
   * The repository's post-block `x_out = LN(ReLU(Dense(b) + x))` (acn.md §2.2 step 3, ambiguity A1).
   * Default `none`: the paper describes pure long connections, and the post-block re-introduces a
   * short skip from each block's input inside AC blocks, which is exactly what ACN removes. Use
   * `linearReluSkipLN` to reproduce the repository (and most likely the paper's Mixer numbers).
   */
  readonly postBlock: 'none' | 'linearReluSkipLN';
  /** LayerNorm epsilon. Default 1e-5 (PyTorch). */
  readonly layerNormEps: number;
}

/** What a user must give; everything else has a default. */
export type MixerConfigInput = Partial<Omit<MixerConfig, 'architecture'>> & Pick<MixerConfig, 'inputShape' | 'numClasses'>;

const positiveInt = z.number().int().min(1);

/** zod schema of `MixerConfig` (defaults filled in). */
export const mixerConfigSchema = z
  .object({
    architecture: z.literal('mixer').default('mixer'),
    inputShape: z.tuple([positiveInt, positiveInt, positiveInt]),
    numClasses: z.number().int().min(2),
    patchSize: positiveInt.default(4),
    hiddenDim: positiveInt.default(128),
    tokenMlpDim: positiveInt.default(64),
    channelMlpDim: positiveInt.default(512),
    depth: positiveInt.default(16),
    pooling: z.enum(['cls', 'mean']).default('cls'),
    postBlock: z.enum(['none', 'linearReluSkipLN']).default('none'),
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
  });

/**
 * Validates a Mixer configuration and fills in defaults.
 *
 * @example
 * ```ts
 * const cfg = mixerConfig({ inputShape: [28, 28, 1], numClasses: 10, depth: 8 });
 * ```
 */
export function mixerConfig(input: MixerConfigInput): MixerConfig {
  return parseConfig(mixerConfigSchema, input, 'MixerConfig') as MixerConfig;
}

/** x_0: patchify (reshape/transpose, no conv: its gradient is missing on wasm) → dense → optional CLS. */
class MixerEmbedding extends Layer {
  readonly patch: DenseLayer;

  constructor(private readonly cfg: MixerConfig, opts: LayerOptions) {
    super('embedding', 'embedding', -1);
    const [, , c] = cfg.inputShape;
    const p = cfg.patchSize;
    // Same fan-in as the repository's Conv2d(C→D, k=p, s=p), hence the same PyTorch init.
    // Kernel rows are ordered (row-in-patch, col-in-patch, channel); PyTorch's conv weight
    // [D, C, p, p] maps to it by permute(2, 3, 1, 0).reshape(p*p*C, D).
    this.patch = this.addChild(new DenseLayer('embedding.patch', p * p * c, cfg.hiddenDim, opts));
    if (cfg.pooling === 'cls') this.addWeight('cls', standardNormal([1, 1, cfg.hiddenDim], opts.rng));
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    const [h, w, c] = this.cfg.inputShape;
    const p = this.cfg.patchSize;
    const b = x.shape[0];
    const gh = h / p;
    const gw = w / p;
    // [B, H, W, C] -> [B, gh, p, gw, p, C] -> [B, gh, gw, p, p, C] -> [B, N, p*p*C]
    const patches = tf.reshape(tf.transpose(tf.reshape(x, [b, gh, p, gw, p, c]), [0, 1, 3, 2, 4, 5]), [b, gh * gw, p * p * c]);
    const tokens = this.patch.apply(patches, ctx); // [B, N, D]
    if (this.cfg.pooling !== 'cls') return tokens;
    const cls = tf.tile(this.w('cls'), [b, 1, 1]); // [B, 1, D]
    return tf.concat([cls, tokens], 1); // [B, N+1, D]
  }
}

/** One Mixer block f_i; `residual` decides whether its sub-layers keep short skips. */
class MixerBlock extends Layer {
  readonly norm1: LayerNormLayer;
  readonly tokenMix: TokenMixingLayer;
  readonly norm2: LayerNormLayer;
  readonly channelMlp: MlpLayer;
  readonly postFc?: DenseLayer;
  readonly norm3?: LayerNormLayer;

  constructor(index: number, tokens: number, private readonly cfg: MixerConfig, opts: LayerOptions) {
    const path = `blocks.${index}`;
    super(path, 'block', index);
    const d = cfg.hiddenDim;
    this.norm1 = this.addChild(new LayerNormLayer(`${path}.norm1`, d, cfg.layerNormEps, opts));
    this.tokenMix = this.addChild(new TokenMixingLayer(`${path}.tokenMix`, tokens, cfg.tokenMlpDim, opts));
    this.norm2 = this.addChild(new LayerNormLayer(`${path}.norm2`, d, cfg.layerNormEps, opts));
    this.channelMlp = this.addChild(new MlpLayer(`${path}.channelMlp`, d, cfg.channelMlpDim, d, opts));
    if (cfg.postBlock === 'linearReluSkipLN') {
      this.postFc = this.addChild(new DenseLayer(`${path}.postFc`, d, d, opts));
      this.norm3 = this.addChild(new LayerNormLayer(`${path}.norm3`, d, cfg.layerNormEps, opts));
    }
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    let b: Tensor;
    if (hasResidualBlocks(this.cfg.connectivity)) {
      // Pre-LN sub-residuals. In a direct-gradient pass the branches see sg(x) while the identity
      // path keeps x (acn.md §4.5, the repository's dfa_res_mixer.py).
      const xs = ctx.detachInputs ? stopGradient(x) : x;
      const t = this.tokenMix.apply(this.norm1.apply(xs, ctx), ctx);
      const c = this.channelMlp.apply(this.norm2.apply(xs.add(t), ctx), ctx);
      b = x.add(t).add(c); // = a + c with a = x + t
    } else {
      const a = this.tokenMix.apply(this.norm1.apply(x, ctx), ctx);
      b = this.channelMlp.apply(this.norm2.apply(a, ctx), ctx);
    }
    if (!this.postFc || !this.norm3) return b;
    return this.norm3.apply(tf.relu(this.postFc.apply(b, ctx).add(x)), ctx);
  }
}

/** Final LayerNorm → CLS token (or mean over tokens) → linear classifier. */
class MixerHead extends Layer {
  readonly norm: LayerNormLayer;
  readonly fc: DenseLayer;

  constructor(private readonly cfg: MixerConfig, opts: LayerOptions) {
    super('head', 'head', -1);
    this.norm = this.addChild(new LayerNormLayer('head.norm', cfg.hiddenDim, cfg.layerNormEps, opts));
    this.fc = this.addChild(new DenseLayer('head.fc', cfg.hiddenDim, cfg.numClasses, opts));
  }

  protected forward(y: Tensor, ctx: ForwardContext): Tensor {
    const n = this.norm.apply(y, ctx); // [B, T, D]
    const pooled =
      this.cfg.pooling === 'cls'
        ? tf.squeeze(tf.slice(n, [0, 0, 0], [-1, 1, -1]), [1]) // [B, D]
        : tf.mean(n, 1); // [B, D]
    return this.fc.apply(pooled, ctx); // [B, numClasses]
  }
}

/**
 * MLP-Mixer (AC, residual or feedforward). Build it with `createMixer`.
 *
 * @example
 * ```ts
 * const ac = createMixer({ inputShape: [28, 28, 1], numClasses: 10, depth: 8, connectivity: 'acn', seed: 1 });
 * const logits = ac.predict(images); // [B, 10]
 * ```
 */
export class MlpMixer extends BlockModel<MixerConfig> {
  readonly embedding: Layer;
  readonly blocks: readonly Layer[];
  readonly head: Layer;
  /** Tokens per image T (patches, plus one with a CLS token). */
  readonly tokens: number;

  constructor(config: MixerConfig) {
    super(config);
    const rng = new Rng(config.seed);
    const opts: LayerOptions = { depth: -1, fused: config.fused, rng };
    const [h, w] = config.inputShape;
    this.tokens = (h / config.patchSize) * (w / config.patchSize) + (config.pooling === 'cls' ? 1 : 0);
    this.embedding = new MixerEmbedding(config, opts);
    this.blocks = Array.from({ length: config.depth }, (_, i) => new MixerBlock(i, this.tokens, config, { ...opts, depth: i }));
    this.head = new MixerHead(config, opts);
  }

  validateInput(x: Tensor): void {
    checkInputShape(x, this.config.inputShape, 'MlpMixer');
  }

  withConfig(config: MixerConfig): MlpMixer {
    return new MlpMixer(mixerConfig(config));
  }
}

/**
 * Creates an MLP-Mixer from a (partial) configuration; throws `ConfigError` naming bad fields.
 *
 * @example
 * ```ts
 * const res = createMixer({ inputShape: [32, 32, 3], numClasses: 10, connectivity: 'residual' });
 * ```
 */
export function createMixer(input: MixerConfigInput): MlpMixer {
  return new MlpMixer(mixerConfig(input));
}

