import { gelu, geluFused } from '../ops';
import type { Tensor } from '../tf';
import type { ForwardContext } from '../hooks/types';
import { DenseLayer, type LayerOptions } from './dense-layer';
import { Layer } from './layer';

/**
 * Two dense layers with an exact (erf) GELU between them: `fc2(gelu(fc1(x)))`, over the last axis.
 * Used as the Mixer's channel MLP and the transformer FFN. Kind `mlp`; its children are `dense`.
 *
 * @example
 * ```ts
 * const mlp = new MlpLayer('blocks.0.channelMlp', 128, 512, 128, { depth: 0, fused: true, rng });
 * const y = mlp.apply(x, ctx); // [B, T, 128] -> [B, T, 128]
 * ```
 */
export class MlpLayer extends Layer {
  readonly fc1: DenseLayer;
  readonly fc2: DenseLayer;

  constructor(path: string, inDim: number, hiddenDim: number, outDim: number, private readonly opts: LayerOptions) {
    super(path, 'mlp', opts.depth);
    this.fc1 = this.addChild(new DenseLayer(`${path}.fc1`, inDim, hiddenDim, opts));
    this.fc2 = this.addChild(new DenseLayer(`${path}.fc2`, hiddenDim, outDim, opts));
  }

  /** Hidden width (fc1's output); smaller than built after hidden units were removed (`fc1.resize`, `fc2.resize`). */
  get hiddenDim(): number {
    return this.fc1.outDim;
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    const act = this.opts.fused ? geluFused : gelu;
    return this.fc2.apply(act(this.fc1.apply(x, ctx)), ctx);
  }
}
