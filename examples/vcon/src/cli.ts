import { defineCli, mixerShapeOptions, runOptions, type MixerShapeOptions, type RunOptions } from '@acn-examples/kit';

/** The compression settings compared (one baseline and one VCON run each, per seed). */
export const MODALITIES = ['prune', 'binary', 'lowrank', 'depth'] as const;
export type Modality = (typeof MODALITIES)[number];

/** `short`: ~3 epochs of fine-tuning, Q ≈ N/3. `long`: ~10 epochs, Q = 20% of N (the authors' ratio). */
export type Budget = 'short' | 'long';

/** Everything the example can be told on the command line. */
export interface VconExampleOptions extends RunOptions, MixerShapeOptions {
  readonly budget: Budget;
  /** Fine-tuning seeds per modality and method (shuffling order; same for baseline and VCON). */
  readonly seeds: number;
  /** Fine-tuning steps N (default from the budget). */
  readonly steps?: number;
  /** Transition length Q in optimizer steps (default from the budget); must be < N. */
  readonly q?: number;
  readonly modalities: readonly Modality[];
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
  /** Directory of the base model: loaded when it holds a checkpoint, else trained and saved there. */
  readonly checkpoint?: string;
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

export const cli = defineCli<VconExampleOptions>({
  name: 'vcon',
  summary: 'VCON vs compress-then-fine-tune on a Fashion-MNIST AC-Mixer',
  usage: 'pnpm vcon [-- options]',
  defaults: DEFAULTS,
  quick: QUICK,
  options: [
    {
      flag: 'budget',
      key: 'budget',
      help: 'fine-tuning budget: short = 3 epochs, Q = N/3 (writes vcon.json); long = 10 epochs, Q = 20% of N (writes vcon-long.json)',
      kind: { type: 'choice', choices: ['short', 'long'] },
    },
    { flag: 'seeds', key: 'seeds', help: 'fine-tuning seeds per modality and method', kind: { type: 'int', min: 1 } },
    { flag: 'steps', key: 'steps', help: 'fine-tuning steps N (overrides the budget)', kind: { type: 'int', min: 1 } },
    { flag: 'q', key: 'q', help: 'VCON transition length Q in optimizer steps, Q < N (overrides the budget)', kind: { type: 'int', min: 0 } },
    { flag: 'modalities', key: 'modalities', arg: 'LIST', help: 'comma-separated', kind: { type: 'list', choices: MODALITIES } },
    ...mixerShapeOptions<VconExampleOptions>({ minDepth: 2 }),
    { flag: 'base-epochs', key: 'baseEpochs', help: 'epochs of base training', kind: { type: 'int', min: 1 } },
    { flag: 'lr', key: 'lr', help: 'peak learning rate of fine-tuning', kind: { type: 'number', min: 0 } },
    { flag: 'batch', key: 'batchSize', help: 'batch size', kind: { type: 'int', min: 1 } },
    { flag: 'keep', key: 'keep', help: 'blocks kept by the depth modality (default depth/2)', kind: { type: 'int', min: 1 } },
    { flag: 'sparsity', key: 'sparsity', help: 'pruning sparsity', kind: { type: 'number', min: 0, below: 1 } },
    { flag: 'rank-factor', key: 'rankFactor', help: 'low rank: at least this many times fewer FLOPs per dense layer', kind: { type: 'number', min: 1 } },
    { flag: 'checkpoint', key: 'checkpoint', arg: 'DIR', help: 'load the base model from DIR, or train it and save it there', kind: { type: 'string' } },
    ...runOptions<VconExampleOptions>('first seed, also the base model\'s'),
  ],
  check: (parsed, given) => {
    let o = parsed;
    // An explicit --budget drops the quick run's fixed N and Q, so that --quick --budget long is still a long-shaped run.
    if (o.quick && given.has('budget')) o = { ...o, steps: given.has('steps') ? o.steps : undefined, q: given.has('q') ? o.q : undefined };
    if (o.keep !== undefined && o.keep >= o.depth) throw new Error(`--keep must be < --depth (${o.depth}), got ${o.keep}`);
    if (o.steps !== undefined && o.q !== undefined && o.q >= o.steps) throw new Error(`--q must be < the fine-tuning steps N (${o.steps}), got ${o.q}`);
    return o;
  },
});

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export const parseCli = (argv: readonly string[]): VconExampleOptions | 'help' => cli.parse(argv);

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
