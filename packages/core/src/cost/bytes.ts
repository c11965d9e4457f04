/**
 * Storage size of a model's weights: raw float32, as a safetensors file, and that file gzipped.
 */
import { gzipSync } from 'node:zlib';
import type { BlockModel } from '../models/block-model';
import { tensorsToSafetensors } from '../io/safetensors';

/**
 * Result of {@link checkpointBytes}.
 *
 * @example
 * ```ts
 * const { gzip }: CheckpointBytes = checkpointBytes(model);
 * ```
 */
export interface CheckpointBytes {
  /** 4 bytes per stored parameter (float32), no header. */
  readonly raw: number;
  /** Size of `model.safetensors` as `saveCheckpoint` writes it (JSON header + raw data). */
  readonly safetensors: number;
  /** Size of that file after `gzip -9` (node:zlib, level 9): what a download costs. */
  readonly gzip: number;
}

/**
 * Bytes of the model's stored weights, encoded in memory (no temporary files). Attached hooks are
 * not applied (the stored weights are what a checkpoint holds): bake them first to measure a
 * pruned or quantized model, whose zeros then show up in the gzip size.
 *
 * @example
 * ```ts
 * const small = truncate(model, 4);
 * const { raw, safetensors, gzip } = checkpointBytes(small);
 * console.log(`${(gzip / 1024).toFixed(1)} KiB to download`);
 * ```
 */
export function checkpointBytes(model: BlockModel): CheckpointBytes {
  const named = model.namedWeights();
  const raw = Object.values(named).reduce((s, v) => s + v.size * 4, 0);
  // Same metadata as core's saveCheckpoint, so `safetensors` is exactly the size of its model.safetensors.
  const file = tensorsToSafetensors(named, { format: 'acn-weights', architecture: model.config.architecture });
  return { raw, safetensors: file.byteLength, gzip: gzipSync(file, { level: 9 }).byteLength };
}
