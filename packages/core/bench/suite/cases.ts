/**
 * The measurements of the benchmark suite, one function per case. Each runs in its own child
 * process (see `../suite.bench.ts`) so that peak RSS is per case and one wasm heap (4 GiB cap)
 * never holds two models' activations; the quick bench test calls them in-process.
 */
import {
  AdamW,
  DataParallelPool,
  applyStepGradients,
  createBert,
  createMixer,
  createVit,
  modelCost,
  tf,
  threadCpuMs,
  trainStep,
  truncate,
  type ArrayDataset,
  type BlockModel,
  type Compressor,
  type Tensor,
} from '../../src/index';
import type { SuiteConfig, TrainCase } from './configs';
import { interleaved, load, matmulRate, median, time, type MatmulShape, type Timing } from './measure';

/** Result of a training-step case. */
export interface TrainResultRow {
  readonly case: string;
  readonly batch: number;
  readonly params: number;
  readonly step: Timing;
  /** Samples per second by wall time and by CPU time. */
  readonly samplesPerSec: { readonly wall: number; readonly cpu: number };
  /** Forward + backward matmul FLOPs of one step (3 × the forward count of `modelCost`). */
  readonly stepFlops: number;
  /** Achieved GFLOP/s (step FLOPs over min(wall, CPU) time). */
  readonly gflops: number;
  /** The backend's plain matmul rate on the step's largest dense shapes (forward, dX, dW). */
  readonly matmulPeak: { readonly gflops: number; readonly shapes: ReadonlyArray<MatmulShape & { gflops: number }> };
  /** gflops / matmulPeak.gflops. */
  readonly efficiency: number;
  readonly tensors: { readonly before: number; readonly after: number };
  readonly rssPeakMB: number;
  readonly load: number[];
}

function buildModel(c: TrainCase): BlockModel {
  if (c.mixer) return createMixer(c.mixer);
  if (c.vit) return createVit(c.vit);
  if (c.bert) {
    const { seqLength: _, ...bert } = c.bert; // seqLength is the bench's, not the model's
    return createBert(bert);
  }
  throw new Error(`train case ${c.name} has no model config`);
}

/** A fixed random batch for the case: images in [0, 1) or token ids in [1, vocab). */
function batchFor(c: TrainCase, batch = c.batch): { x: Tensor; y: Tensor } {
  if (c.bert) {
    return { x: tf.randomUniform([batch, c.bert.seqLength], 1, c.bert.vocabSize, 'int32', 1), y: tf.randomUniform([batch], 0, c.bert.numClasses, 'int32', 2) };
  }
  const cfg = c.mixer ?? c.vit!;
  return { x: tf.randomUniform([batch, ...cfg.inputShape], 0, 1, 'float32', 1), y: tf.randomUniform([batch], 0, cfg.numClasses, 'int32', 2) };
}

/** Forward FLOPs per sample from core's cost accounting (matmuls and attention; elementwise excluded). */
function forwardFlops(model: BlockModel, c: TrainCase): number {
  const input = c.bert ? tf.ones([1, c.bert.seqLength], 'int32') : undefined;
  try {
    return modelCost(model, input ? { input } : {}).total.flops;
  } finally {
    input?.dispose();
  }
}

/** The largest dense layer's matmuls in one step: forward `X W`, `dX = dY Wᵀ`, `dW = Xᵀ dY`. */
function largestDenseShapes(model: BlockModel, rows: number): MatmulShape[] {
  let best: [number, number] = [1, 1];
  for (const l of model.layers()) {
    const k = l.kind === 'dense' ? l.weights.kernel : undefined;
    const [i, o] = (k?.shape ?? [0, 0]) as [number, number];
    if (i * o > best[0] * best[1]) best = [i, o];
  }
  const [i, o] = best;
  return [
    { m: rows, k: i, n: o },
    { m: rows, k: o, n: i },
    { m: i, k: rows, n: o },
  ];
}

/** Training-step time, samples/s, FLOPs, efficiency, tensors and peak RSS of one model. */
export async function runTrainCase(c: TrainCase, reps: number): Promise<TrainResultRow> {
  const model = buildModel(c);
  const { x, y } = batchFor(c);
  const opt = new AdamW();
  const stepFn = () => trainStep(model, opt, x, y, { lr: 1e-3 }); // reads the loss back
  await stepFn(); // warm-up: kernel setup, XNNPACK operator caches
  const before = tf.memory().numTensors;
  const step = await time(stepFn, reps, 0);
  const after = tf.memory().numTensors;
  const stepFlops = 3 * forwardFlops(model, c) * c.batch;
  const best = Math.min(step.wallMs, step.cpuMs);
  const gflops = stepFlops / best / 1e6;
  const matmulPeak = await matmulRate(largestDenseShapes(model, c.batch * c.tokens), Math.max(3, reps));
  const row: TrainResultRow = {
    case: c.name,
    batch: c.batch,
    params: model.paramCount(),
    step,
    samplesPerSec: { wall: (1000 * c.batch) / step.wallMs, cpu: (1000 * c.batch) / step.cpuMs },
    stepFlops,
    gflops,
    matmulPeak,
    efficiency: gflops / matmulPeak.gflops,
    tensors: { before, after },
    rssPeakMB: process.resourceUsage().maxRSS / 1024,
    load: load(),
  };
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return row;
}

/** Pruning-style compressor for the VCON transition: keeps the larger half of each kernel by magnitude. */
const halfMagnitude: Compressor = {
  name: 'bench:half-magnitude',
  prepare(layer) {
    const mask = tf.tidy(() => {
      const a = tf.abs(layer.weights.kernel);
      const k = Math.floor(a.size / 2);
      const thr = tf.topk(tf.reshape(a, [-1]), k).values.min();
      return tf.cast(tf.greaterEqual(a, thr), 'float32');
    });
    return { compress: (w) => tf.mul(w, mask), dispose: () => mask.dispose() };
  },
};

/** Step time with no hook, an identity parametrization on every dense kernel, and a VCON transition. */
export async function runHooksCase(cfg: SuiteConfig, c: TrainCase): Promise<Record<string, unknown>> {
  // @acn/vcon is a plugin above core; the bench (dev tooling, not shipped) imports its source.
  const { vcon } = await import('../../../vcon/src/index');
  const models = [0, 1, 2].map(() => buildModel(c));
  models[1].hooks.attach({ name: 'bench:identity', filter: { kind: 'dense' }, parametrize: { kernel: (w) => w } });
  models[2].hooks.attach(vcon(halfMagnitude, { Q: 1_000_000 }));
  models[2].hooks.step(1000); // mid-transition: β < 1, both forms computed
  const { x, y } = batchFor(c);
  const opts = models.map(() => new AdamW());
  const [plain, identity, transition] = await interleaved(
    models.map((m, i) => () => trainStep(m, opts[i], x, y, { lr: 1e-3 })),
    cfg.reps,
  );
  tf.dispose([x, y]);
  models.forEach((m, i) => {
    m.dispose();
    opts[i].dispose();
  });
  const ratio = (t: Timing) => ({ wall: t.wallMs / plain.wallMs, cpu: t.cpuMs / plain.cpuMs });
  return { case: `hooks:${c.name}`, plain, identity, transition, identityRatio: ratio(identity), transitionRatio: ratio(transition), load: load() };
}

/** Inference latency at batch 1 and the AC batch for the full and the truncated AC Mixer, vs the FLOPs speed-up. */
export async function runInferenceCase(cfg: SuiteConfig): Promise<Record<string, unknown>> {
  const full = createMixer(cfg.acMixer);
  const cut = truncate(full, cfg.truncateTo);
  const flopSpeedup = modelCost(full).total.flops / modelCost(cut).total.flops;
  const out: Record<string, unknown> = { case: 'inference:acn-mixer', depth: full.depth, truncatedDepth: cut.depth, flopSpeedup };
  for (const b of [1, cfg.acBatch]) {
    const x = tf.randomUniform([b, ...cfg.acMixer.inputShape], 0, 1, 'float32', 3);
    const run = (m: BlockModel) => () => {
      const y = m.predict(x);
      y.dataSync();
      y.dispose();
    };
    const [tf1, tc] = await interleaved([run(full), run(cut)], Math.max(cfg.reps, b === 1 ? 20 : 3));
    x.dispose();
    const wall = tf1.wallMs / tc.wallMs;
    const cpu = tf1.cpuMs / tc.cpuMs;
    out[`batch${b}`] = { full: tf1, truncated: tc, speedup: { wall, cpu }, ofFlopSpeedup: { wall: wall / flopSpeedup, cpu: cpu / flopSpeedup } };
  }
  full.dispose();
  cut.dispose();
  out.load = load();
  return out;
}

/**
 * The case's batch as an `ArrayDataset` (what `DataParallelPool` reads): deterministic images in
 * [0, 1) or token ids in [1, vocab) (`[T]` per sample, int32), labels cycling over the classes.
 */
function datasetFor(c: TrainCase): ArrayDataset {
  const sampleShape = c.bert ? [c.bert.seqLength] : (c.mixer ?? c.vit)!.inputShape;
  const numClasses = (c.mixer ?? c.vit ?? c.bert)!.numClasses;
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const value = c.bert ? (i: number) => 1 + ((i * 7919) % (c.bert!.vocabSize - 1)) : (i: number) => ((i * 7919) % 1009) / 1009;
  return {
    inputs: Float32Array.from({ length: c.batch * per }, (_, i) => value(i)),
    labels: Int32Array.from({ length: c.batch }, (_, i) => i % numClasses),
    count: c.batch,
    sampleShape,
    numClasses,
    ...(c.bert ? { inputDtype: 'int32' as const } : {}),
  };
}

/** One pool's numbers in the workers case: medians of wall, process CPU, and per-thread CPU. */
export interface WorkersTiming extends Timing {
  /** Main-thread CPU per step: weights out, batch in, gradient sum, AdamW (the serial part). */
  readonly mainCpuMs: number;
  /** CPU of each worker thread on its shard. */
  readonly workerCpuMs: number[];
  /** main + slowest worker: the step time on an idle machine with a core per thread. */
  readonly projectedIdleMs: number;
}

/** Result of the data-parallel case of one model. */
export interface WorkersResultRow {
  readonly case: string;
  readonly batch: number;
  readonly stepFlops: number;
  readonly oneWorker: WorkersTiming;
  readonly twoWorkers: WorkersTiming;
  readonly speedup: { readonly wall: number; readonly projectedIdle: number };
  /**
   * Achieved GFLOP/s per core with 2 workers (step FLOPs / time / 2), by wall time and by the
   * projected idle time, against the plain matmul rate on one worker's shapes (half the batch rows).
   */
  readonly perCore: { readonly wall: number; readonly projectedIdle: number; readonly matmulPeak: number; readonly efficiency: { readonly wall: number; readonly projectedIdle: number } };
  readonly load: number[];
}

/** Data-parallel step time with 1 and 2 worker threads (interleaved), same model and batch. */
export async function runWorkersCase(cfg: SuiteConfig, c: TrainCase): Promise<WorkersResultRow> {
  const pools: Array<{ n: number; model: BlockModel; opt: AdamW; pool: DataParallelPool }> = [];
  const data = datasetFor(c);
  const idx = Int32Array.from({ length: c.batch }, (_, i) => i);
  try {
    // Per-core reference, before any worker runs: the matmul rate on one worker's largest shapes.
    const probe = buildModel(c);
    const stepFlops = 3 * forwardFlops(probe, c) * c.batch;
    const shardPeak = await matmulRate(largestDenseShapes(probe, Math.ceil(c.batch / 2) * c.tokens), Math.max(3, cfg.reps));
    probe.dispose();
    for (const n of [1, 2]) {
      const model = buildModel(c);
      pools.push({ n, model, opt: new AdamW(), pool: await DataParallelPool.start(model, { workers: n, maxBatch: c.batch, data }) });
    }
    let step = 0;
    // Per step: CPU of the main thread (the serial part) and of each worker thread. On an idle
    // machine with a core per worker the step takes about main + max(workers); that projection
    // holds under load, where wall time does not.
    const cpu = pools.map(() => ({ main: [] as number[], projected: [] as number[], workers: [] as number[][] }));
    const timings = await interleaved(
      pools.map((p, i) => async () => {
        const m0 = threadCpuMs() ?? 0;
        const { loss, grads, workerCpuMs } = await p.pool.gradients(p.model, data, idx, step++);
        applyStepGradients(p.model, p.opt, loss, grads, { lr: 1e-3 }, () => true);
        tf.dispose(Object.values(grads));
        const main = (threadCpuMs() ?? 0) - m0;
        const ws = workerCpuMs.map((x) => x ?? Number.NaN);
        cpu[i].main.push(main);
        cpu[i].workers.push(ws);
        cpu[i].projected.push(main + Math.max(...ws));
      }),
      cfg.reps,
    );
    // The warm-up round is the first sample of each list; drop it like interleaved() does.
    const [one, two] = cpu.map((s, i): WorkersTiming => ({
      ...timings[i],
      mainCpuMs: median(s.main.slice(1)),
      workerCpuMs: s.workers[0].map((_, k) => median(s.workers.slice(1).map((w) => w[k]))),
      projectedIdleMs: median(s.projected.slice(1)),
    }));
    const perCoreWall = stepFlops / two.wallMs / 1e6 / 2;
    const perCoreIdle = stepFlops / two.projectedIdleMs / 1e6 / 2;
    return {
      case: c.name,
      batch: c.batch,
      stepFlops,
      oneWorker: one,
      twoWorkers: two,
      speedup: { wall: one.wallMs / two.wallMs, projectedIdle: one.projectedIdleMs / two.projectedIdleMs },
      perCore: {
        wall: perCoreWall,
        projectedIdle: perCoreIdle,
        matmulPeak: shardPeak.gflops,
        efficiency: { wall: perCoreWall / shardPeak.gflops, projectedIdle: perCoreIdle / shardPeak.gflops },
      },
      load: load(),
    };
  } finally {
    for (const p of pools) {
      await p.pool.dispose();
      p.model.dispose();
      p.opt.dispose();
    }
  }
}
