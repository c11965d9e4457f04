/**
 * Per-block gradient L2 norms and their per-epoch heatmap (acn.md §4.4, paper Fig. 1 left): ACNs
 * show early-layer-heavy gradients early in training (implicit layer-wise training).
 */
import { tf, type EpochSummary, type GradientsEvent, type Tensor, type TrainerCallbacks } from '@acn/core';
import { groupBlockPaths, type BlockPattern } from './block-paths';
import { ColumnMeans, transpose } from './matrix';

/** Options of {@link blockGradientNorms}. */
export interface BlockGradientNormOptions {
  /**
   * One representative matrix per block instead of all of its weights, e.g.
   * `MIXER_REPRESENTATIVE_PATTERN` (`'blocks.<i>.channelMlp.fc1.kernel'`, the repository's choice).
   */
  readonly pattern?: BlockPattern;
}

/**
 * L2 norm of the gradient of each block, as L numbers.
 *
 * Default: the norm over **all** of block i's weights (every path under `blocks.<i>.`) taken as one
 * flattened vector, sqrt(Σ_w ||g_w||²). Why: it is architecture-independent, counts every parameter
 * the block's long connection trains, and equals the block's share of the global norm that
 * clipping uses. The paper's heatmap instead uses one matrix per block (acn.md §4.4); pass
 * `pattern` for that reading. Raw, unclipped fp32 values; normalise only for display.
 *
 * Leak-free: one `tf.tidy` and one `dataSync` for all blocks.
 *
 * @example
 * ```ts
 * const norms = blockGradientNorms(grads, model.depth); // [||g_block0||, ..., ||g_block(L-1)||]
 * const fc1 = blockGradientNorms(grads, model.depth, { pattern: MIXER_REPRESENTATIVE_PATTERN });
 * ```
 */
export function blockGradientNorms(grads: Readonly<Record<string, Tensor>>, depth: number, options: BlockGradientNormOptions = {}): number[] {
  const groups = groupBlockPaths(Object.keys(grads), depth, options.pattern);
  const t = tf.tidy(() => {
    // [L]: per block Σ over its tensors of Σ g², then sqrt.
    const sq = groups.map((paths) => tf.addN(paths.map((p) => tf.sum(tf.square(grads[p])))));
    return tf.sqrt(tf.stack(sq));
  });
  try {
    return Array.from(t.dataSync());
  } finally {
    t.dispose();
  }
}

/** Options of {@link GradientNormTracker}. */
export interface GradientNormTrackerOptions extends BlockGradientNormOptions {
  /** Sample every N-th optimizer step (global step % every === 0). Default 1 (every step). */
  readonly every?: number;
}

/**
 * Trainer callback that records {@link blockGradientNorms} of the raw gradients at (sampled) steps
 * and averages them per epoch. It only reads gradients, so training is unchanged.
 *
 * `matrix()` is **epochs × depth** (one row per finished epoch); `layersByEpochs()` is its
 * transpose for a heatmap with layers as rows. An epoch without a sampled step (large `every`)
 * gives a row of NaN, so rows stay aligned with epochs.
 *
 * @example
 * ```ts
 * const norms = new GradientNormTracker(model.depth, { pattern: MIXER_REPRESENTATIVE_PATTERN });
 * await train(model, trainSet, { epochs: 5, callbacks: norms });
 * norms.matrix(); // 5 × L
 * ```
 */
export class GradientNormTracker implements TrainerCallbacks {
  private readonly every: number;
  private readonly current: ColumnMeans;
  private readonly rows: number[][] = [];
  private readonly epochNumbers: number[] = [];
  private readonly counts: number[] = [];

  constructor(readonly depth: number, private readonly options: GradientNormTrackerOptions = {}) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`GradientNormTracker: depth must be an integer >= 1, got ${depth}`);
    this.every = options.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`GradientNormTracker: every must be an integer >= 1, got ${options.every}`);
    this.current = new ColumnMeans(depth);
  }

  /** Trainer hook: adds this step's per-block norms to the running epoch mean (sampled steps only). */
  onGradients(e: GradientsEvent): void {
    if (e.step % this.every !== 0) return;
    this.current.add(blockGradientNorms(e.grads, this.depth, this.options));
  }

  /** Trainer hook: closes the epoch's row. */
  onEpochEnd(summary: EpochSummary): void {
    this.rows.push(this.current.means());
    this.counts.push(this.current.rows);
    this.epochNumbers.push(summary.epoch);
    this.current.reset();
  }

  /** Mean per-block gradient norm, epochs × depth (rows = epochs). Copies. */
  matrix(): number[][] {
    return this.rows.map((r) => r.slice());
  }

  /** The transpose of {@link matrix}: depth × epochs (rows = layers), the layout of acn.md §4.4's figure. */
  layersByEpochs(): number[][] {
    return transpose(this.rows);
  }

  /** Epoch number of every row. */
  get epochs(): number[] {
    return this.epochNumbers.slice();
  }

  /** Number of sampled steps averaged into every row. */
  get samplesPerEpoch(): number[] {
    return this.counts.slice();
  }
}
