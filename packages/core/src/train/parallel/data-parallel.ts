import { availableParallelism } from 'node:os';
import type { ArrayDataset } from '../../data/array-dataset';
import type { BlockModel } from '../../models/block-model';
import { tf, type Tensor } from '../../tf';
import type { AdamW } from '../adamw';
import { TrainingError } from '../errors';
import { applyStepGradients, trainStep, type TrainStepOptions, type TrainStepResult } from '../train-step';
import { checkHookSpecs, type WorkerHookSpec } from './hook-spec';
import { paramLayout } from './param-layout';
import { DataParallelPool } from './pool';

/** The `workers` training option: a thread count, or `'auto'` (one per available core when there are at least 2). */
export type WorkersOption = 'auto' | number;

/** Options of {@link startDataParallel}. */
export interface DataParallelOptions {
  readonly workers?: WorkersOption;
  readonly batchSize: number;
  readonly workerHooks?: readonly WorkerHookSpec[];
  readonly labelSmoothing?: number;
  readonly probes?: boolean;
  /** Not serializable: its presence keeps training on the main thread. */
  readonly extraLoss?: unknown;
  /** Where fallback messages go (default `console.warn`). */
  readonly log?: (message: string) => void;
}

/**
 * Resolves the `workers` option to a thread count: 0 (train on the main thread) for `undefined`,
 * `0`, or `'auto'` with fewer than 2 cores; otherwise at most one thread per batch row.
 *
 * @throws TrainingError for anything but `'auto'` or an integer >= 0.
 * @example
 * ```ts
 * resolveWorkers('auto', 128); // 2 on a 2-core machine
 * ```
 */
export function resolveWorkers(workers: WorkersOption | undefined, batchSize: number): number {
  if (workers === undefined) return 0;
  if (workers === 'auto') {
    const cores = availableParallelism();
    return cores >= 2 ? Math.min(cores, batchSize) : 0;
  }
  if (!Number.isInteger(workers) || workers < 0) throw new TrainingError(`invalid train option workers: must be 'auto' or an integer >= 0 (got ${JSON.stringify(workers)})`);
  return Math.min(workers, batchSize);
}

/**
 * A running data-parallel trainer step: steps through a {@link DataParallelPool} and drops back
 * to the main thread (with a message) if the model's structure or hooks change during training.
 */
export class DataParallelStepper {
  private pool: DataParallelPool | null;
  private readonly hookNames: string;
  /** Threads that computed the last step (kept after `dispose`, for the trainer's result). */
  private used: number;

  constructor(
    pool: DataParallelPool,
    model: BlockModel,
    private readonly log: (message: string) => void,
  ) {
    this.pool = pool;
    this.used = pool.size;
    this.hookNames = model.hooks.attached.map((h) => h.name).join('\n');
  }

  /** Worker threads that computed the last step (0 once it fell back to the main thread). */
  get workers(): number {
    return this.used;
  }

  /**
   * One optimizer step on rows `indices`: gradients from the workers, the update on the main
   * thread (`applyStepGradients`, as `trainStep`). `x`, `y` are the same batch as tensors, used
   * only when training falls back to the main thread.
   */
  async step(model: BlockModel, optimizer: AdamW, data: ArrayDataset, indices: ArrayLike<number>, x: Tensor, y: Tensor, options: TrainStepOptions): Promise<TrainStepResult> {
    if (this.pool && !this.sameStructure(model)) {
      this.log('workers: the model changed structure or hooks during training (bake, factorize, attach); continuing on the main thread');
      await this.dispose();
    }
    if (!this.pool) {
      this.used = 0;
      return trainStep(model, optimizer, x, y, options);
    }
    const pool = this.pool;
    const { loss, grads } = await pool.gradients(model, data, indices, options.step ?? model.hooks.currentStep);
    try {
      return applyStepGradients(model, optimizer, loss, grads, options, () => pool.batchIsFinite(indices.length));
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  /** Stops the workers (idempotent). */
  async dispose(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.dispose();
  }

  private sameStructure(model: BlockModel): boolean {
    return paramLayout(model).signature === this.pool!.layout.signature && model.hooks.attached.map((h) => h.name).join('\n') === this.hookNames;
  }
}

/**
 * Why `model`'s forward is not its class's forward (a "view" made with `Object.create(model)` that
 * shadows `forward`, or an instance with its own `forward`), or null. Workers rebuild replicas
 * from `model.config`, so such a forward would silently be lost there.
 */
function overriddenForward(model: BlockModel): string | null {
  const own = (model.constructor as { prototype?: { forward?: unknown } } | undefined)?.prototype?.forward;
  if (Object.prototype.hasOwnProperty.call(model, 'forward')) return 'the model has its own forward (a view or a patched instance)';
  if (model.forward !== own) return 'the model inherits a forward that is not its class\'s (a view of another model)';
  return null;
}

/**
 * Starts data-parallel training workers for `train`, or returns null to train on the main thread:
 * when `workers` resolves to 0, when an option cannot cross threads (`extraLoss`), or when the
 * workers cannot start (no `worker_threads`, missing worker entry, unknown architecture, hooks
 * without `workerHooks`, ...). Every fallback is reported through `log`.
 *
 * @example
 * ```ts
 * const dp = await startDataParallel(model, data, { workers: 'auto', batchSize: 128 });
 * const r = dp ? await dp.step(model, opt, data, idx, x, y, { lr }) : trainStep(model, opt, x, y, { lr });
 * await dp?.dispose();
 * ```
 */
export async function startDataParallel(model: BlockModel, data: ArrayDataset, options: DataParallelOptions): Promise<DataParallelStepper | null> {
  const n = resolveWorkers(options.workers, options.batchSize);
  if (options.workerHooks) checkHookSpecs(options.workerHooks);
  if (n === 0) return null;
  const log = options.log ?? ((m: string) => console.warn(`@acn/core train: ${m}`));
  if (options.extraLoss !== undefined) {
    log('workers: extraLoss is a function and cannot be sent to worker threads; training on the main thread');
    return null;
  }
  const overridden = overriddenForward(model);
  if (overridden) {
    log(`workers: ${overridden}; workers rebuild the model from its config and would train the class's forward instead, so training stays on the main thread`);
    return null;
  }
  try {
    const pool = await DataParallelPool.start(model, {
      workers: n,
      maxBatch: options.batchSize,
      data,
      hookSpecs: options.workerHooks,
      labelSmoothing: options.labelSmoothing,
      probes: options.probes,
    });
    return new DataParallelStepper(pool, model, log);
  } catch (e) {
    log(`workers: could not start ${n} worker thread(s) (${(e as Error).message}); training on the main thread`);
    return null;
  }
}
