import type { BlockModel } from '../models/block-model';
import { tf, type Tensor } from '../tf';
import type { AdamW } from './adamw';
import { clipByGlobalNorm, globalNorm } from './clip';
import { TrainingError } from './errors';
import { checkLabels, crossEntropy } from './loss';

/** Options of `trainStep`. */
export interface TrainStepOptions {
  /** Learning rate of this step. */
  readonly lr: number;
  /** Label smoothing ε (acn.md §6: 0.1). Default 0. */
  readonly labelSmoothing?: number;
  /** Global-norm gradient clipping threshold; omit for none (acn.md §6: 1.0). */
  readonly clipNorm?: number;
  /**
   * Extra loss terms computed inside the gradient tape (e.g. early-exit losses): receives the
   * model's forward result and the labels and returns a scalar to add.
   */
  readonly extraLoss?: (out: { logits: Tensor; probes?: Tensor[] }, labels: Tensor) => Tensor;
  /** Ask the forward for probes (needed by `extraLoss` terms that use them). */
  readonly probes?: boolean;
  /**
   * Called with the raw (unclipped) gradients by parameter path before the update; the tensors are
   * freed right after it returns. Used by metrics (gradient norms per layer).
   */
  readonly onGradients?: (grads: Readonly<Record<string, Tensor>>) => void;
  /** Step number, for error messages. */
  readonly step?: number;
  readonly epoch?: number;
}

/** Result of one `trainStep`. */
export interface TrainStepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/**
 * One optimizer step on one batch: forward (training mode), loss, gradients of every trainable
 * parameter, optional clipping, AdamW update. Leak-free. This is the public building block of the
 * `Trainer`; a hand-written loop calls it (and `model.hooks.step(n)`) to do the same.
 *
 * @example
 * ```ts
 * model.hooks.step(step);
 * const { loss } = trainStep(model, opt, x, y, { lr: schedule(step), labelSmoothing: 0.1, clipNorm: 1 });
 * ```
 */
export function trainStep(model: BlockModel, optimizer: AdamW, x: Tensor, y: Tensor, options: TrainStepOptions): TrainStepResult {
  checkLabels(y, model.config.numClasses, 'trainStep', x.shape[0]);
  const { value, grads } = lossAndGradients(model, x, y, options);
  try {
    const loss = value.dataSync()[0];
    return applyStepGradients(model, optimizer, loss, grads, options, () => inputsAreFinite(x));
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

/**
 * The gradient half of `trainStep`: forward (training mode), loss and the gradients of every
 * trainable parameter by path. The caller disposes `value` and `grads`. Data-parallel workers call
 * exactly this on their shard, so a one-worker step is bit-for-bit the single-thread step.
 *
 * @example
 * ```ts
 * const { value, grads } = lossAndGradients(model, x, y, { labelSmoothing: 0.1 });
 * ```
 */
export function lossAndGradients(
  model: BlockModel,
  x: Tensor,
  y: Tensor,
  options: Pick<TrainStepOptions, 'labelSmoothing' | 'extraLoss' | 'probes'>,
): { value: Tensor; grads: Record<string, Tensor> } {
  const trainable = Object.entries(model.namedWeights()).filter(([, v]) => v.trainable);
  const pathOf = new Map(trainable.map(([p, v]) => [v.name, p]));
  // A throw inside the tape (the loss rejecting the labels, an extraLoss or the forward failing)
  // would leak every tensor the tape saved for the backward pass (kept, so tidy cannot free them).
  // So the error is held, the tape finishes on a cheap stand-in loss (which frees what it saved),
  // and the error is rethrown once everything is disposed.
  let failure: { error: unknown } | undefined;
  const { value, grads } = tf.tidy(() =>
    tf.variableGrads(() => {
      try {
        const out = model.forward(x, { training: true, probes: options.probes });
        let loss = crossEntropy(out.logits, y, options.labelSmoothing ?? 0);
        if (options.extraLoss) loss = loss.add(options.extraLoss(out, y));
        return loss as tf.Scalar;
      } catch (error) {
        failure = { error };
        return tf.mul(tf.sum(trainable[0][1]), 0) as tf.Scalar;
      }
    }, trainable.map(([, v]) => v)),
  );
  if (failure) {
    value.dispose();
    tf.dispose(Object.values(grads));
    throw failure.error;
  }
  const byPath: Record<string, Tensor> = {};
  for (const [name, g] of Object.entries(grads)) byPath[pathOf.get(name) ?? name] = g;
  return { value, grads: byPath };
}

/**
 * The update half of `trainStep`: checks the loss, reports the raw gradients, clips, checks the
 * norm and applies AdamW. `grads` stay owned by the caller. `inputsFinite` is asked only when the
 * loss is not finite, to name the cause.
 *
 * @example
 * ```ts
 * const { gradNorm } = applyStepGradients(model, opt, loss, grads, { lr: 1e-3 }, () => true);
 * ```
 */
export function applyStepGradients(
  model: BlockModel,
  optimizer: AdamW,
  loss: number,
  byPath: Record<string, Tensor>,
  options: TrainStepOptions,
  inputsFinite: () => boolean,
): TrainStepResult {
  if (!Number.isFinite(loss)) {
    const where = `at step ${options.step ?? '?'}${options.epoch !== undefined ? ` (epoch ${options.epoch})` : ''}`;
    const cause = inputsFinite()
      ? `the model diverged (learning rate ${options.lr}); lower the learning rate or enable clipNorm`
      : 'the input batch contains NaN or Inf values; check the data';
    throw new TrainingError(`non-finite loss (${loss}) ${where}: ${cause}`, options.step, options.epoch);
  }
  const params = model.namedWeights();
  options.onGradients?.(byPath);
  let norm: number;
  if (options.clipNorm !== undefined) {
    const clipped = clipByGlobalNorm(byPath, options.clipNorm);
    norm = clipped.norm;
    try {
      checkFiniteNorm(norm, options);
      optimizer.apply(params, clipped.grads, options.lr);
    } finally {
      tf.dispose(Object.values(clipped.grads));
    }
  } else {
    norm = globalNorm(Object.values(byPath));
    checkFiniteNorm(norm, options);
    optimizer.apply(params, byPath, options.lr);
  }
  return { loss, gradNorm: norm };
}

function checkFiniteNorm(norm: number, o: TrainStepOptions): void {
  if (!Number.isFinite(norm)) {
    throw new TrainingError(`non-finite gradient norm (${norm}) at step ${o.step ?? '?'}; the update was skipped. Lower the learning rate or enable clipNorm.`, o.step, o.epoch);
  }
}

function inputsAreFinite(x: Tensor): boolean {
  const t = tf.tidy(() => tf.all(tf.isFinite(x)));
  const ok = t.dataSync()[0] === 1;
  t.dispose();
  return ok;
}
