import { defineCli, mixerShapeOptions, runOptions, trainingOptions, withOption, type MixerShapeOptions, type RunOptions, type TrainingOptions } from '@acn-examples/kit';

/** Everything the early-exit example can be told on the command line. */
export interface ExampleOptions extends RunOptions, TrainingOptions, MixerShapeOptions {
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
  /** Timed runs per latency figure (median). */
  readonly latencyRepeats: number;
  /** Test images timed one by one for the batch-1 figure (the first ones; at most 128, the batch-128 images). */
  readonly batch1Samples: number;
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
  workers: 'auto',
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
  workers: 0,
};

export const cli = defineCli<ExampleOptions>({
  name: 'early-exit',
  summary: 'residual vs AC Mixers on Fashion-MNIST with shared-head and branch exits',
  usage: 'pnpm early-exit [-- options]',
  defaults: DEFAULTS,
  quick: QUICK,
  options: [
    ...mixerShapeOptions<ExampleOptions>({ minDepth: 2 }),
    ...withOption(trainingOptions<ExampleOptions>(), 'epochs', { help: 'training epochs per model (6 models are trained)' }),
    { flag: 'val', key: 'valSize', help: 'images held out from the training set for calibration', kind: { type: 'int', min: 1 } },
    { flag: 'tau', key: 'tau', help: 'fixed entropy threshold in nats', kind: { type: 'number', min: 0 } },
    { flag: 'max-drop', key: 'maxDrop', help: 'accuracy drop the calibrated threshold may cost, fraction', kind: { type: 'number', min: 0, max: 1 } },
    { flag: 'branches', key: 'branchLayers', help: 'branch exit layers, e.g. 3,5,7 (default: blocks 4, 8, 12 of 16 scaled to the depth)', kind: { type: 'numbers', int: true, min: 1 } },
    { flag: 'branch-weights', key: 'branchWeights', help: 'branch loss weights, one per branch (default 0.8 down to 0.4: 0.8,0.6,0.4 for 3 branches)', kind: { type: 'numbers', min: 0 } },
    { flag: 'latency-repeats', key: 'latencyRepeats', help: 'timed runs per latency figure, median reported', kind: { type: 'int', min: 1 } },
    { flag: 'batch1-samples', key: 'batch1Samples', help: 'test images timed one by one for batch 1, at most 128', kind: { type: 'int', min: 1, max: 128 } },
    ...withOption(
      withOption(runOptions<ExampleOptions>(), 'train-limit', { help: 'use only the first N training images (before the validation split)', kind: { type: 'int', min: 2 } }),
      'test-limit',
      { help: 'use only the first N test images (at least 128: batch-128 timing)', kind: { type: 'int', min: 128 } },
    ),
  ],
  check: (o) => {
    if (o.branchLayers && o.branchWeights && o.branchWeights.length !== o.branchLayers.length) {
      throw new Error(`--branch-weights has ${o.branchWeights.length} values for ${o.branchLayers.length} branches (--branches ${o.branchLayers.join(',')})`);
    }
  },
});

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export const parseCli = (argv: readonly string[]): ExampleOptions | 'help' => cli.parse(argv);

/**
 * Branch loss weights for n branches: the paper's 0.8, 0.6, 0.4 for three, evenly spaced from 0.8
 * down to 0.4 otherwise.
 */
export function defaultBranchWeights(n: number): number[] {
  if (n === 1) return [0.8];
  return Array.from({ length: n }, (_, i) => Math.round((0.8 - (0.4 * i) / (n - 1)) * 1e6) / 1e6);
}
