/*
 * Test-only data for the analysis tests (not exported): tiny, deterministic, learnable datasets.
 */
import { Rng, type ArrayDataset } from '@acn/core';

/**
 * `count` samples of `sampleShape` with values in [0, 1); the label is the index of the
 * `numClasses`-wide chunk of the flattened sample with the largest sum (a fixed rule, so a model
 * can learn it and probes differ).
 *
 * @example
 * ```ts
 * const data = chunkArgmaxDataset(96, [8, 8, 1], 4, 1);
 * ```
 */
export function chunkArgmaxDataset(count: number, sampleShape: readonly number[], numClasses: number, seed = 0): ArrayDataset {
  const rng = new Rng(seed);
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const chunk = Math.floor(per / numClasses);
  const inputs = new Float32Array(count * per);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const sums = new Array<number>(numClasses).fill(0);
    for (let j = 0; j < per; j++) {
      const v = rng.next();
      inputs[i * per + j] = v;
      const c = Math.floor(j / chunk);
      if (c < numClasses) sums[c] += v;
    }
    labels[i] = sums.indexOf(Math.max(...sums));
  }
  return { inputs, labels, count, sampleShape, numClasses };
}
