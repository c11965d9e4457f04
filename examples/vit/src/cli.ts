import { defineCli, runOptions, studyOptions, trainingOptions, type StudyOptions } from '@acn-examples/kit';

/**
 * Which reading of the AC-ViT repository quirks to train with (acn.md §2.3, §8.3):
 * - `paper`: standard transformer blocks, the AC ones with their short residuals removed (the
 *   core defaults: no attention-output LN, no Dirac FFN, softmax(q kᵀ/√d_h)).
 * - `repo`: `vit/vit_code` as written: the AC model gets the attention-output LN and the Dirac
 *   FFN, both models scale the attention weights after the softmax.
 */
export type QuirkMode = 'paper' | 'repo';

/** Everything the example can be told on the command line. */
export interface VitExampleOptions extends StudyOptions {
  readonly width: number;
  readonly heads: number;
  readonly mlpDim: number;
  readonly patchSize: number;
  readonly quirks: QuirkMode;
}

/**
 * The default: a small ViT (patch 7 → 16 patches + CLS = 17 tokens, D = 64, 4 heads, FFN 128,
 * depth 8) that trains both models on the embedded Fashion-MNIST subset in about 15 minutes on
 * 2 cores (see README for the measured run).
 */
export const DEFAULTS: VitExampleOptions = {
  depth: 8,
  width: 64,
  heads: 4,
  mlpDim: 128,
  patchSize: 7,
  epochs: 12,
  batchSize: 64,
  lr: 1e-3,
  warmupEpochs: 1,
  workers: 'auto',
  seed: 0,
  connectivities: ['acn', 'residual'],
  quirks: 'paper',
  outDir: 'results',
  delta: 0.005,
  dgfgEvery: 50,
  latencyRepeats: 20,
  quick: false,
  backend: 'auto',
};

/** `--quick`: a smoke run of well under a minute (used by the example's own test). */
export const QUICK: Partial<VitExampleOptions> = {
  depth: 3,
  width: 32,
  heads: 2,
  mlpDim: 64,
  epochs: 3,
  warmupEpochs: 0.5,
  lr: 3e-3,
  trainLimit: 1024,
  testLimit: 500,
  dgfgEvery: 4,
  latencyRepeats: 5,
  batchSize: 64,
  workers: 0,
};

export const cli = defineCli<VitExampleOptions>({
  name: 'vit',
  summary: 'AC-ViT vs residual ViT on Fashion-MNIST',
  usage: 'pnpm vit [-- options]',
  defaults: DEFAULTS,
  quick: QUICK,
  options: [
    { flag: 'depth', key: 'depth', help: 'blocks per model', kind: { type: 'int', min: 1 } },
    { flag: 'width', key: 'width', help: 'token width D', kind: { type: 'int', min: 1 } },
    { flag: 'heads', key: 'heads', help: 'attention heads, must divide the width', kind: { type: 'int', min: 1 } },
    { flag: 'mlp', key: 'mlpDim', help: 'FFN hidden width', kind: { type: 'int', min: 1 } },
    { flag: 'patch', key: 'patchSize', help: 'patch side, must divide 28', kind: { type: 'int', min: 1 } },
    ...trainingOptions<VitExampleOptions>(),
    ...studyOptions<VitExampleOptions>(),
    {
      flag: 'quirks',
      key: 'quirks',
      arg: 'MODE',
      help: 'the AC-ViT repository quirks off (paper reading) or as in vit/vit_code (AC: attention-output LN + Dirac FFN; both: scale after softmax)',
      kind: { type: 'choice', choices: ['paper', 'repo'] },
    },
    ...runOptions<VitExampleOptions>(),
  ],
  check: (o) => {
    if (o.width % o.heads !== 0) throw new Error(`--heads ${o.heads} must divide --width ${o.width}`);
  },
});

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export const parseCli = (argv: readonly string[]): VitExampleOptions | 'help' => cli.parse(argv);
