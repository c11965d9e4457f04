import { parseArgs } from 'node:util';
import { CONNECTIVITIES, type Connectivity } from '@acn/core';

/** Everything the demo can be told on the command line. */
export interface DemoOptions {
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
  readonly connectivities: readonly Connectivity[];
  readonly dataDir?: string;
  readonly outDir: string;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Cutoff tolerance as a fraction (0.005 = 0.5 accuracy points). */
  readonly delta: number;
  /** Run the direct-vs-full gradient pass every N steps (0 = off); it doubles those steps' cost. */
  readonly dgfgEvery: number;
  readonly latencyRepeats: number;
  readonly quick: boolean;
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

/** The default: the smallest configuration we found that shows auto-compression on the embedded subset (see README). */
export const DEFAULTS: DemoOptions = {
  depth: 12,
  width: 64,
  tokenMlpDim: 32,
  channelMlpDim: 256,
  patchSize: 7,
  epochs: 10,
  batchSize: 64,
  lr: 1e-3,
  warmupEpochs: 1,
  seed: 0,
  connectivities: ['acn', 'residual'],
  outDir: 'results',
  delta: 0.005,
  dgfgEvery: 25,
  latencyRepeats: 20,
  quick: false,
  backend: 'auto',
};

/** `--quick`: a smoke run of well under a minute (used by the example's own test). */
export const QUICK: Partial<DemoOptions> = { depth: 3, width: 32, tokenMlpDim: 16, channelMlpDim: 64, epochs: 3, warmupEpochs: 0.5, lr: 3e-3, trainLimit: 1024, testLimit: 500, dgfgEvery: 4, latencyRepeats: 5, batchSize: 64 };

export const HELP = `auto-compression: AC-Mixer vs residual Mixer on Fashion-MNIST

Usage: pnpm demo [-- options]   (or: pnpm --filter auto-compression start -- options)

  --depth N            blocks per model (default ${DEFAULTS.depth})
  --width N            token width D (default ${DEFAULTS.width})
  --token-mlp N        token-mixing MLP width (default ${DEFAULTS.tokenMlpDim})
  --channel-mlp N      channel-mixing MLP width (default ${DEFAULTS.channelMlpDim})
  --patch N            patch side, must divide 28 (default ${DEFAULTS.patchSize})
  --epochs N           training epochs per model (default ${DEFAULTS.epochs})
  --batch N            batch size (default ${DEFAULTS.batchSize})
  --lr X               peak learning rate (default ${DEFAULTS.lr})
  --warmup X           warm-up epochs (default ${DEFAULTS.warmupEpochs})
  --seed N             seed of init and shuffling (default ${DEFAULTS.seed})
  --connectivity LIST  comma-separated: ${CONNECTIVITIES.join(', ')} (default ${DEFAULTS.connectivities.join(',')})
  --data-dir DIR       full Fashion-MNIST IDX files (default: env ACN_DATA_DIR, else the embedded subset)
  --train-limit N      use only the first N training images
  --test-limit N       use only the first N test images
  --out DIR            output directory (default ${DEFAULTS.outDir})
  --delta X            cutoff tolerance as a fraction (default ${DEFAULTS.delta} = 0.5 points)
  --dgfg-every N       direct-vs-full gradient pass every N steps, 0 = off (default ${DEFAULTS.dgfgEvery})
  --backend KIND       auto | tensorflow | wasm | cpu (default auto)
  --quick              smoke run (< 1 minute)
  --help               this text
`;

function num(name: string, v: string | undefined, opts: { int?: boolean; min?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new Error(`--${name} must be ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}, got '${v}'`);
  }
  return n;
}

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export function parseCli(argv: readonly string[]): DemoOptions | 'help' {
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
      connectivity: { type: 'string' },
      'data-dir': { type: 'string' },
      'train-limit': { type: 'string' },
      'test-limit': { type: 'string' },
      out: { type: 'string' },
      delta: { type: 'string' },
      'dgfg-every': { type: 'string' },
      backend: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const base: DemoOptions = values.quick ? { ...DEFAULTS, ...QUICK, quick: true } : DEFAULTS;
  const conns = values.connectivity?.split(',').map((s) => s.trim()) as Connectivity[] | undefined;
  for (const c of conns ?? []) {
    if (!CONNECTIVITIES.includes(c)) throw new Error(`--connectivity: unknown '${c}' (known: ${CONNECTIVITIES.join(', ')})`);
  }
  const backend = values.backend ?? base.backend;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backend: unknown '${backend}' (auto, tensorflow, wasm, cpu)`);
  return {
    ...base,
    depth: num('depth', values.depth, { int: true, min: 1 }) ?? base.depth,
    width: num('width', values.width, { int: true, min: 1 }) ?? base.width,
    tokenMlpDim: num('token-mlp', values['token-mlp'], { int: true, min: 1 }) ?? base.tokenMlpDim,
    channelMlpDim: num('channel-mlp', values['channel-mlp'], { int: true, min: 1 }) ?? base.channelMlpDim,
    patchSize: num('patch', values.patch, { int: true, min: 1 }) ?? base.patchSize,
    epochs: num('epochs', values.epochs, { int: true, min: 1 }) ?? base.epochs,
    batchSize: num('batch', values.batch, { int: true, min: 1 }) ?? base.batchSize,
    lr: num('lr', values.lr, { min: 0 }) ?? base.lr,
    warmupEpochs: num('warmup', values.warmup, { min: 0 }) ?? base.warmupEpochs,
    seed: num('seed', values.seed, { int: true, min: 0 }) ?? base.seed,
    connectivities: conns ?? base.connectivities,
    dataDir: values['data-dir'] ?? base.dataDir,
    trainLimit: num('train-limit', values['train-limit'], { int: true, min: 1 }) ?? base.trainLimit,
    testLimit: num('test-limit', values['test-limit'], { int: true, min: 1 }) ?? base.testLimit,
    outDir: values.out ?? base.outDir,
    delta: num('delta', values.delta, { min: 0 }) ?? base.delta,
    dgfgEvery: num('dgfg-every', values['dgfg-every'], { int: true, min: 0 }) ?? base.dgfgEvery,
    backend: backend as DemoOptions['backend'],
  };
}
