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

  /** Rank r when the kernel is stored factored (`kernelA` `[in, r]`, `kernelB` `[r, out]`), else undefined. */
  get rank(): number | undefined {
    return this.weights.kernelA?.shape[1];
  }

  /**
   * Stores the kernel as two factors, `K = A B` with `A` `[in, r]` and `B` `[r, out]`, and
   * computes `(x A) B`: `2·(in + out)·r` instead of `2·in·out` FLOPs per row. Replaces the
   * `kernel` weight by `kernelA` and `kernelB` (copies of the given tensors). Used by low-rank
   * baking and by checkpoint loading of factored models.
   *
   * @example
   * ```ts
   * fc.factorize(a, b); // fc.rank === a.shape[1]; fc.weights.kernel is gone
   * ```
   */
  factorize(a: Tensor, b: Tensor): void {
    const r = a.shape[1];
    if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== this.inDim || b.shape[1] !== this.outDim || b.shape[0] !== r) {
      throw new Error(`layer ${this.path}: factors must be [${this.inDim}, r] and [r, ${this.outDim}], got ${JSON.stringify(a.shape)} and ${JSON.stringify(b.shape)}`);
    }
    if (this.rank !== undefined) {
      this.removeWeight('kernelA');
      this.removeWeight('kernelB');
    } else {
      this.removeWeight('kernel');
    }
    this.addWeight('kernelA', a.clone());
    this.addWeight('kernelB', b.clone());
  }

  protected forward(x: Tensor): Tensor {
    const op = this.opts.fused ? denseFused : dense;
    const bias = this.hasBias ? this.w('bias') : undefined;
    if (this.rank === undefined) return op(x, this.w('kernel'), bias);
    return op(op(x, this.w('kernelA')), this.w('kernelB'), bias); // [.., in] -> [.., r] -> [.., out]
  }
}
