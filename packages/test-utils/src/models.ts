import { createMixer, createMlp, type BlockModel, type Connectivity } from '@acn/core';

/** A tiny model of the conformance grid and the input shape it takes. */
export interface ZooEntry {
  readonly name: string;
  readonly sampleShape: readonly number[];
  readonly create: () => BlockModel;
}

/**
 * The {Mixer, MLP} × {acn, residual} grid of tiny models every plugin is checked on. Other
 * architectures (ViT, BERT) can be appended by their packages' tests.
 */
export function tinyModelZoo(connectivities: readonly Connectivity[] = ['acn', 'residual']): ZooEntry[] {
  const out: ZooEntry[] = [];
  for (const connectivity of connectivities) {
    out.push({
      name: `mixer/${connectivity}`,
      sampleShape: [8, 8, 1],
      create: () => createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 3, connectivity, seed: 7 }),
    });
    out.push({
      name: `mlp/${connectivity}`,
      sampleShape: [6],
      create: () => createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 16, connectivity, seed: 7 }),
    });
  }
  return out;
}
