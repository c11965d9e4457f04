/**
 * Layer probing (acn.md §1.3, §4.1): accuracy and loss of every prefix sub-network k = 0..L,
 * each read through the single shared head trained for the final output (no separately trained
 * probes). For `acn` the prefix is the partial sum x_0 + … + x_k; for residual / feedforward it is
 * the output of block k.
 */
import { checkDataset, evaluate, type ArrayDataset, type BlockModel } from '@acn/core';

/** Options of {@link probeLayers}. */
export interface ProbeOptions {
  /** Evaluation batch size, default 256. */
  readonly batchSize?: number;
}

/**
 * Result of {@link probeLayers}: L+1 values each, index 0 = embedding only, index L = the full model.
 *
 * @example
 * ```ts
 * const { accuracy, loss } = probeLayers(model, testSet); // accuracy[model.depth] = full-model accuracy
 * ```
 */
export interface ProbeResult {
  /** Probe accuracies as fractions in [0, 1]. */
  readonly accuracy: number[];
  /** Mean cross-entropy of every probe (no label smoothing). */
  readonly loss: number[];
  /** Number of samples scored. */
  readonly count: number;
}

/**
 * Scores every prefix sub-network of `model` on `data` in inference mode, batched and leak-free
 * (one forward per batch yields all L+1 probe logits; core's `evaluate` frees every batch).
 * `accuracy[k]` equals the accuracy of `truncate(model, k)` for k >= 1.
 *
 * @example
 * ```ts
 * const { accuracy } = probeLayers(model, testSet, { batchSize: 512 });
 * accuracy.length === model.depth + 1; // accuracy[0]: embedding only, accuracy[L]: full model
 * ```
 */
export function probeLayers(model: BlockModel, data: ArrayDataset, options: ProbeOptions = {}): ProbeResult {
  checkDataset(data, 'probeLayers data');
  const r = evaluate(model, data, { probes: true, batchSize: options.batchSize });
  // With probes: true, evaluate always fills both arrays (L+1 entries).
  return { accuracy: r.probeAccuracy ?? [], loss: r.probeLoss ?? [], count: r.count };
}
