/**
 * Model and step configurations of the benchmark suite. The full set follows issue 14 and
 * platform.md; `quick` shrinks batch and depth so CI finishes in seconds. The PyTorch reference
 * (`bench/reference/models.py`) builds the same models from the same numbers (passed as JSON).
 */
import type { BertConfigInput, MixerConfigInput, VitConfigInput } from '../../src/index';

export type TrainModelName = 'mixer' | 'vit' | 'bert';

/** One training-step benchmark. */
export interface TrainCase {
  readonly name: TrainModelName;
  readonly batch: number;
  /** Tokens per sample seen by the dense layers (for the matmul shapes). */
  readonly tokens: number;
  readonly mixer?: MixerConfigInput;
  readonly vit?: VitConfigInput;
  readonly bert?: BertConfigInput & { readonly seqLength: number };
}

export interface SuiteConfig {
  readonly quick: boolean;
  readonly reps: number;
  readonly train: readonly TrainCase[];
  /** The AC Mixer used for inference, hook and worker measurements. */
  readonly acMixer: MixerConfigInput;
  readonly acBatch: number;
  /** Depth of the truncated AC model. */
  readonly truncateTo: number;
}

// Mean pooling: 64 tokens, as platform.md's Mixer and the PyTorch reference (the default CLS token would add one).
const mixer = (depth: number): MixerConfigInput => ({
  inputShape: [32, 32, 3], numClasses: 10, patchSize: 4, hiddenDim: 128, tokenMlpDim: 64, channelMlpDim: 256, depth, connectivity: 'residual', pooling: 'mean', seed: 0,
});
const vit = (depth: number): VitConfigInput => ({ inputShape: [32, 32, 3], numClasses: 10, patchSize: 4, hiddenDim: 128, depth, numHeads: 4, mlpDim: 256, connectivity: 'residual', seed: 0 });
const bert = (depth: number, seqLength: number): BertConfigInput & { seqLength: number } => ({
  vocabSize: 2048, numClasses: 2, maxLength: seqLength, hiddenDim: 128, depth, numHeads: 4, mlpDim: 512, mlmHead: false, connectivity: 'residual', seed: 0, seqLength,
});

/** The suite's configuration (`quick` for CI). */
export function suiteConfig(quick: boolean): SuiteConfig {
  if (quick) {
    return {
      quick,
      reps: 2,
      train: [
        { name: 'mixer', batch: 16, tokens: 64, mixer: mixer(2) },
        { name: 'vit', batch: 8, tokens: 65, vit: vit(1) },
        { name: 'bert', batch: 8, tokens: 16, bert: bert(1, 16) },
      ],
      acMixer: { ...mixer(4), connectivity: 'acn' },
      acBatch: 16,
      truncateTo: 2,
    };
  }
  return {
    quick,
    reps: 5,
    train: [
      { name: 'mixer', batch: 128, tokens: 64, mixer: mixer(8) },
      { name: 'vit', batch: 128, tokens: 65, vit: vit(6) },
      { name: 'bert', batch: 128, tokens: 64, bert: bert(4, 64) },
    ],
    acMixer: { ...mixer(8), connectivity: 'acn' },
    acBatch: 128,
    truncateTo: 4,
  };
}
