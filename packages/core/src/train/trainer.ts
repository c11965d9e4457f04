import { existsSync } from 'node:fs';
import { loadCheckpoint, saveCheckpoint, type TrainerState } from '../checkpoint/checkpoint';
import { checkDataset, makeBatch, type ArrayDataset } from '../data/array-dataset';
import type { BlockModel } from '../models/block-model';
import { Rng } from '../random';
import { tf, type Tensor } from '../tf';
import { AdamW, type AdamWOptions } from './adamw';
import { TrainingError } from './errors';
import { evaluate, type EvalResult } from './evaluate';
import { createProgress, type ProgressMode, type ProgressReporter } from './progress';
import { warmupCosine, type LrSchedule } from './schedule';
import { trainStep, type TrainStepOptions } from './train-step';

/** Emitted before each optimizer step. */
export interface StepBeginEvent {
  readonly step: number;
  readonly epoch: number;
}

/** Emitted after each optimizer step. */
export interface StepEndEvent extends StepBeginEvent {
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
}

/**
 * Emitted with the raw gradients of a step (before clipping) and the batch they came from, so an
 * analysis can run a second pass on the same batch and parameters (e.g. the direct-gradient pass).
 * All tensors are freed when the callback returns.
 */
export interface GradientsEvent extends StepBeginEvent {
  readonly grads: Readonly<Record<string, Tensor>>;
  /** The batch inputs `[B, ...sampleShape]`. */
  readonly x: Tensor;
  /** The batch labels `[B]` int32. */
  readonly y: Tensor;
}

/** One epoch's summary (also what `history` holds). Accuracies are fractions in [0, 1]. */
export interface EpochSummary {
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  readonly lr: number;
  readonly seconds: number;
  readonly eval?: EvalResult;
}

/**
 * Trainer events. Plugins and metrics subscribe here (schedules also get the step through
 * `model.hooks.step`, which the trainer calls before every step).
 */
export interface TrainerCallbacks {
  onStepBegin?(e: StepBeginEvent): void;
  /** Only requested gradients cost a callback; they are the unclipped gradients by parameter path. */
  onGradients?(e: GradientsEvent): void;
  onStepEnd?(e: StepEndEvent): void;
  onEpochEnd?(e: EpochSummary): void | Promise<void>;
}

/** Options of `train`. Defaults follow acn.md §6 where it gives one. */
export interface TrainOptions {
  readonly epochs: number;
  /** Default 64 (acn.md §6). */
  readonly batchSize?: number;
  /** Peak learning rate, default 1e-3. */
  readonly lr?: number;
  /** Linear warm-up length in epochs (fractions allowed), default 0. */
  readonly warmupEpochs?: number;
  /** Cosine floor, default 1e-6. */
  readonly minLr?: number;
  /** Replaces the warm-up + cosine schedule. */
  readonly schedule?: LrSchedule;
  /** AdamW hyper-parameters (default weight decay 0.01 on all parameters). */
  readonly optimizer?: AdamWOptions;
  /** Label smoothing ε, default 0 (acn.md §6 uses 0.1). */
  readonly labelSmoothing?: number;
  /** Global-norm clipping threshold, default none (acn.md §6 uses 1.0). */
  readonly clipNorm?: number;
  /** Seed of the shuffling order, default 0. */
  readonly seed?: number;
  /** Evaluated at the end of every epoch. */
  readonly evalData?: ArrayDataset;
  /** Also score every prefix at each evaluation. */
  readonly evalProbes?: boolean;
  readonly callbacks?: TrainerCallbacks | readonly TrainerCallbacks[];
  /** Default `auto`: a bar on a terminal, plain lines otherwise. A custom reporter is accepted. */
  readonly progress?: ProgressMode | ProgressReporter;
  /** Save a checkpoint here at the end of every `checkpointEvery` epochs (atomic). */
  readonly checkpointDir?: string;
  /** Default 1. */
  readonly checkpointEvery?: number;
  /** Resume from `checkpointDir` if a checkpoint exists there (the result equals the uninterrupted run). */
  readonly resume?: boolean;
  /** Extra loss terms (early-exit losses, ...), see `TrainStepOptions.extraLoss`. */
  readonly extraLoss?: TrainStepOptions['extraLoss'];
  /** Forward with probes during training (for `extraLoss`). */
  readonly probes?: boolean;
  /** Stop after this many epochs in this call (for tests of resume); the schedule still spans `epochs`. */
  readonly stopAfterEpoch?: number;
}

/** What `train` returns. */
export interface TrainResult {
  readonly history: EpochSummary[];
  readonly steps: number;
  readonly optimizer: AdamW;
}

function checkOptions(o: TrainOptions, data: ArrayDataset): void {
  const bad = (k: string, v: unknown, rule: string) => new TrainingError(`invalid train option ${k}: ${rule} (got ${JSON.stringify(v)})`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw bad('epochs', o.epochs, 'must be an integer >= 1');
  if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize < 1)) throw bad('batchSize', o.batchSize, 'must be an integer >= 1');
  if (o.lr !== undefined && !(o.lr > 0 && Number.isFinite(o.lr))) throw bad('lr', o.lr, 'must be a finite number > 0');
  if (o.warmupEpochs !== undefined && !(o.warmupEpochs >= 0 && o.warmupEpochs <= o.epochs)) throw bad('warmupEpochs', o.warmupEpochs, `must be in [0, epochs=${o.epochs}]`);
  if (o.labelSmoothing !== undefined && !(o.labelSmoothing >= 0 && o.labelSmoothing < 1)) throw bad('labelSmoothing', o.labelSmoothing, 'must be in [0, 1)');
  if (o.clipNorm !== undefined && !(o.clipNorm > 0)) throw bad('clipNorm', o.clipNorm, 'must be > 0');
  if (o.resume && !o.checkpointDir) throw bad('resume', o.resume, 'needs checkpointDir');
  checkDataset(data, 'train data');
  if (o.evalData) checkDataset(o.evalData, 'eval data');
}

function fmt(e: EpochSummary, epochs: number): string {
  const ev = e.eval ? ` | eval loss ${e.eval.loss.toFixed(4)} acc ${(100 * e.eval.accuracy).toFixed(2)}%` : '';
  return `epoch ${e.epoch}/${epochs} | train loss ${e.trainLoss.toFixed(4)} | lr ${e.lr.toExponential(2)}${ev} | ${e.seconds.toFixed(1)}s`;
}

/**
 * Trains `model` on `data` with AdamW, warm-up + cosine, optional label smoothing and clipping,
 * seeded shuffling, per-epoch evaluation, events, progress display and atomic checkpoints with
 * exact resume. Every piece is public (`trainStep`, `AdamW`, `warmupCosine`, `evaluate`,
 * `saveCheckpoint`) for hand-written loops.
 *
 * @example
 * ```ts
 * const { history } = await train(model, trainSet, { epochs: 10, batchSize: 64, lr: 1e-3, warmupEpochs: 1, evalData: testSet });
 * ```
 */
export async function train(model: BlockModel, data: ArrayDataset, options: TrainOptions): Promise<TrainResult> {
  checkOptions(options, data);
  const bs = options.batchSize ?? 64;
  const stepsPerEpoch = Math.ceil(data.count / bs);
  const totalSteps = stepsPerEpoch * options.epochs;
  const schedule =
    options.schedule ??
    warmupCosine({ peakLr: options.lr ?? 1e-3, warmupSteps: Math.round((options.warmupEpochs ?? 0) * stepsPerEpoch), totalSteps, minLr: options.minLr ?? 1e-6 });
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks as TrainerCallbacks];
  const progress = typeof options.progress === 'object' ? options.progress : createProgress(options.progress ?? 'auto');
  const optimizer = new AdamW(options.optimizer);
  let rng = new Rng(options.seed ?? 0);
  let step = 0;
  let startEpoch = 0;
  const history: EpochSummary[] = [];

  if (options.resume && options.checkpointDir && existsSync(options.checkpointDir)) {
    const ck = loadCheckpoint(options.checkpointDir, { into: model });
    if (ck.optimizerState) {
      optimizer.setState(ck.optimizerState);
      tf.dispose([...Object.values(ck.optimizerState.m), ...Object.values(ck.optimizerState.v)]);
    }
    if (ck.trainer) {
      startEpoch = ck.trainer.epoch;
      step = ck.trainer.step;
      rng = Rng.fromState(ck.trainer.rngState);
      history.push(...(ck.trainer.history as EpochSummary[]));
    }
  }

  const wantGrads = callbacks.some((c) => c.onGradients);
  const lastEpoch = Math.min(options.epochs, options.stopAfterEpoch ?? options.epochs);
  try {
    for (let epoch = startEpoch + 1; epoch <= lastEpoch; epoch++) {
      const t0 = performance.now();
      const order = rng.permutation(data.count);
      progress.epochStart(epoch, options.epochs, stepsPerEpoch);
      let lossSum = 0;
      let lr = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const idx = order.subarray(s * bs, Math.min((s + 1) * bs, data.count));
        model.hooks.step(step);
        for (const c of callbacks) c.onStepBegin?.({ step, epoch });
        lr = schedule(step);
        const { x, y } = makeBatch(data, idx);
        let result;
        try {
          const ev = { step, epoch };
          result = trainStep(model, optimizer, x, y, {
            lr,
            labelSmoothing: options.labelSmoothing,
            clipNorm: options.clipNorm,
            extraLoss: options.extraLoss,
            probes: options.probes,
            step,
            epoch,
            onGradients: wantGrads ? (grads) => callbacks.forEach((c) => c.onGradients?.({ ...ev, grads, x, y })) : undefined,
          });
        } finally {
          x.dispose();
          y.dispose();
        }
        lossSum += result.loss * idx.length;
        progress.step(step, { loss: result.loss, lr });
        for (const c of callbacks) c.onStepEnd?.({ step, epoch, loss: result.loss, lr, gradNorm: result.gradNorm });
        step += 1;
      }
      const evalResult = options.evalData ? evaluate(model, options.evalData, { probes: options.evalProbes }) : undefined;
      const summary: EpochSummary = { epoch, step, trainLoss: lossSum / data.count, lr, seconds: (performance.now() - t0) / 1000, eval: evalResult };
      history.push(summary);
      progress.epochEnd(fmt(summary, options.epochs));
      for (const c of callbacks) await c.onEpochEnd?.(summary);
      if (options.checkpointDir && (epoch % (options.checkpointEvery ?? 1) === 0 || epoch === options.epochs)) {
        const trainer: TrainerState = { epoch, step, rngState: rng.state, history };
        saveCheckpoint(options.checkpointDir, { model, optimizer, trainer });
      }
    }
  } finally {
    progress.stop();
  }
  return { history, steps: step, optimizer };
}
