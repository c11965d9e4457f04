import { dense, denseFused } from '../ops';
import type { Rng } from '../random';
import type { Tensor } from '../tf';
import { torchUniform } from './init';
import { Layer } from './layer';

/** Options shared by the layers in `nn/`. */
export interface LayerOptions {
  /** Block index (0-based) that owns this layer; -1 outside the block stack. */
  readonly depth: number;
  /** Use the custom-gradient fused ops (faster on wasm, checked against plain autodiff). */
  readonly fused: boolean;
  readonly rng: Rng;
}

/**
 * Affine map `y = x K + b` over the last axis. Weights: `kernel` `[in, out]` (tfjs convention;
 * transpose for PyTorch's `[out, in]`), `bias` `[out]`. PyTorch-default initialization.
 *
 * @example
 * ```ts
 * const fc = new DenseLayer('head.fc', 128, 10, { depth: -1, fused: true, rng: new Rng(0) });
 * const y = fc.apply(x, ctx); // [B, 128] -> [B, 10]
 * ```
 */
export class DenseLayer extends Layer {
  constructor(
    path: string,
    readonly inDim: number,
    readonly outDim: number,
    private readonly opts: LayerOptions & { readonly bias?: boolean },
  ) {
    super(path, 'dense', opts.depth);
    this.addWeight('kernel', torchUniform([inDim, outDim], inDim, opts.rng));
    if (opts.bias !== false) this.addWeight('bias', torchUniform([outDim], inDim, opts.rng));
  }

  get hasBias(): boolean {
    return 'bias' in this.weights;
  }

  protected forward(x: Tensor): Tensor {
    const op = this.opts.fused ? denseFused : dense;
    return op(x, this.w('kernel'), this.hasBias ? this.w('bias') : undefined);
  }
}
