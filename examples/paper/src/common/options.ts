/**
 * Options shared by every paper experiment (one flat set: each experiment reads the ones it needs).
 * Resolution order: BASE → the experiment's defaults → its `--quick` overrides → the user's flags.
 */

/** Everything an experiment can be told. Accuracies and deltas are fractions. */
export interface PaperOptions {
  /** Smoke run: tiny models, few epochs, small data; results are marked `quick` and are not results. */
  readonly quick: boolean;
  /** One run per seed (init, shuffling, samplers and noise are seeded from it). */
  readonly seeds: readonly number[];
  readonly epochs: number;
  readonly depth: number;
  readonly width: number;
  readonly tokenMlp: number;
  readonly channelMlp: number;
  /** Patch side; must divide 28. */
  readonly patch: number;
  /** `none` (paper reading, default) or the repository's `linearReluSkipLN` post-block (acn.md A1). */
  readonly postBlock: 'none' | 'linearReluSkipLN';
  readonly batch: number;
  readonly lr: number;
  readonly warmup: number;
  readonly labelSmoothing: number;
  /** Cutoff tolerance δ (0.01 = 1 accuracy point). */
  readonly delta: number;
  readonly dataDir?: string;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly out: string;
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** Restrict the compared arms (default: each experiment's own list). */
  readonly arms?: readonly string[];
  /** Gradient dynamics: direct-vs-full gradient pass every N steps (0 = off). */
  readonly dgfgEvery: number;
  /** Task difficulty: class counts. */
  readonly classCounts: readonly number[];
  /** Noise: Gaussian σ values and salt-and-pepper probabilities. */
  readonly sigmas: readonly number[];
  readonly saltPepper: readonly number[];
  /** Low data: training images per class. */
  readonly perClass: number;
  /** Transfer: upstream data and epochs (the downstream fine-tune uses `epochs`). */
  readonly upstream: 'fashion-classes' | 'mnist';
  readonly upstreamEpochs: number;
  /** Continual: depths compared, number of tasks, SI strength λ and damping ξ. */
  readonly depths: readonly number[];
  readonly tasks: number;
  readonly siLambda: number;
  readonly siXi: number;
}

/** The base every experiment starts from: a small Fashion-MNIST Mixer (patch 7 → 16 patches + CLS). */
export const BASE: PaperOptions = {
  quick: false,
  seeds: [0, 1, 2],
  epochs: 8,
  depth: 12,
  width: 32,
  tokenMlp: 16,
  channelMlp: 64,
  patch: 7,
  postBlock: 'none',
  batch: 64,
  lr: 2e-3,
  warmup: 1,
  labelSmoothing: 0.1,
  delta: 0.01,
  out: 'results',
  backend: 'auto',
  dgfgEvery: 20,
  classCounts: [2, 5, 10],
  sigmas: [0.1, 0.2, 0.4],
  saltPepper: [0.01, 0.05, 0.1],
  perClass: 100,
  upstream: 'fashion-classes',
  upstreamEpochs: 6,
  depths: [4, 8, 12],
  tasks: 5,
  siLambda: 1,
  siXi: 0.1,
};

/** The `--quick` overrides every experiment shares (each may add its own). */
export const QUICK_BASE: Partial<PaperOptions> = {
  quick: true,
  seeds: [0, 1],
  epochs: 1,
  depth: 3,
  width: 16,
  tokenMlp: 8,
  channelMlp: 32,
  warmup: 0,
  lr: 3e-3,
  trainLimit: 600,
  testLimit: 200,
  dgfgEvery: 3,
  upstreamEpochs: 1,
  depths: [2, 3],
  perClass: 10,
};
