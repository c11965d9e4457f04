import { parseArgs } from 'node:util';

/** The compression settings compared (one baseline and one VCON run each, per seed). */
export const MODALITIES = ['prune', 'binary', 'lowrank', 'depth'] as const;
export type Modality = (typeof MODALITIES)[number];

/** `short`: ~3 epochs of fine-tuning, Q ≈ N/3. `long`: ~10 epochs, Q = 20% of N (the authors' ratio). */
export type Budget = 'short' | 'long';

/** Everything the example can be told on the command line. */
export interface VconExampleOptions {
  readonly budget: Budget;
  /** Fine-tuning seeds per modality and method (shuffling order; same for baseline and VCON). */
  readonly seeds: number;
  /** First seed; also the seed of the base model (init and shuffling). */
  readonly seed: number;
  /** Fine-tuning steps N (default from the budget). */
  readonly steps?: number;
  /** Transition length Q in optimizer steps (default from the budget); must be < N. */
  readonly q?: number;
  readonly modalities: readonly Modality[];
  /** Base Mixer (the auto-compression example's AC-Mixer at a smaller depth). */
  readonly depth: number;
  readonly width: number;
  readonly tokenMlpDim: number;
  readonly channelMlpDim: number;
  readonly patchSize: number;
  /** Epochs of base training (when it is not loaded from `--checkpoint`). */
  readonly baseEpochs: number;
  readonly baseLr: number;
  /** Peak learning rate of every fine-tuning run (cosine to 1e-6 over N, no warm-up). */
  readonly lr: number;
  readonly batchSize: number;
  /** Blocks kept by the depth modality (default depth / 2). */
  readonly keep?: number;
  readonly sparsity: number;
  /** Low-rank FLOP reduction per dense layer: rank = ⌊in·out / (factor·(in + out))⌋. */
  readonly rankFactor: number;
  readonly dataDir?: string;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Directory of the base model: loaded when it holds a checkpoint, else trained and saved there. */
  readonly checkpoint?: string;
  readonly outDir: string;
  readonly quick: boolean;
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

export const DEFAULTS: VconExampleOptions = {
  budget: 'short',
  seeds: 3,
  seed: 0,
  modalities: MODALITIES,
  depth: 4,
  width: 64,
  tokenMlpDim: 32,
  channelMlpDim: 256,
  patchSize: 7,
  baseEpochs: 8,
  baseLr: 1e-3,
  lr: 5e-4,
  batchSize: 64,
  sparsity: 0.9,
  rankFactor: 4,
  outDir: 'results',
  quick: false,
  backend: 'auto',
};

/** `--quick`: a smoke run of well under a minute (used by the example's own test). */
export const QUICK: Partial<VconExampleOptions> = {
  seeds: 1,
  depth: 2,
  width: 32,
  tokenMlpDim: 16,
  channelMlpDim: 64,
  baseEpochs: 2,
  baseLr: 3e-3,
  steps: 12,
  q: 4,
  trainLimit: 512,
  testLimit: 256,
};

export const HELP = `vcon-example: VCON vs compress-then-fine-tune on a Fashion-MNIST AC-Mixer

Usage: pnpm --filter vcon-example start -- [options]

  --budget short|long  fine-tuning budget: short = 3 epochs, Q = N/3 (default, writes vcon.json);
                       long = 10 epochs, Q = 20% of N (writes vcon-long.json)
  --seeds N            fine-tuning seeds per modality and method (default ${DEFAULTS.seeds})
  --seed N             first seed, also the base model's (default ${DEFAULTS.seed})
  --steps N            fine-tuning steps N (overrides the budget)
  --q N                VCON transition length Q in optimizer steps, Q < N (overrides the budget)
  --modalities LIST    comma-separated: prune, binary, lowrank, depth (default all)
  --depth N            blocks of the base Mixer (default ${DEFAULTS.depth})
  --base-epochs N      epochs of base training (default ${DEFAULTS.baseEpochs})
  --lr X               peak learning rate of fine-tuning (default ${DEFAULTS.lr})
  --batch N            batch size (default ${DEFAULTS.batchSize})
  --keep N             blocks kept by the depth modality (default depth/2)
  --sparsity X         pruning sparsity (default ${DEFAULTS.sparsity})
  --rank-factor X      low rank: at least this many times fewer FLOPs per dense layer (default ${DEFAULTS.rankFactor})
  --checkpoint DIR     load the base model from DIR, or train it and save it there
  --data-dir DIR       full Fashion-MNIST IDX files (default: env ACN_DATA_DIR, else the embedded subset)
  --train-limit N      use only the first N training images
  --test-limit N       use only the first N test images
  --out DIR            output directory (default ${DEFAULTS.outDir})
  --backend KIND       auto | tensorflow | wasm | cpu (default auto)
  --quick              smoke run (< 1 minute)
  --help               this text
`;

function num(name: string, v: string | undefined, opts: { int?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n >= opts.max)) {
    const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `< ${opts.max}` : ''].filter(Boolean).join(' and ');
    throw new Error(`--${name} must be ${opts.int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got '${v}'`);
  }
  return n;
}

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export function parseCli(argv: readonly string[]): VconExampleOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv].filter((a) => a !== '--'),
    strict: true,
    options: {
      budget: { type: 'string' },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      q: { type: 'string' },
      modalities: { type: 'string' },
      depth: { type: 'string' },
      'base-epochs': { type: 'string' },
      lr: { type: 'string' },
      batch: { type: 'string' },
      keep: { type: 'string' },
      sparsity: { type: 'string' },
      'rank-factor': { type: 'string' },
      checkpoint: { type: 'string' },
      'data-dir': { type: 'string' },
      'train-limit': { type: 'string' },
      'test-limit': { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const base: VconExampleOptions = values.quick ? { ...DEFAULTS, ...QUICK, quick: true } : DEFAULTS;
  const budget = values.budget ?? base.budget;
  if (budget !== 'short' && budget !== 'long') throw new Error(`--budget must be 'short' or 'long', got '${budget}'`);
  const modalities = values.modalities?.split(',').map((s) => s.trim()) as Modality[] | undefined;
  for (const m of modalities ?? []) {
    if (!MODALITIES.includes(m)) throw new Error(`--modalities: unknown '${m}' (known: ${MODALITIES.join(', ')})`);
  }
  const backend = values.backend ?? base.backend;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backend: unknown '${backend}' (auto, tensorflow, wasm, cpu)`);
  const o: VconExampleOptions = {
    ...base,
    budget,
    seeds: num('seeds', values.seeds, { int: true, min: 1 }) ?? base.seeds,
    seed: num('seed', values.seed, { int: true, min: 0 }) ?? base.seed,
    // An explicit --budget drops the quick run's fixed N and Q, so that --quick --budget long is still a long-shaped run.
    steps: num('steps', values.steps, { int: true, min: 1 }) ?? (values.budget && values.quick ? undefined : base.steps),
    q: num('q', values.q, { int: true, min: 0 }) ?? (values.budget && values.quick ? undefined : base.q),
    modalities: modalities ?? base.modalities,
    depth: num('depth', values.depth, { int: true, min: 2 }) ?? base.depth,
    baseEpochs: num('base-epochs', values['base-epochs'], { int: true, min: 1 }) ?? base.baseEpochs,
    lr: num('lr', values.lr, { min: 0 }) ?? base.lr,
    batchSize: num('batch', values.batch, { int: true, min: 1 }) ?? base.batchSize,
    keep: num('keep', values.keep, { int: true, min: 1 }) ?? base.keep,
    sparsity: num('sparsity', values.sparsity, { min: 0, max: 1 }) ?? base.sparsity,
    rankFactor: num('rank-factor', values['rank-factor'], { min: 1 }) ?? base.rankFactor,
    checkpoint: values.checkpoint ?? base.checkpoint,
    dataDir: values['data-dir'] ?? base.dataDir,
    trainLimit: num('train-limit', values['train-limit'], { int: true, min: 1 }) ?? base.trainLimit,
    testLimit: num('test-limit', values['test-limit'], { int: true, min: 1 }) ?? base.testLimit,
    outDir: values.out ?? base.outDir,
    backend: backend as VconExampleOptions['backend'],
  };
  if (o.keep !== undefined && o.keep >= o.depth) throw new Error(`--keep must be < --depth (${o.depth}), got ${o.keep}`);
  if (o.steps !== undefined && o.q !== undefined && o.q >= o.steps) throw new Error(`--q must be < the fine-tuning steps N (${o.steps}), got ${o.q}`);
  return o;
}

/**
 * N and Q of a budget for a training set of `count` images: short = 3 epochs with Q = round(N/3),
 * long = 10 epochs with Q = round(0.2·N); `--steps` / `--q` override them.
 */
export function budgetSteps(o: VconExampleOptions, count: number): { steps: number; Q: number } {
  const perEpoch = Math.ceil(count / o.batchSize);
  const steps = o.steps ?? (o.budget === 'long' ? 10 : 3) * perEpoch;
  const Q = o.q ?? Math.round(o.budget === 'long' ? 0.2 * steps : steps / 3);
  if (Q >= steps) throw new Error(`Q (${Q}) must be < the fine-tuning steps N (${steps})`);
  return { steps, Q };
}
