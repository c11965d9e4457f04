/*
 * Honest numbers for a pruned model (ecosystem.md §8.1, "why isn't my pruned model faster?"):
 * per layer, the non-zeros of the effective weight, the FLOPs the dense matmul really does, and
 * what a sparse kernel or a sparse format would cost.
 */
import { modelCost, tf, type BlockModel, type HookFilter } from '@acn/core';
import { csrBytes } from './csr';
import { matchesFilter } from './filter';

/**
 * One layer of a {@link sparsityReport}.
 *
 * @example
 * ```ts
 * const e: SparsityReportEntry = sparsityReport(model).layers[0];
 * console.log(e.path, e.sparsity, e.denseFlops, e.sparseFlops);
 * ```
 */
export interface SparsityReportEntry {
  readonly path: string;
  /** Shape of the reported weight (`[in, out]` for a kernel). */
  readonly shape: readonly number[];
  /** Elements of the weight. */
  readonly params: number;
  /** Non-zeros of the effective weight (after attached masks, or baked). */
  readonly nonZero: number;
  /** 1 − nonZero / params. */
  readonly sparsity: number;
  /** FLOPs per sample of the layer as computed (dense matmul: zeros are multiplied too), from `@acn/core`'s `modelCost`. */
  readonly denseFlops: number;
  /**
   * Estimate for a sparse kernel that skips zeros: `rows·(2·nonZero + out)` per sample (`rows` =
   * vectors mapped per sample, the bias add as present). Not measured: sparse kernels rarely reach
   * it below ~90% sparsity.
   */
  readonly sparseFlops: number;
  /** The weight stored dense as float32. */
  readonly denseBytes: number;
  /** The weight in CSR (float32 values, 16/32-bit column indices, 32-bit row pointers). */
  readonly csrBytes: number;
}

/**
 * Result of {@link sparsityReport}: the matched layers and their sums.
 *
 * @example
 * ```ts
 * const { total }: SparsityReport = sparsityReport(model);
 * ```
 */
export interface SparsityReport {
  readonly layers: readonly SparsityReportEntry[];
  readonly total: Omit<SparsityReportEntry, 'path' | 'shape'>;
}

/**
 * Options of {@link sparsityReport}.
 *
 * @example
 * ```ts
 * const o: SparsityReportOptions = { filter: { kind: 'dense', path: /^blocks\./ } };
 * ```
 */
export interface SparsityReportOptions {
  /** Which layers; default `{ kind: 'dense' }`. */
  readonly filter?: HookFilter;
  /** Which weight; default `kernel`. Layers without it (factorized) are left out. */
  readonly weight?: string;
  /** Input for the FLOP trace of `modelCost` (models whose input is not float images). */
  readonly input?: tf.Tensor;
}

/**
 * Per-layer sparsity, dense vs. sparse FLOPs, and dense vs. CSR bytes of the matched 2-D weights,
 * read from the effective weights (so attached pruning masks count, as do baked zeros). FLOPs come
 * from one traced forward of `@acn/core`'s `modelCost`.
 *
 * @example
 * ```ts
 * model.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.9 })));
 * const r = sparsityReport(model);
 * r.total.sparsity; // ≈ 0.9; r.total.denseFlops is unchanged, r.total.sparseFlops ≈ 0.1 of the matmuls
 * ```
 */
export function sparsityReport(model: BlockModel, options: SparsityReportOptions = {}): SparsityReport {
  const filter = options.filter ?? { kind: 'dense' };
  const name = options.weight ?? 'kernel';
  const flopsByPath = new Map(modelCost(model, { input: options.input }).layers.map((l) => [l.path, l.flops]));
  const layers: SparsityReportEntry[] = [];
  for (const layer of model.layers()) {
    if (!matchesFilter(filter, layer)) continue;
    const v = layer.weights[name];
    if (!v || v.rank !== 2) continue;
    const nzT = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(layer.w(name), 0), 'int32')));
    const nonZero = nzT.dataSync()[0];
    nzT.dispose();
    const [inDim, outDim] = v.shape;
    const denseFlops = flopsByPath.get(layer.path) ?? 0;
    // modelCost counts a dense layer as rows·(2·in·out + out·[bias]); recover rows per sample.
    const biasOut = name === 'kernel' && layer.weights.bias ? outDim : 0;
    const rows = denseFlops / (2 * inDim * outDim + biasOut);
    layers.push({
      path: layer.path,
      shape: [...v.shape],
      params: v.size,
      nonZero,
      sparsity: v.size > 0 ? 1 - nonZero / v.size : 0,
      denseFlops,
      sparseFlops: rows * (2 * nonZero + biasOut),
      denseBytes: v.size * 4,
      csrBytes: csrBytes(v.shape, nonZero),
    });
  }
  const sum = (k: 'params' | 'nonZero' | 'denseFlops' | 'sparseFlops' | 'denseBytes' | 'csrBytes') => layers.reduce((s, e) => s + e[k], 0);
  const params = sum('params');
  const nonZero = sum('nonZero');
  return {
    layers,
    total: {
      params,
      nonZero,
      sparsity: params > 0 ? 1 - nonZero / params : 0,
      denseFlops: sum('denseFlops'),
      sparseFlops: sum('sparseFlops'),
      denseBytes: sum('denseBytes'),
      csrBytes: sum('csrBytes'),
    },
  };
}
