/**
 * The compressed forms compared by the example, built from the plugins (the example, not
 * `@acn/vcon`, imports them), and how each one's deployed size is measured.
 */
import { checkpointBytes, modelCost } from '@acn/core';
import { lowRank } from '@acn/lowrank';
import { exportSparse, magnitudePruning } from '@acn/prune';
import { binaryQuantizer, exportQuantized } from '@acn/quant';
import type { BlockModel, Compressor, HookFilter, LayerInfo } from '@acn/core';
import type { Modality, VconExampleOptions } from './cli';

/**
 * Every dense layer inside the blocks (token- and channel-mixing MLPs), as the authors compress
 * every linear layer of the encoder blocks and leave the patch embedding and the head dense
 * (vcon.md §1.3).
 */
export const BLOCK_DENSE: HookFilter = { kind: 'dense', path: /^blocks\./ };

/**
 * Low-rank rank of one `[in, out]` kernel: the largest r with at least `factor`× fewer matmul
 * FLOPs, `r = ⌊in·out / (factor·(in + out))⌋` (at least 1).
 */
export function rankFor(inDim: number, outDim: number, factor: number): number {
  return Math.max(1, Math.floor((inDim * outDim) / (factor * (inDim + outDim))));
}

/** A weight-space or forward-form modality: the compressor and a one-line description. */
export interface CompressorModality {
  readonly modality: Exclude<Modality, 'depth'>;
  readonly setting: string;
  /** A fresh compressor (one per attachment: compressors keep per-layer state). */
  make(): Compressor;
}

/** The three compressor modalities of the issue, with the authors' settings (vcon.md §2). */
export function compressorModalities(o: VconExampleOptions, model: BlockModel): CompressorModality[] {
  const ranks = new Map<string, number>();
  for (const l of model.layers()) {
    const k = l.weights.kernel;
    if (l.kind === 'dense' && k && /^blocks\./.test(l.path)) ranks.set(l.path, rankFor(k.shape[0] as number, k.shape[1] as number, o.rankFactor));
  }
  const rankList = [...new Set(ranks.values())].sort((a, b) => a - b).join('/');
  return [
    {
      modality: 'prune',
      setting: `${Math.round(o.sparsity * 100)}% unstructured magnitude pruning, layer-wise, mask recomputed every step, identity STE (block dense layers)`,
      make: () => magnitudePruning({ sparsity: o.sparsity, granularity: 'layer', recompute: 'every-step', gradient: 'ste', filter: BLOCK_DENSE }),
    },
    {
      modality: 'binary',
      setting: 'binary scaled sign α·sign(W), α = mean|W| per layer, identity STE (block dense layers)',
      make: () => binaryQuantizer({ scale: 'layer', ste: 'identity', filter: BLOCK_DENSE }),
    },
    {
      modality: 'lowrank',
      setting: `truncated-SVD low rank, rank ${rankList} (≥${o.rankFactor}x fewer FLOPs per layer), trainable factors (block dense layers)`,
      make: () => lowRank({ rank: (l: LayerInfo) => ranks.get(l.path) ?? 1, filter: BLOCK_DENSE }),
    },
  ];
}

/** Deployed size and per-sample FLOPs of a (baked) model. */
export interface Footprint {
  /** Bytes of every weight in its deployed form. */
  readonly bytes: number;
  readonly flops: number;
  readonly params: number;
  /** FLOPs of the dense layers inside the blocks only (what the compressors act on). */
  readonly blockDenseFlops: number;
}

/**
 * Deployed bytes of a baked model: float32 for every weight, except what a plugin exports in a
 * smaller form (pruning: CSR via `exportSparse`; binary: packed bits + α via `exportQuantized`;
 * low rank and depth: the factored / truncated model's own float32 weights). FLOPs from
 * `modelCost`.
 */
export function footprint(model: BlockModel, modality: Modality | 'dense'): Footprint {
  const raw = checkpointBytes(model).raw;
  const costs = modelCost(model);
  const cost = costs.total;
  const blockDenseFlops = costs.layers.filter((l) => l.kind === 'dense' && /^blocks\./.test(l.path)).reduce((a, l) => a + l.flops, 0);
  let bytes = raw;
  if (modality === 'prune') {
    const sparse = exportSparse(model, { filter: BLOCK_DENSE });
    bytes = raw - sparse.denseBytes + sparse.sparseBytes;
  } else if (modality === 'binary') {
    const q = exportQuantized(model);
    const dense = q.weights.reduce((s, w) => s + 4 * w.shape[0] * w.shape[1], 0);
    bytes = raw - dense + q.totalBytes;
  }
  return { bytes, flops: cost.flops, params: cost.params, blockDenseFlops };
}
