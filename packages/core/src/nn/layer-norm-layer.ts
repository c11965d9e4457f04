import { layerNorm, layerNormFused } from '../ops';
import { tf, type Tensor } from '../tf';
import type { LayerOptions } from './dense-layer';
import { Layer } from './layer';

/**
 * LayerNorm over the last axis with PyTorch semantics (biased variance, `gamma`=1, `beta`=0 at
 * init). `eps` defaults per architecture (acn.md §8.5: 1e-5 Mixer, 1e-12 BERT).
 *
 * @example
 * ```ts
 * const ln = new LayerNormLayer('blocks.0.norm1', 128, 1e-5, { depth: 0, fused: true, rng });
 * ```
 */
export class LayerNormLayer extends Layer {
  constructor(
    path: string,
    readonly dim: number,
    readonly eps: number,
    private readonly opts: Omit<LayerOptions, 'rng'> & Partial<Pick<LayerOptions, 'rng'>>,
  ) {
    super(path, 'norm', opts.depth);
    this.addWeight('gamma', tf.ones([dim]));
    this.addWeight('beta', tf.zeros([dim]));
  }

  protected forward(x: Tensor): Tensor {
    const op = this.opts.fused ? layerNormFused : layerNorm;
    return op(x, this.w('gamma'), this.w('beta'), this.eps);
  }
}
