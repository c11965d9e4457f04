import { createMixer, type Connectivity, type MlpMixer } from '@acn/core';
import type { ImageData } from './data';
import type { MixerShapeOptions } from './options';

/**
 * The examples' MLP-Mixer for a dataset: input shape and classes from the data, the shape from the
 * options.
 *
 * @example
 * ```ts
 * const model = fashionMixer(data, o, 'acn', o.seed);
 * ```
 */
export function fashionMixer(data: ImageData, o: MixerShapeOptions, connectivity: Connectivity, seed: number): MlpMixer {
  const [h, w, c] = data.train.sampleShape;
  return createMixer({
    inputShape: [h, w, c],
    numClasses: data.train.numClasses,
    patchSize: o.patchSize,
    hiddenDim: o.width,
    tokenMlpDim: o.tokenMlpDim,
    channelMlpDim: o.channelMlpDim,
    depth: o.depth,
    connectivity,
    seed,
  });
}
