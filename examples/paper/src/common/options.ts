/**
 * Options shared by every paper experiment (one flat set: each experiment reads the ones it needs).
 * Resolution order: BASE → the experiment's defaults → its `--quick` overrides → the user's flags.
 */
import type { WorkersOption } from '@acn/core';

/** The image datasets `--dataset` knows, with the shape of one image (`[H, W, C]`). */
export const DATASET_SHAPES = {
  'fashion-mnist': [28, 28, 1],
  mnist: [28, 28, 1],
  cifar10: [32, 32, 3],
} as const satisfies Record<string, readonly [number, number, number]>;

/** A dataset name of {@link DATASET_SHAPES}. */
export type PaperDataset = keyof typeof DATASET_SHAPES;

/** The dataset of a run: `fashion-mnist` when the option is absent (the default runs). */
export function datasetOf(o: { readonly dataset?: PaperDataset }): PaperDataset {
  return o.dataset ?? 'fashion-mnist';
}

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
  /** Patch side; must divide the image side (28 for Fashion-MNIST / MNIST, 32 for CIFAR-10). */
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
  /**
   * The image data (`--dataset`). Absent = `fashion-mnist`: kept out of BASE so the configuration
   * the default runs record is the one they recorded before the flag existed.
   */
  readonly dataset?: PaperDataset;
  /**
   * Data-parallel training threads (`--workers`, core's `train({ workers })`); absent = 0, the main
   * thread, so default results stay bit-reproducible. Runs that train a model view or with an
   * extra loss always use the main thread (see `trainWorkers`).
   */
  readonly workers?: WorkersOption;
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
  /**
   * Transfer: upstream data and epochs (the downstream fine-tune uses `epochs`). `fashion-classes`:
   * classes 0–4 → 5–9 of the run's `--dataset` (the name dates from when Fashion-MNIST was the
   * only one); `mnist`: MNIST → the run's 28×28×1 dataset.
   */
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
