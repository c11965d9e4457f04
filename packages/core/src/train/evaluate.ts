import { makeBatch, type ArrayDataset } from '../data/array-dataset';
import type { BlockModel } from '../models/block-model';
import { tf } from '../tf';
import { TrainingError } from './errors';
import { checkLabels, countCorrect, crossEntropy } from './loss';

/** Result of `evaluate`. Accuracies are fractions in [0, 1]. */
export interface EvalResult {
  readonly count: number;
  readonly loss: number;
  readonly accuracy: number;
  /** With `probes: true`: accuracy of every prefix through the shared head (L+1 values, index 0 = embedding only). */
  readonly probeAccuracy?: number[];
  /** With `probes: true`: mean cross-entropy of every prefix. */
  readonly probeLoss?: number[];
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Default 256. */
  readonly batchSize?: number;
  /** Also score every prefix (layer probing, acn.md §1.3 / §4.1). */
  readonly probes?: boolean;
}

/**
 * Loss and accuracy of `model` on `data` (inference mode, batched, leak-free), optionally for every
 * prefix through the shared head.
 *
 * @example
 * ```ts
 * const { accuracy, probeAccuracy } = evaluate(model, test, { probes: true });
 * ```
 */
export function evaluate(model: BlockModel, data: ArrayDataset, options: EvaluateOptions = {}): EvalResult {
  const bs = options.batchSize ?? 256;
  if (!Number.isInteger(bs) || bs < 1) throw new RangeError(`evaluate: batchSize must be a positive integer, got ${bs}`);
  if (!(data.count >= 1)) throw new TrainingError(`evaluate: the data set is empty (count ${data.count}); loss and accuracy are undefined`);
  const probes = options.probes ?? false;
  const n = probes ? model.depth + 1 : 1;
  const correct = new Array<number>(n).fill(0);
  const lossSum = new Array<number>(n).fill(0);
  for (let start = 0; start < data.count; start += bs) {
    const idx = Array.from({ length: Math.min(bs, data.count - start) }, (_, i) => start + i);
    const { x, y } = makeBatch(data, idx);
    try {
      checkLabels(y, model.config.numClasses, 'evaluate');
      const out = model.forward(x, { probes });
      const heads = probes ? out.probes! : [out.logits];
      heads.forEach((logits, k) => {
        correct[k] += countCorrect(logits, y);
        const l = crossEntropy(logits, y);
        lossSum[k] += l.dataSync()[0] * idx.length;
        l.dispose();
      });
      tf.dispose([out.logits, ...(out.probes ?? [])]);
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  const acc = correct.map((c) => c / data.count);
  const loss = lossSum.map((s) => s / data.count);
  return {
    count: data.count,
    loss: loss[n - 1],
    accuracy: acc[n - 1],
    ...(probes ? { probeAccuracy: acc, probeLoss: loss } : {}),
  };
}
