import type { BlockModel } from '../models/block-model';
import { tf, type Tensor } from '../tf';
import type { AdamW } from './adamw';
import { clipByGlobalNorm, globalNorm } from './clip';
import { TrainingError } from './errors';
import { crossEntropy } from './loss';

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
  const params = model.namedWeights();
  const trainable = Object.entries(params).filter(([, v]) => v.trainable);
  const pathOf = new Map(trainable.map(([p, v]) => [v.name, p]));
  const { value, grads } = tf.variableGrads(() => {
    const out = model.forward(x, { training: true, probes: options.probes });
    let loss = crossEntropy(out.logits, y, options.labelSmoothing ?? 0);
    if (options.extraLoss) loss = loss.add(options.extraLoss(out, y));
    return loss as tf.Scalar;
  }, trainable.map(([, v]) => v));
  const byPath: Record<string, Tensor> = {};
  for (const [name, g] of Object.entries(grads)) byPath[pathOf.get(name) ?? name] = g;
  try {
    const loss = value.dataSync()[0];
    if (!Number.isFinite(loss)) {
      const where = `at step ${options.step ?? '?'}${options.epoch !== undefined ? ` (epoch ${options.epoch})` : ''}`;
      const cause = inputsAreFinite(x)
        ? `the model diverged (learning rate ${options.lr}); lower the learning rate or enable clipNorm`
        : 'the input batch contains NaN or Inf values; check the data';
      throw new TrainingError(`non-finite loss (${loss}) ${where}: ${cause}`, options.step, options.epoch);
    }
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
  } finally {
    value.dispose();
    tf.dispose(Object.values(byPath));
  }
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
