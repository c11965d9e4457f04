import { loadCheckpoint, saveCheckpoint, type TrainerState } from '../checkpoint/checkpoint';
import { recoverCheckpoint } from '../checkpoint/recovery';
import { CheckpointError } from '../io';
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
import { startDataParallel, type WorkersOption } from './parallel/data-parallel';
import type { WorkerHookSpec } from './parallel/hook-spec';

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
 * `model.hooks.step`, which the trainer calls before every step, and once more with N after the
 * last one).
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
  /**
   * Data-parallel training on worker threads (default 0: the main thread). `n` splits every batch
   * over n threads, each with its own backend and model replica; the gradients are summed and one
   * AdamW update is applied on the main thread. `'auto'`: one thread per core when there are >= 2.
   * Falls back to the main thread, with a message, when workers cannot start. See `WorkerHookSpec`
   * for models with hooks; `extraLoss` keeps training on the main thread.
   */
  readonly workers?: WorkersOption;
  /** How worker replicas rebuild the model's attached hooks (needed with `workers` when hooks are attached). */
  readonly workerHooks?: readonly WorkerHookSpec[];
}

/** What `train` returns. */
export interface TrainResult {
  readonly history: EpochSummary[];
  readonly steps: number;
  readonly optimizer: AdamW;
  /** Worker threads that computed the last step (0: the main thread). */
  readonly workers: number;
}

/** A value for an error message: numbers as JS prints them (NaN, Infinity: JSON would say null). */
function showValue(v: unknown): string {
  return typeof v === 'number' || typeof v === 'bigint' || v === undefined ? String(v) : JSON.stringify(v);
}

function checkOptions(o: TrainOptions, data: ArrayDataset, model: BlockModel): void {
  const bad = (k: string, v: unknown, rule: string) => new TrainingError(`invalid train option ${k}: ${rule} (got ${showValue(v)})`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw bad('epochs', o.epochs, 'must be an integer >= 1');
  if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize < 1)) throw bad('batchSize', o.batchSize, 'must be an integer >= 1');
  if (o.lr !== undefined && !(o.lr > 0 && Number.isFinite(o.lr))) throw bad('lr', o.lr, 'must be a finite number > 0');
  if (o.warmupEpochs !== undefined && !(o.warmupEpochs >= 0 && o.warmupEpochs <= o.epochs)) throw bad('warmupEpochs', o.warmupEpochs, `must be in [0, epochs=${o.epochs}]`);
  if (o.labelSmoothing !== undefined && !(o.labelSmoothing >= 0 && o.labelSmoothing < 1)) throw bad('labelSmoothing', o.labelSmoothing, 'must be in [0, 1)');
  if (o.clipNorm !== undefined && !(o.clipNorm > 0)) throw bad('clipNorm', o.clipNorm, 'must be > 0');
  if (o.resume && !o.checkpointDir) throw bad('resume', o.resume, 'needs checkpointDir');
  if (o.stopAfterEpoch !== undefined && (!Number.isInteger(o.stopAfterEpoch) || o.stopAfterEpoch < 1)) throw bad('stopAfterEpoch', o.stopAfterEpoch, 'must be an integer >= 1');
  if (o.checkpointEvery !== undefined && (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery < 1)) throw bad('checkpointEvery', o.checkpointEvery, 'must be an integer >= 1');
  checkDataset(data, 'train data');
  if (o.evalData) checkDataset(o.evalData, 'eval data');
  // More classes in the data than outputs in the model: labels >= numClasses would train on garbage.
  for (const [name, ds] of [['train data', data], ['eval data', o.evalData]] as const) {
    if (ds && ds.numClasses > model.config.numClasses) {
      throw new TrainingError(`${name} has ${ds.numClasses} classes but the model outputs ${model.config.numClasses} (config numClasses)`);
    }
  }
}

/**
 * Loads the checkpoint at `dir` into `model` and `optimizer` for a resume; `undefined` when there
 * is none. A save killed between its renames leaves the checkpoint beside the directory: it is put
 * back rather than training starting over (an unrecoverable leftover is an error, see
 * `recoverCheckpoint`).
 */
function resumeFrom(dir: string, model: BlockModel, optimizer: AdamW, epochs: number, stepsPerEpoch: number): TrainerState | undefined {
  if (!recoverCheckpoint(dir)) return undefined;
  const ck = loadCheckpoint(dir, { into: model });
  try {
    const t = checkResumeState(ck, dir, epochs, stepsPerEpoch);
    optimizer.setState(ck.optimizerState!);
    return t;
  } finally {
    if (ck.optimizerState) tf.dispose([...Object.values(ck.optimizerState.m), ...Object.values(ck.optimizerState.v)]);
  }
}

/** The saved trainer state must describe this run, or resuming would silently train another one. */
function checkResumeState(ck: { trainer?: TrainerState; optimizerState?: { step: number } }, dir: string, epochs: number, stepsPerEpoch: number): TrainerState {
  const fail = (msg: string): never => {
    throw new CheckpointError('INCOMPATIBLE_STATE', `cannot resume from ${dir}: ${msg}`);
  };
  const t = ck.trainer ?? fail('the checkpoint has no trainer state (it was not written by train)');
  if (!ck.optimizerState) fail('the checkpoint has no optimizer state');
  if (t.epoch > epochs) fail(`it is at epoch ${t.epoch}, beyond epochs=${epochs}`);
  if (t.step !== t.epoch * stepsPerEpoch) fail(`step ${t.step} is not epoch ${t.epoch} x ${stepsPerEpoch} steps per epoch (another batch size or data set?)`);
  if (ck.optimizerState!.step !== t.step) fail(`optimizer step ${ck.optimizerState!.step} differs from trainer step ${t.step}`);
  if (t.history.length !== t.epoch) fail(`history has ${t.history.length} entries for ${t.epoch} epochs`);
  return t;
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
  checkOptions(options, data, model);
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

  if (options.resume && options.checkpointDir) {
    try {
      const t = resumeFrom(options.checkpointDir, model, optimizer, options.epochs, stepsPerEpoch);
      if (t) {
        startEpoch = t.epoch;
        step = t.step;
        rng = Rng.fromState(t.rngState);
        history.push(...(t.history as EpochSummary[]));
      }
    } catch (e) {
      optimizer.dispose(); // moments restored before the failure must not leak
      progress.stop();
      throw e;
    }
  }

  const wantGrads = callbacks.some((c) => c.onGradients);
  const lastEpoch = Math.min(options.epochs, options.stopAfterEpoch ?? options.epochs);
  // Started after a resume, so the replicas copy the restored weights.
  const parallel = await startDataParallel(model, data, { ...options, batchSize: bs }).catch((e: unknown) => {
    optimizer.dispose(); // an invalid workers option must not leak restored moments
    progress.stop();
    throw e;
  });
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
          const stepOptions: TrainStepOptions = {
            lr,
            labelSmoothing: options.labelSmoothing,
            clipNorm: options.clipNorm,
            extraLoss: options.extraLoss,
            probes: options.probes,
            step,
            epoch,
            onGradients: wantGrads ? (grads) => callbacks.forEach((c) => c.onGradients?.({ ...ev, grads, x, y })) : undefined,
          };
          result = parallel ? await parallel.step(model, optimizer, data, idx, x, y, stepOptions) : trainStep(model, optimizer, x, y, stepOptions);
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
  } catch (e) {
    optimizer.dispose(); // the caller never gets it: free its moments
    throw e;
  } finally {
    progress.stop();
    await parallel?.dispose();
  }
  // Hooks saw steps 0..N-1 (each before its optimizer step); signal N, the step after the last
  // one, so schedules end where training ended (a VCON hook holds β(N) and can be baked).
  model.hooks.step(step);
  return { history, steps: step, optimizer, workers: parallel?.workers ?? 0 };
}
