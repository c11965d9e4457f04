import { parseArgs } from 'node:util';

/** Everything the early-exit example can be told on the command line. */
export interface ExampleOptions {
  readonly depth: number;
  readonly width: number;
  readonly tokenMlpDim: number;
  readonly channelMlpDim: number;
  readonly patchSize: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly warmupEpochs: number;
  readonly seed: number;
  /** Images held out from the end of the training set for threshold calibration. */
  readonly valSize: number;
  /** The fixed entropy threshold (acn.md §5.10: 0.7). */
  readonly tau: number;
  /** Largest accuracy drop the calibrated threshold may cost on the validation split (fraction). */
  readonly maxDrop: number;
  /** Branch exit layers (executed blocks); default: the paper's positions scaled to the depth. */
  readonly branchLayers?: readonly number[];
  /** Fixed branch loss weights; default {@link defaultBranchWeights} (acn.md §3.5: 0.8, 0.6, 0.4 for three branches). */
  readonly branchWeights?: readonly number[];
  readonly dataDir?: string;
  readonly outDir: string;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Timed runs per latency figure (median). */
  readonly latencyRepeats: number;
  /** Test images timed one by one for the batch-1 figure (the first ones; at most 128, the batch-128 images). */
  readonly batch1Samples: number;
  readonly quick: boolean;
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

/** The default: the auto-compression example's Mixers (see README for the measured run time). */
export const DEFAULTS: ExampleOptions = {
  depth: 8,
  width: 64,
  tokenMlpDim: 32,
  channelMlpDim: 256,
  patchSize: 7,
  epochs: 8,
  batchSize: 64,
  lr: 2e-3,
  warmupEpochs: 1,
  seed: 0,
  valSize: 1000,
  tau: 0.7,
  maxDrop: 0.01,
  outDir: 'results',
  latencyRepeats: 6,
  batch1Samples: 128,
  quick: false,
  backend: 'auto',
};

/** `--quick`: a smoke run well under a minute (used by the example's own test). */
export const QUICK: Partial<ExampleOptions> = {
  depth: 3,
  width: 32,
  tokenMlpDim: 16,
  channelMlpDim: 64,
  epochs: 1,
  warmupEpochs: 0,
  lr: 3e-3,
  trainLimit: 800,
  valSize: 200,
  testLimit: 256,
  latencyRepeats: 2,
  batch1Samples: 4,
};

export const HELP = `early-exit: residual vs AC Mixers on Fashion-MNIST with shared-head and branch exits

Usage: pnpm --filter early-exit-example start [-- options]

  --depth N            blocks per model (default ${DEFAULTS.depth})
  --width N            token width D (default ${DEFAULTS.width})
  --token-mlp N        token-mixing MLP width (default ${DEFAULTS.tokenMlpDim})
  --channel-mlp N      channel-mixing MLP width (default ${DEFAULTS.channelMlpDim})
  --patch N            patch side, must divide 28 (default ${DEFAULTS.patchSize})
  --epochs N           training epochs per model (default ${DEFAULTS.epochs}; 6 models are trained)
  --batch N            batch size (default ${DEFAULTS.batchSize})
  --lr X               peak learning rate (default ${DEFAULTS.lr})
  --warmup X           warm-up epochs (default ${DEFAULTS.warmupEpochs})
  --seed N             seed of init and shuffling (default ${DEFAULTS.seed})
  --val N              images held out from the training set for calibration (default ${DEFAULTS.valSize})
  --tau X              fixed entropy threshold in nats (default ${DEFAULTS.tau})
  --max-drop X         accuracy drop the calibrated threshold may cost, fraction (default ${DEFAULTS.maxDrop} = 1 point)
  --branches LIST      branch exit layers, e.g. 3,5,7 (default: blocks 4, 8, 12 of 16 scaled to the depth)
  --branch-weights L   branch loss weights, one per branch (default 0.8 down to 0.4: 0.8,0.6,0.4 for 3 branches)
  --data-dir DIR       full Fashion-MNIST IDX files (default: env ACN_DATA_DIR, else the embedded subset)
  --train-limit N      use only the first N training images (before the validation split)
  --test-limit N       use only the first N test images (at least 128: batch-128 timing)
  --latency-repeats N  timed runs per latency figure, median reported (default ${DEFAULTS.latencyRepeats})
  --batch1-samples N   test images timed one by one for batch 1, at most 128 (default ${DEFAULTS.batch1Samples})
  --out DIR            output directory (default ${DEFAULTS.outDir})
  --backend KIND       auto | tensorflow | wasm | cpu (default auto)
  --quick              smoke run (< 1 minute)
  --help               this text
`;

function num(name: string, v: string | undefined, opts: { int?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
    throw new Error(`--${name} must be ${opts.int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got '${v}'`);
  }
  return n;
}

function list(name: string, v: string | undefined, opts: { int?: boolean; min?: number }): number[] | undefined {
  if (v === undefined) return undefined;
  return v.split(',').map((s) => num(name, s.trim(), opts)!);
}

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export function parseCli(argv: readonly string[]): ExampleOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv].filter((a) => a !== '--'),
    strict: true,
    options: {
      depth: { type: 'string' },
      width: { type: 'string' },
      'token-mlp': { type: 'string' },
      'channel-mlp': { type: 'string' },
      patch: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      warmup: { type: 'string' },
      seed: { type: 'string' },
      val: { type: 'string' },
      tau: { type: 'string' },
      'max-drop': { type: 'string' },
      branches: { type: 'string' },
      'branch-weights': { type: 'string' },
      'data-dir': { type: 'string' },
      'train-limit': { type: 'string' },
      'test-limit': { type: 'string' },
      'latency-repeats': { type: 'string' },
      'batch1-samples': { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const base: ExampleOptions = values.quick ? { ...DEFAULTS, ...QUICK, quick: true } : DEFAULTS;
  const backend = values.backend ?? base.backend;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backend: unknown '${backend}' (auto, tensorflow, wasm, cpu)`);
  const o: ExampleOptions = {
    ...base,
    depth: num('depth', values.depth, { int: true, min: 2 }) ?? base.depth,
    width: num('width', values.width, { int: true, min: 1 }) ?? base.width,
    tokenMlpDim: num('token-mlp', values['token-mlp'], { int: true, min: 1 }) ?? base.tokenMlpDim,
    channelMlpDim: num('channel-mlp', values['channel-mlp'], { int: true, min: 1 }) ?? base.channelMlpDim,
    patchSize: num('patch', values.patch, { int: true, min: 1 }) ?? base.patchSize,
    epochs: num('epochs', values.epochs, { int: true, min: 1 }) ?? base.epochs,
    batchSize: num('batch', values.batch, { int: true, min: 1 }) ?? base.batchSize,
    lr: num('lr', values.lr, { min: 0 }) ?? base.lr,
    warmupEpochs: num('warmup', values.warmup, { min: 0 }) ?? base.warmupEpochs,
    seed: num('seed', values.seed, { int: true, min: 0 }) ?? base.seed,
    valSize: num('val', values.val, { int: true, min: 1 }) ?? base.valSize,
    tau: num('tau', values.tau, { min: 0 }) ?? base.tau,
    maxDrop: num('max-drop', values['max-drop'], { min: 0, max: 1 }) ?? base.maxDrop,
    branchLayers: list('branches', values.branches, { int: true, min: 1 }) ?? base.branchLayers,
    branchWeights: list('branch-weights', values['branch-weights'], { min: 0 }) ?? base.branchWeights,
    dataDir: values['data-dir'] ?? base.dataDir,
    trainLimit: num('train-limit', values['train-limit'], { int: true, min: 2 }) ?? base.trainLimit,
    testLimit: num('test-limit', values['test-limit'], { int: true, min: 128 }) ?? base.testLimit,
    latencyRepeats: num('latency-repeats', values['latency-repeats'], { int: true, min: 1 }) ?? base.latencyRepeats,
    batch1Samples: num('batch1-samples', values['batch1-samples'], { int: true, min: 1, max: 128 }) ?? base.batch1Samples,
    outDir: values.out ?? base.outDir,
    backend: backend as ExampleOptions['backend'],
  };
  if (o.branchLayers && o.branchWeights && o.branchWeights.length !== o.branchLayers.length) {
    throw new Error(`--branch-weights has ${o.branchWeights.length} values for ${o.branchLayers.length} branches (--branches ${o.branchLayers.join(',')})`);
  }
  return o;
}

/**
 * Branch loss weights for n branches: the paper's 0.8, 0.6, 0.4 for three, evenly spaced from 0.8
 * down to 0.4 otherwise.
 */
export function defaultBranchWeights(n: number): number[] {
  if (n === 1) return [0.8];
  return Array.from({ length: n }, (_, i) => Math.round((0.8 - (0.4 * i) / (n - 1)) * 1e6) / 1e6);
}
