import { defineCli, mixerShapeOptions, runOptions, studyOptions, trainingOptions, type MixerShapeOptions, type StudyOptions } from '@acn-examples/kit';

/** Everything the demo can be told on the command line. */
export interface DemoOptions extends StudyOptions, MixerShapeOptions {}

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
  workers: 'auto',
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
export const QUICK: Partial<DemoOptions> = { depth: 3, width: 32, tokenMlpDim: 16, channelMlpDim: 64, epochs: 3, warmupEpochs: 0.5, lr: 3e-3, trainLimit: 1024, testLimit: 500, dgfgEvery: 4, latencyRepeats: 5, batchSize: 64, workers: 0 };

export const cli = defineCli<DemoOptions>({
  name: 'auto-compression',
  summary: 'AC-Mixer vs residual Mixer on Fashion-MNIST',
  usage: 'pnpm demo [-- options]',
  defaults: DEFAULTS,
  quick: QUICK,
  options: [...mixerShapeOptions<DemoOptions>(), ...trainingOptions<DemoOptions>(), ...studyOptions<DemoOptions>(), ...runOptions<DemoOptions>()],
});

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export const parseCli = (argv: readonly string[]): DemoOptions | 'help' => cli.parse(argv);
