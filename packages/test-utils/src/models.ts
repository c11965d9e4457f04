import { createBert, createMixer, createMlp, createVit, tf, type BlockModel, type Connectivity, type Tensor } from '@acn/core';

/** A tiny model of the conformance grid and the input shape it takes. */
export interface ZooEntry {
  readonly name: string;
  readonly sampleShape: readonly number[];
  readonly create: () => BlockModel;
  /** A batch of `b` valid inputs (default: uniform floats of `sampleShape`). */
  readonly input?: (b: number) => Tensor;
}

/**
 * A batch of `b` valid inputs for a zoo entry: its own `input` (BERT ids) or uniform floats in
 * [0, 1) of `[b, ...sampleShape]` (fixed seed, so every call gives the same batch).
 *
 * @example
 * ```ts
 * const x = zooBatch(tinyModelZoo()[0], 8); // [8, 8, 8, 1]
 * ```
 */
export function zooBatch(entry: ZooEntry, b = 3): Tensor {
  return entry.input ? entry.input(b) : tf.randomUniform([b, ...entry.sampleShape], 0, 1, 'float32', 11);
}

/**
 * The connectivities every plugin is checked on by default: ACN, the residual baseline and the two
 * dense residual variants (their learned connection weights are ordinary model weights that
 * plugins must handle). `feedforward` has the ACN blocks without the sum; add it explicitly.
 */
export const ZOO_CONNECTIVITIES: readonly Connectivity[] = ['acn', 'residual', 'densenet', 'denseformer'];

/**
 * The {Mixer, MLP} × {acn, residual, densenet, denseformer} grid of tiny models every plugin is
 * checked on. Other architectures (ViT, BERT) can be appended by their packages' tests.
 */
export function tinyModelZoo(connectivities: readonly Connectivity[] = ZOO_CONNECTIVITIES): ZooEntry[] {
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

/**
 * Tiny transformers (ViT on images, BERT on token ids with padding) for the same checks; append
 * them to `tinyModelZoo()` to run a plugin's conformance on every architecture.
 */
export function transformerZoo(connectivities: readonly Connectivity[] = ZOO_CONNECTIVITIES): ZooEntry[] {
  const out: ZooEntry[] = [];
  for (const connectivity of connectivities) {
    out.push({
      name: `vit/${connectivity}`,
      sampleShape: [8, 8, 1],
      create: () => createVit({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, numHeads: 2, mlpDim: 32, depth: 2, connectivity, seed: 7 }),
    });
    out.push({
      name: `bert/${connectivity}`,
      sampleShape: [6],
      create: () => createBert({ vocabSize: 20, numClasses: 2, maxLength: 8, hiddenDim: 16, numHeads: 2, mlpDim: 32, depth: 2, typeVocabSize: 0, connectivity, seed: 7 }),
      // ids in [5, 20) after [CLS]=2, with the last position padded ([PAD]=0) in every row
      input: (b) => tf.tidy(() => tf.concat([tf.fill([b, 1], 2, 'int32'), tf.randomUniform([b, 4], 5, 20, 'int32', 3), tf.zeros([b, 1], 'int32')], 1)),
    });
  }
  return out;
}
