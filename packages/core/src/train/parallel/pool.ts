import { Worker } from 'node:worker_threads';
import { currentBackend, type BackendKind } from '../../backend/init-backend';
import { wasmFastPathsActive } from '../../backend/wasm-matmul';
import type { ArrayDataset } from '../../data/array-dataset';
import type { BlockModel } from '../../models/block-model';
import { tf, type Tensor } from '../../tf';
import type { WorkerHookSpec } from './hook-spec';
import { paramLayout, writeWeights, type ParamLayout } from './param-layout';
import type { SharedBuffers, StepRequest, WorkerInit, WorkerReply } from './protocol';
import { locateWorker } from './worker-location';

/** Options of {@link DataParallelPool.start}. */
export interface DataParallelPoolOptions {
  /** Number of worker threads (>= 1). */
  readonly workers: number;
  /** Largest batch that will be stepped (sizes the shared batch buffer). */
  readonly maxBatch: number;
  /** Sample shape and input dtype of the training data. */
  readonly data: Pick<ArrayDataset, 'sampleShape' | 'inputDtype'>;
  /** Rebuild the main model's hooks in every replica (see `WorkerHookSpec`). */
  readonly hookSpecs?: readonly WorkerHookSpec[];
  readonly labelSmoothing?: number;
  readonly probes?: boolean;
  /** How long the workers may take to build their replicas (default 180 s: tfjs loads slowly under load). */
  readonly startTimeoutMs?: number;
}

/** Loss and summed gradients of one data-parallel step. */
export interface ShardedGradients {
  /** Batch-mean loss (shard losses weighted by shard size). */
  readonly loss: number;
  /** Batch-mean gradients by parameter path; the caller disposes them. */
  readonly grads: Record<string, Tensor>;
  /** CPU ms each worker thread spent on its shard (0 for idle workers; undefined off Linux). */
  readonly workerCpuMs: Array<number | undefined>;
  /** Live tensors in each worker after its shard (-1 for idle workers): constant across steps unless something leaks. */
  readonly workerTensors: number[];
}

interface Pending {
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

/** Splits `n` rows over `k` workers as evenly as possible (earlier workers get the remainder). */
export function shardRows(n: number, k: number): Array<{ offset: number; count: number }> {
  const out: Array<{ offset: number; count: number }> = [];
  let offset = 0;
  for (let i = 0; i < k; i++) {
    const count = Math.floor(n / k) + (i < n % k ? 1 : 0);
    out.push({ offset, count });
    offset += count;
  }
  return out;
}

/**
 * Data-parallel gradient workers: each thread holds a replica of the model on its own tfjs backend
 * (its own wasm heap, so each also has its own 4 GiB cap). Per step the main thread writes the
 * current weights and the batch into shared memory, each worker computes the gradients of its rows,
 * and the main thread sums them (weighted by shard size, in worker order, so results are
 * deterministic). The optimizer update stays on the main thread, on the main model: checkpoints,
 * callbacks and resume see one ordinary model.
 *
 * @example
 * ```ts
 * const pool = await DataParallelPool.start(model, { workers: 2, maxBatch: 128, data: train });
 * const { loss, grads } = await pool.gradients(model, train, indices, step);
 * tf.dispose(Object.values(grads));
 * await pool.dispose();
 * ```
 */
export class DataParallelPool {
  private readonly pending: Array<Pending | null>;
  /** Why a worker is gone (error or exit), so later requests fail at once instead of hanging. */
  private readonly dead: Array<Error | null>;
  private closed = false;

  private constructor(
    private readonly threads: Worker[],
    readonly layout: ParamLayout,
    private readonly buffers: SharedBuffers,
    private readonly perSample: number,
    private readonly maxBatch: number,
  ) {
    this.pending = threads.map(() => null);
    this.dead = threads.map(() => null);
    threads.forEach((w, i) => {
      w.on('message', (m: WorkerReply) => this.settle(i, m));
      w.on('error', (e) => this.fail(i, e));
      w.on('exit', (code) => this.fail(i, new Error(`worker ${i} exited (code ${code})`)));
    });
  }

  /** Number of worker threads. */
  get size(): number {
    return this.threads.length;
  }

  /**
   * Starts the workers and waits until every replica is built and matches the main model.
   *
   * @throws Error (with the first worker's reason) when a worker cannot start; no thread is left running.
   */
  static async start(model: BlockModel, options: DataParallelPoolOptions): Promise<DataParallelPool> {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be an integer >= 1, got ${options.workers}`);
    const backend = tf.getBackend() as BackendKind;
    const layout = paramLayout(model);
    const perSample = options.data.sampleShape.reduce((a, b) => a * b, 1);
    const buffers: SharedBuffers = {
      weights: new SharedArrayBuffer(layout.total * 4),
      grads: new SharedArrayBuffer(options.workers * layout.trainableTotal * 4),
      x: new SharedArrayBuffer(options.maxBatch * perSample * 4),
      y: new SharedArrayBuffer(options.maxBatch * 4),
    };
    writeWeights(model, layout, new Float32Array(buffers.weights));
    const where = locateWorker();
    const base: Omit<WorkerInit, 'index'> = {
      backend: { kind: backend, fastPaths: backend === 'wasm' && (currentBackend()?.fastPaths ?? wasmFastPathsActive()) },
      config: model.config as unknown as Record<string, unknown>,
      structure: model.structure(),
      hookSpecs: options.hookSpecs ?? [],
      hookNames: model.hooks.attached.map((h) => h.name),
      layout,
      buffers,
      sampleShape: [...options.data.sampleShape],
      inputDtype: options.data.inputDtype ?? 'float32',
      labelSmoothing: options.labelSmoothing ?? 0,
      probes: options.probes ?? false,
      __acnTsEntry: where.tsEntry,
    };
    const threads: Worker[] = [];
    try {
      for (let i = 0; i < options.workers; i++) threads.push(new Worker(where.script, { workerData: { ...base, index: i } }));
    } catch (e) {
      await Promise.all(threads.map((w) => w.terminate()));
      throw e;
    }
    const pool = new DataParallelPool(threads, layout, buffers, perSample, options.maxBatch);
    const timeout = options.startTimeoutMs ?? 180_000;
    try {
      await Promise.all(
        threads.map((_, i) =>
          pool.expect(i, timeout).then((r) => {
            if (r.type !== 'ready') throw new Error(`worker ${i}: unexpected reply '${r.type}'`);
          }),
        ),
      );
    } catch (e) {
      await pool.dispose();
      throw e;
    }
    return pool;
  }

  /**
   * One data-parallel gradient computation on the rows `indices` of `data` at optimizer step
   * `step` (each replica gets `hooks.step(step)`). Writes the main model's current weights first.
   */
  async gradients(model: BlockModel, data: ArrayDataset, indices: ArrayLike<number>, step: number): Promise<ShardedGradients> {
    if (this.closed) throw new Error('DataParallelPool is disposed');
    const n = indices.length;
    if (n > this.maxBatch) throw new RangeError(`batch of ${n} exceeds the pool's maxBatch ${this.maxBatch}`);
    writeWeights(model, this.layout, new Float32Array(this.buffers.weights));
    // Gather the batch rows straight into shared memory (same order as makeBatch).
    const xs = new Float32Array(this.buffers.x);
    const ys = new Int32Array(this.buffers.y);
    const per = this.perSample;
    for (let i = 0; i < n; i++) {
      const j = indices[i];
      xs.set(data.inputs.subarray(j * per, (j + 1) * per), i * per);
      ys[i] = data.labels[j];
    }
    const shards = shardRows(n, this.threads.length);
    const replies = await Promise.all(
      shards.map((s, i) => {
        if (s.count === 0) return Promise.resolve(null);
        const req: StepRequest = { type: 'step', step, offset: s.offset, count: s.count };
        const p = this.expect(i);
        this.threads[i].postMessage(req);
        return p;
      }),
    );
    let loss = 0;
    const workerCpuMs = replies.map((r) => (r === null ? 0 : r.type === 'done' ? r.cpuMs : undefined));
    const workerTensors = replies.map((r) => (r !== null && r.type === 'done' ? r.numTensors : -1));
    const T = this.layout.trainableTotal;
    const all = new Float32Array(this.buffers.grads);
    const sum = new Float32Array(T);
    let first = true;
    replies.forEach((r, i) => {
      if (r === null) return;
      if (r.type !== 'done') throw new Error(`worker ${i}: ${r.type === 'error' ? r.message : 'unexpected reply'}`);
      const w = shards[i].count / n; // the batch mean is the shard means weighted by shard size
      loss += w * r.loss;
      const region = all.subarray(i * T, (i + 1) * T);
      if (first && w === 1) sum.set(region);
      else if (first) for (let j = 0; j < T; j++) sum[j] = w * region[j];
      else for (let j = 0; j < T; j++) sum[j] += w * region[j];
      first = false;
    });
    // A weight gets a gradient when any shard's loss reaches it (structurally the same in every
    // replica); one no shard reaches stays out of `grads`, as in `lossAndGradients`.
    const done = replies.filter((r): r is Extract<WorkerReply, { type: 'done' }> => r !== null && r.type === 'done');
    const unreached = new Set((done[0]?.noGradient ?? []).filter((p) => done.every((r) => r.noGradient.includes(p))));
    const grads: Record<string, Tensor> = {};
    for (const s of this.layout.slots) {
      if (s.trainable && !unreached.has(s.path)) grads[s.path] = tf.tensor(sum.subarray(s.gradOffset, s.gradOffset + s.size), s.shape as number[], 'float32');
    }
    return { loss, grads, workerCpuMs, workerTensors };
  }

  /** Whether the rows `[0, n)` of the shared batch hold only finite inputs (for error messages). */
  batchIsFinite(n: number): boolean {
    const xs = new Float32Array(this.buffers.x, 0, n * this.perSample);
    return xs.every(Number.isFinite);
  }

  /** Stops every worker (idempotent). */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((w) => w.terminate()));
  }

  private expect(i: number, timeoutMs?: number): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve, reject) => {
      const gone = this.dead[i];
      if (gone) {
        reject(gone);
        return;
      }
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.fail(i, new Error(`worker ${i} did not start within ${timeoutMs} ms`)), timeoutMs);
      const done = (f: () => void) => {
        if (timer) clearTimeout(timer);
        this.pending[i] = null;
        f();
      };
      this.pending[i] = { resolve: (r) => done(() => resolve(r)), reject: (e) => done(() => reject(e)) };
    });
  }

  private settle(i: number, m: WorkerReply): void {
    const p = this.pending[i];
    if (!p) return;
    if (m.type === 'error') p.reject(new Error(`worker ${i}: ${m.message}`));
    else p.resolve(m);
  }

  private fail(i: number, e: Error): void {
    if (this.closed) return;
    this.dead[i] ??= e;
    this.pending[i]?.reject(e);
  }
}
