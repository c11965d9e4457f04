/**
 * Direct Gradient (DG) vs Full Gradient (FG) per block (acn.md §1.4, §3.3, §4.5, ambiguity A3).
 *
 * FG is the normal gradient of the cross-entropy. DG is the gradient of the same loss, on the same
 * batch and parameters, with every block input stop-gradiented (`detachInputs: true`): for
 * `acn` / `feedforward` x_i = f_i(sg(x_{i−1})), for `residual` the branch inputs only. Each block
 * then receives gradient only through its own connection to the output (the "1" term of the
 * backward factor). Both the repository's cosine and the paper's "ratio" (read as a norm ratio) are
 * reported, plus the projection ⟨g_DG, g_FG⟩ / ||g_FG||².
 */
import {
  crossEntropy,
  tf,
  type BlockModel,
  type EpochSummary,
  type GradientsEvent,
  type Tensor,
  type TrainerCallbacks,
} from '@acn/core';
import { groupBlockPaths, type BlockPattern } from './block-paths';
import { ColumnMeans, transpose } from './matrix';

/**
 * DG vs FG of one block, both flattened into one vector over the block's weights (or its `pattern`
 * matrix). Undefined values are NaN: with ||g_FG|| = 0, `normRatio`, `projection` and `cosine` are
 * NaN; with ||g_DG|| = 0 < ||g_FG||, `cosine` is NaN (no direction) while `normRatio` and
 * `projection` are 0.
 *
 * @example
 * ```ts
 * const [first] = directVsFullGradients(model, x, y);
 * first.cosine; first.normRatio; // in [−1, 1] and >= 0
 * ```
 */
export interface GradientComparison {
  /** cos(g_DG, g_FG), clamped to [−1, 1] against rounding. */
  readonly cosine: number;
  /** ||g_DG|| / ||g_FG||. */
  readonly normRatio: number;
  /** ⟨g_DG, g_FG⟩ / ||g_FG||²: the share of FG along its own direction that DG accounts for. */
  readonly projection: number;
  readonly dgNorm: number;
  readonly fgNorm: number;
}

/** Options of {@link blockGradients}. */
export interface BlockGradientsOptions {
  /** Stop-gradient every block input (the DG pass). Default false (FG). */
  readonly detachInputs?: boolean;
  /** Label smoothing ε of the cross-entropy; must match training's to compare with its gradients. Default 0. */
  readonly labelSmoothing?: number;
  /** Restrict to one representative matrix per block (see `BlockPattern`). Default: all block weights. */
  readonly pattern?: BlockPattern;
  /**
   * Forward in training mode (what the trainer's step does, so hooks behave as they do for the
   * gradients the optimizer sees). Default true.
   */
  readonly training?: boolean;
}

/**
 * Gradients of the cross-entropy of the full model's logits w.r.t. the trainable block weights
 * (or the pattern matrices), by parameter path. Embedding and head weights are not returned. The
 * caller disposes the tensors; nothing else is left behind and no variable is changed.
 *
 * @example
 * ```ts
 * const dg = blockGradients(model, x, y, { detachInputs: true }); // { 'blocks.0.fc.kernel': ..., ... }
 * tf.dispose(Object.values(dg));
 * ```
 */
export function blockGradients(model: BlockModel, x: Tensor, y: Tensor, options: BlockGradientsOptions = {}): Record<string, Tensor> {
  const weights = Object.entries(model.namedWeights()).filter(([, v]) => v.trainable);
  const wanted = groupBlockPaths(
    weights.map(([p]) => p),
    model.depth,
    options.pattern,
  ).flat();
  const byPath = new Map(weights);
  const vars = wanted.map((p) => byPath.get(p)!);
  const { value, grads } = tf.variableGrads(() => {
    const { logits } = model.forward(x, { training: options.training ?? true, detachInputs: options.detachInputs ?? false });
    return crossEntropy(logits, y, options.labelSmoothing ?? 0) as tf.Scalar; // mean over the batch, as in trainStep
  }, vars);
  value.dispose();
  const out: Record<string, Tensor> = {};
  wanted.forEach((p, i) => {
    out[p] = grads[vars[i].name];
  });
  return out;
}

/** Options of {@link compareBlockGradients}. */
export interface CompareBlockGradientsOptions {
  /** Compare only these matrices (one per block). Default: every `blocks.<i>.*` path of `dg`. */
  readonly pattern?: BlockPattern;
}

/**
 * Per-block cosine, norm ratio and projection of two gradient sets by path. Blocks are grouped
 * from `dg`'s paths; `fg` must hold the same paths (it may hold more, e.g. the trainer's embedding
 * and head gradients, which are ignored). Leak-free: one tidy, one `dataSync`.
 *
 * @example
 * ```ts
 * const stats = compareBlockGradients(dg, event.grads, model.depth); // stats[i].cosine, .normRatio, ...
 * ```
 */
export function compareBlockGradients(
  dg: Readonly<Record<string, Tensor>>,
  fg: Readonly<Record<string, Tensor>>,
  depth: number,
  options: CompareBlockGradientsOptions = {},
): GradientComparison[] {
  const groups = groupBlockPaths(Object.keys(dg), depth, options.pattern);
  for (const p of groups.flat()) {
    if (!fg[p]) throw new RangeError(`compareBlockGradients: the full gradients have no '${p}'`);
    if (fg[p].shape.join() !== dg[p].shape.join()) {
      throw new RangeError(`compareBlockGradients: '${p}' has shape ${JSON.stringify(dg[p].shape)} in DG but ${JSON.stringify(fg[p].shape)} in FG`);
    }
  }
  const t = tf.tidy(() => {
    // [L, 3]: per block ⟨dg, fg⟩, ||dg||², ||fg||² summed over the block's tensors (= the dot
    // products of the flattened block vectors, without materialising the concatenation).
    const sum = (paths: string[], f: (p: string) => Tensor) => tf.addN(paths.map((p) => tf.sum(f(p))));
    const rows = groups.map((paths) =>
      tf.stack([sum(paths, (p) => tf.mul(dg[p], fg[p])), sum(paths, (p) => tf.square(dg[p])), sum(paths, (p) => tf.square(fg[p]))]),
    );
    return tf.stack(rows);
  });
  let v: Float32Array | Int32Array | Uint8Array;
  try {
    v = t.dataSync();
  } finally {
    t.dispose();
  }
  return groups.map((_, i) => {
    const dot = v[3 * i];
    const dgNorm = Math.sqrt(v[3 * i + 1]);
    const fgNorm = Math.sqrt(v[3 * i + 2]);
    const cosine = dgNorm > 0 && fgNorm > 0 ? Math.min(1, Math.max(-1, dot / (dgNorm * fgNorm))) : NaN;
    const normRatio = fgNorm > 0 ? dgNorm / fgNorm : NaN;
    const projection = fgNorm > 0 ? dot / (fgNorm * fgNorm) : NaN;
    return { cosine, normRatio, projection, dgNorm, fgNorm };
  });
}

/** Options of {@link directVsFullGradients}. */
export interface DirectVsFullOptions {
  /** Label smoothing ε of the loss (the same for both passes). Default 0. */
  readonly labelSmoothing?: number;
  /** One representative matrix per block, e.g. `MIXER_REPRESENTATIVE_PATTERN` (the repository's metric). */
  readonly pattern?: BlockPattern;
  /** Forward in training mode. Default true. */
  readonly training?: boolean;
}

/**
 * DG vs FG for every block on one batch `x` `[B, ...]`, `y` `[B]` with the current parameters: two
 * backward passes (FG, then DG with `detachInputs: true`), compared per block. Leak-free; does not
 * change any variable. For an `acn` model the last block always has DG == FG (no block downstream),
 * and block i has DG == FG whenever the blocks after it are constant.
 *
 * @example
 * ```ts
 * const perBlock = directVsFullGradients(model, x, y, { pattern: MIXER_REPRESENTATIVE_PATTERN });
 * perBlock.map((b) => b.cosine); // L values; ACN: high in early layers early in training
 * ```
 */
export function directVsFullGradients(model: BlockModel, x: Tensor, y: Tensor, options: DirectVsFullOptions = {}): GradientComparison[] {
  const fg = blockGradients(model, x, y, { ...options, detachInputs: false });
  try {
    const dg = blockGradients(model, x, y, { ...options, detachInputs: true });
    try {
      return compareBlockGradients(dg, fg, model.depth, { pattern: options.pattern });
    } finally {
      tf.dispose(Object.values(dg));
    }
  } finally {
    tf.dispose(Object.values(fg));
  }
}

/**
 * The per-block quantities {@link DirectGradientTracker} averages.
 *
 * @example
 * ```ts
 * const m: DirectGradientMetric = 'normRatio';
 * tracker.matrix(m);
 * ```
 */
export type DirectGradientMetric = 'cosine' | 'normRatio' | 'projection';

/** Options of {@link DirectGradientTracker}. */
export interface DirectGradientTrackerOptions extends DirectVsFullOptions {
  /** Sample every N-th optimizer step (global step % every === 0). Default 10: a sample costs one extra forward + backward. */
  readonly every?: number;
  /**
   * Recompute FG instead of using the trainer's gradients. Needed when training adds `extraLoss`
   * terms (the trainer's gradients then include them, the DG pass does not). Default false.
   */
  readonly recomputeFull?: boolean;
}

const METRICS: readonly DirectGradientMetric[] = ['cosine', 'normRatio', 'projection'];

/**
 * Trainer callback logging DG vs FG per block (acn.md §4.5, §8.8). At sampled steps it runs the DG
 * pass on the step's own batch and parameters (the event comes before the optimizer update) and
 * compares it with the trainer's raw, unclipped gradients as FG, so FG is not recomputed. Per-step
 * values are averaged per epoch (NaN samples skipped; an epoch without samples gives NaN).
 *
 * It never touches the optimizer or the variables, and frees its tensors, so training is unchanged.
 * Pass the run's `labelSmoothing` so that both passes use the same loss.
 *
 * @example
 * ```ts
 * const dgfg = new DirectGradientTracker(model, { every: 10, labelSmoothing: 0.1 });
 * await train(model, trainSet, { epochs: 5, labelSmoothing: 0.1, callbacks: dgfg });
 * dgfg.matrix('cosine'); // 5 × L; dgfg.matrix('normRatio') likewise
 * ```
 */
export class DirectGradientTracker implements TrainerCallbacks {
  private readonly every: number;
  private readonly current: Record<DirectGradientMetric, ColumnMeans>;
  private readonly rows: Record<DirectGradientMetric, number[][]> = { cosine: [], normRatio: [], projection: [] };
  private readonly epochNumbers: number[] = [];
  private readonly counts: number[] = [];

  constructor(private readonly model: BlockModel, private readonly options: DirectGradientTrackerOptions = {}) {
    this.every = options.every ?? 10;
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`DirectGradientTracker: every must be an integer >= 1, got ${options.every}`);
    const L = model.depth;
    this.current = { cosine: new ColumnMeans(L), normRatio: new ColumnMeans(L), projection: new ColumnMeans(L) };
  }

  /** Trainer hook: at sampled steps, one DG pass on the event's batch, compared with the event's gradients. */
  onGradients(e: GradientsEvent): void {
    if (e.step % this.every !== 0) return;
    const { labelSmoothing, pattern, training } = this.options;
    let stats: GradientComparison[];
    if (this.options.recomputeFull) {
      stats = directVsFullGradients(this.model, e.x, e.y, { labelSmoothing, pattern, training });
    } else {
      const dg = blockGradients(this.model, e.x, e.y, { labelSmoothing, pattern, training, detachInputs: true });
      try {
        stats = compareBlockGradients(dg, e.grads, this.model.depth, { pattern });
      } finally {
        tf.dispose(Object.values(dg));
      }
    }
    for (const m of METRICS) this.current[m].add(stats.map((s) => s[m]));
  }

  /** Trainer hook: closes the epoch's rows. */
  onEpochEnd(summary: EpochSummary): void {
    this.counts.push(this.current.cosine.rows); // before the reset below
    this.epochNumbers.push(summary.epoch);
    for (const m of METRICS) {
      this.rows[m].push(this.current[m].means());
      this.current[m].reset();
    }
  }

  /** Per-epoch mean of `metric`, epochs × depth (rows = epochs). Copies. */
  matrix(metric: DirectGradientMetric = 'cosine'): number[][] {
    return this.rows[metric].map((r) => r.slice());
  }

  /** The transpose of {@link matrix}: depth × epochs (rows = layers), the layout of the paper's Fig. 2 right. */
  layersByEpochs(metric: DirectGradientMetric = 'cosine'): number[][] {
    return transpose(this.rows[metric]);
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
