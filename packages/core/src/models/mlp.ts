/**
 * A plain MLP with selectable connectivity (acn.md §2.1, an extrapolation of Eq. 1 to a toy
 * fully-connected net): x_0 = Dense(flatten(input)), f_i = GELU(Dense_i(·)), shared head
 * LN → Dense on the output y.
 *
 * Shapes: input `[B, ...inputShape]` → flatten `[B, F]` → `[B, D]` through every block → `[B, numClasses]`.
 */
import { z } from 'zod';
import type { ForwardContext } from '../hooks/types';
import { DenseLayer, type LayerOptions } from '../nn/dense-layer';
import { Layer } from '../nn/layer';
import { LayerNormLayer } from '../nn/layer-norm-layer';
import { gelu, geluFused, stopGradient } from '../ops';
import { Rng } from '../random';
import { tf, type Tensor } from '../tf';
import { BlockModel, type BaseModelConfig } from './block-model';
import { hasResidualBlocks } from '../connectivity/registry';
import { CONNECTIVITY_ENUM } from './connectivity';
import { checkInputShape } from './input-check';
import { parseConfig } from './validate-config';

/** Configuration of the plain MLP. */
export interface MlpConfig extends BaseModelConfig {
  readonly architecture: 'mlp';
  /** Shape of one input sample, e.g. `[28, 28, 1]` or `[784]`. Required. */
  readonly inputShape: readonly number[];
  /** Width D of every block. Default 128. */
  readonly hiddenDim: number;
  /** LayerNorm before the classifier of the shared head. Default true (the AC sum grows with depth). */
  readonly headNorm: boolean;
  /** LayerNorm epsilon. Default 1e-5. */
  readonly layerNormEps: number;
}

/** What a user must give; everything else has a default. */
export type MlpConfigInput = Partial<Omit<MlpConfig, 'architecture'>> & Pick<MlpConfig, 'inputShape' | 'numClasses'>;

/** zod schema of `MlpConfig` (defaults filled in). */
export const mlpConfigSchema = z
  .object({
    architecture: z.literal('mlp').default('mlp'),
    inputShape: z.array(z.number().int().min(1)).min(1),
    numClasses: z.number().int().min(2),
    hiddenDim: z.number().int().min(1).default(128),
    depth: z.number().int().min(1).default(4),
    headNorm: z.boolean().default(true),
    layerNormEps: z.number().positive().default(1e-5),
    connectivity: z.enum(CONNECTIVITY_ENUM).default('acn'),
    seed: z.number().int().min(0).default(0),
    fused: z.boolean().default(true),
  })
  .strict();

/**
 * Validates an MLP configuration and fills in defaults.
 *
 * @example
 * ```ts
 * const cfg = mlpConfig({ inputShape: [784], numClasses: 10, depth: 6 });
 * ```
 */
export function mlpConfig(input: MlpConfigInput): MlpConfig {
  return parseConfig(mlpConfigSchema, input, 'MlpConfig') as MlpConfig;
}

class MlpEmbedding extends Layer {
  readonly proj: DenseLayer;
  constructor(private readonly features: number, hiddenDim: number, opts: LayerOptions) {
    super('embedding', 'embedding', -1);
    this.proj = this.addChild(new DenseLayer('embedding.proj', features, hiddenDim, opts));
  }
  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    return this.proj.apply(tf.reshape(x, [x.shape[0], this.features]), ctx); // [B, F] -> [B, D]
  }
}

class MlpBlock extends Layer {
  readonly fc: DenseLayer;
  constructor(index: number, private readonly cfg: MlpConfig, opts: LayerOptions) {
    super(`blocks.${index}`, 'block', index);
    this.fc = this.addChild(new DenseLayer(`blocks.${index}.fc`, cfg.hiddenDim, cfg.hiddenDim, opts));
  }
  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    const act = this.cfg.fused ? geluFused : gelu;
    if (!hasResidualBlocks(this.cfg.connectivity)) return act(this.fc.apply(x, ctx));
    const xs = ctx.detachInputs ? stopGradient(x) : x; // DG pass: branch sees sg(x), identity keeps x
    return x.add(act(this.fc.apply(xs, ctx)));
  }
}

class MlpHead extends Layer {
  readonly norm?: LayerNormLayer;
  readonly fc: DenseLayer;
  constructor(cfg: MlpConfig, opts: LayerOptions) {
    super('head', 'head', -1);
    if (cfg.headNorm) this.norm = this.addChild(new LayerNormLayer('head.norm', cfg.hiddenDim, cfg.layerNormEps, opts));
    this.fc = this.addChild(new DenseLayer('head.fc', cfg.hiddenDim, cfg.numClasses, opts));
  }
  protected forward(y: Tensor, ctx: ForwardContext): Tensor {
    return this.fc.apply(this.norm ? this.norm.apply(y, ctx) : y, ctx);
  }
}

/**
 * Plain MLP with `acn`, `residual` or `feedforward` connectivity. Build it with `createMlp`.
 *
 * @example
 * ```ts
 * const mlp = createMlp({ inputShape: [28, 28, 1], numClasses: 10, depth: 6, hiddenDim: 64 });
 * ```
 */
export class Mlp extends BlockModel<MlpConfig> {
  readonly embedding: Layer;
  readonly blocks: readonly Layer[];
  readonly head: Layer;

  constructor(config: MlpConfig) {
    super(config);
    const rng = new Rng(config.seed);
    const opts: LayerOptions = { depth: -1, fused: config.fused, rng };
    const features = config.inputShape.reduce((a, b) => a * b, 1);
    this.embedding = new MlpEmbedding(features, config.hiddenDim, opts);
    this.blocks = Array.from({ length: config.depth }, (_, i) => new MlpBlock(i, config, { ...opts, depth: i }));
    this.head = new MlpHead(config, opts);
  }

  validateInput(x: Tensor): void {
    checkInputShape(x, this.config.inputShape, 'Mlp');
  }

  withConfig(config: MlpConfig): Mlp {
    return new Mlp(mlpConfig(config));
  }
}

/**
 * Creates a plain MLP; throws `ConfigError` naming bad fields.
 *
 * @example
 * ```ts
 * const ff = createMlp({ inputShape: [784], numClasses: 10, connectivity: 'feedforward' });
 * ```
 */
export function createMlp(input: MlpConfigInput): Mlp {
  return new Mlp(mlpConfig(input));
}
