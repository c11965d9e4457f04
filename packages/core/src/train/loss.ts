import { tf, type Tensor } from '../tf';
import { TrainingError } from './errors';

/**
 * Mean softmax cross-entropy between `logits` `[B, C]` and integer `labels` `[B]`, with optional
 * label smoothing (target = (1−ε)·onehot + ε/C, PyTorch's `label_smoothing`).
 *
 * @example
 * ```ts
 * const loss = crossEntropy(logits, labels, 0.1); // scalar
 * ```
 */
export function crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing = 0): Tensor {
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [B, C], got ${JSON.stringify(logits.shape)}`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`crossEntropy: labels must be [B] with B=${logits.shape[0]}, got ${JSON.stringify(labels.shape)}`);
  }
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new RangeError(`labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
  return tf.tidy(() => {
    const c = logits.shape[1] as number;
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), c).toFloat(); // [B, C]
    const target = labelSmoothing > 0 ? onehot.mul(1 - labelSmoothing).add(labelSmoothing / c) : onehot;
    const logp = tf.logSoftmax(logits); // [B, C]
    return tf.neg(tf.mean(tf.sum(target.mul(logp), 1)));
  });
}

/**
 * Number of rows whose argmax equals the label.
 *
 * @example
 * ```ts
 * const correct = countCorrect(logits, labels); // integer in [0, B]
 * ```
 */
export function countCorrect(logits: Tensor, labels: Tensor): number {
  const n = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'int32')));
  const v = n.dataSync()[0];
  n.dispose();
  return v;
}

/**
 * Throws unless `labels` is `[B]` (B = `batch` when given) of integers in `[0, numClasses)`.
 * Why before the forward: `oneHot` maps an out-of-range label to an all-zero row, so the loss and
 * its gradient would silently be 0 for that sample instead of an error.
 *
 * @example
 * ```ts
 * checkLabels(y, model.config.numClasses, 'trainStep');
 * ```
 */
export function checkLabels(labels: Tensor, numClasses: number, where: string, batch?: number): void {
  if (labels.rank !== 1 || (batch !== undefined && labels.shape[0] !== batch)) {
    throw new TrainingError(`${where}: labels must be [B]${batch !== undefined ? ` with B=${batch}` : ''}, got shape ${JSON.stringify(labels.shape)}`);
  }
  const v = labels.dataSync();
  for (let i = 0; i < v.length; i++) {
    if (!(Number.isInteger(v[i]) && v[i] >= 0 && v[i] < numClasses)) {
      throw new TrainingError(`${where}: label ${v[i]} at batch index ${i} is outside [0, ${numClasses}) (the model's numClasses)`);
    }
  }
}
