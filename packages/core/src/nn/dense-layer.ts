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
  /** Widths as built by the architecture (before any `resize`). */
  readonly builtDims: readonly [number, number];
  private dims: [number, number];

  constructor(
    path: string,
    inDim: number,
    outDim: number,
    private readonly opts: LayerOptions & { readonly bias?: boolean },
  ) {
    super(path, 'dense', opts.depth);
    this.builtDims = [inDim, outDim];
    this.dims = [inDim, outDim];
    this.addWeight('kernel', torchUniform([inDim, outDim], inDim, opts.rng));
    if (opts.bias !== false) this.addWeight('bias', torchUniform([outDim], inDim, opts.rng));
  }

  /** Input width (the kernel's rows); changes with `resize`. */
  get inDim(): number {
    return this.dims[0];
  }

  /** Output width (the kernel's columns); changes with `resize`. */
  get outDim(): number {
    return this.dims[1];
  }

  /** True when `resize` changed the widths the architecture built (recorded in `model.structure().resized`). */
  get resized(): boolean {
    return this.dims[0] !== this.builtDims[0] || this.dims[1] !== this.builtDims[1];
  }

  /**
   * Replaces the kernel (and bias) by tensors of new widths, `[in', out']` and `[out']` (copies;
   * the caller keeps ownership of the arguments). Used by structured pruning that removes hidden
   * units (`@acn/prune`'s `removeNeurons`) and by checkpoint loading of resized models. The
   * neighbouring layers must be resized to match by the caller. Refuses while hooks are bound
   * (their state, e.g. a mask, has the old shape) or when the kernel is stored factorized.
   *
   * @example
   * ```ts
   * fc1.resize(tf.zeros([16, 8]), tf.zeros([8])); // fc1.outDim === 8
   * ```
   */
  resize(kernel: Tensor, bias?: Tensor): void {
    if (this.rank !== undefined) throw new Error(`layer ${this.path}: cannot resize a kernel stored factorized (rank ${this.rank}); resize before low-rank baking`);
    if (this.bindings.length > 0) {
      throw new Error(`layer ${this.path}: cannot resize while hooks are attached (${this.bindings.map((b) => `'${b.hook.name}'`).join(', ')}); bake or dispose them first`);
    }
    const [i, o] = kernel.shape;
    if (kernel.rank !== 2 || !(i > 0) || !(o > 0)) throw new Error(`layer ${this.path}: resize needs a 2-D kernel [in, out] with in, out >= 1, got ${JSON.stringify(kernel.shape)}`);
    if (this.hasBias !== (bias !== undefined)) throw new Error(`layer ${this.path}: resize ${this.hasBias ? 'needs' : 'takes no'} a bias (the layer ${this.hasBias ? 'has' : 'has no'} one)`);
    if (bias && (bias.rank !== 1 || bias.shape[0] !== o)) throw new Error(`layer ${this.path}: resize bias must be [${o}], got ${JSON.stringify(bias.shape)}`);
    // Remove both, then add in the built order (kernel, bias), so `namedWeights()` keeps its order.
    this.removeWeight('kernel');
    if (bias) this.removeWeight('bias');
    this.addWeight('kernel', kernel.clone());
    if (bias) this.addWeight('bias', bias.clone());
    this.dims = [i, o];
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
