import { DatasetError } from './errors';

/**
 * A labelled image set as plain typed arrays: no tfjs here, so this package has no tfjs
 * dependency; `@acn/core` turns it into tensors.
 *
 * @example
 * ```ts
 * const ds: ImageDataset = await loadEmbeddedFashionMnist({ split: 'test' });
 * const firstPixelOfImage3 = ds.images[3 * ds.height * ds.width * ds.channels];
 * ```
 */
export interface ImageDataset {
  /** `count * height * width * channels` floats in [0, 1], NHWC row-major (one image after another). */
  images: Float32Array;
  /** One label per image, in `0..numClasses-1`. */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  /** `classNames[label]` is the human-readable name; length `numClasses`. */
  classNames: readonly string[];
}

/** Scale table for uint8 → [0, 1]: one lookup per pixel instead of a division. */
const UNIT_SCALE = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * Converts uint8 pixels (0..255) to floats in [0, 1].
 *
 * @example
 * ```ts
 * scalePixels(new Uint8Array([0, 255])); // Float32Array [0, 1]
 * ```
 */
export function scalePixels(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = UNIT_SCALE[pixels[i]];
  return out;
}

/**
 * Copies the images at `indices` (in that order, repeats allowed) into a new dataset.
 *
 * @throws {@link DatasetError} `BAD_ARGUMENT` for an index that is not an integer in `0..count-1`.
 *
 * @example
 * ```ts
 * const firstHundred = subset(ds, Array.from({ length: 100 }, (_, i) => i));
 * ```
 */
export function subset(ds: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const size = ds.height * ds.width * ds.channels;
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!Number.isInteger(i) || i < 0 || i >= ds.count) {
      throw new DatasetError('BAD_ARGUMENT', `subset: index ${i} at position ${j} is outside 0..${ds.count - 1}`);
    }
    images.set(ds.images.subarray(i * size, (i + 1) * size), j * size);
    labels[j] = ds.labels[i];
  }
  return { ...ds, images, labels, count: indices.length };
}

/**
 * Keeps only the images whose label is in `classes` and relabels them `0..classes.length-1` in
 * the order given (so `filterClasses(ds, [7, 2])` maps 7 → 0 and 2 → 1). `classNames` follows.
 *
 * @throws {@link DatasetError} `BAD_ARGUMENT` for an empty list, a duplicate, or a class outside `0..numClasses-1`.
 *
 * @example
 * ```ts
 * const sandalsVsSneakers = filterClasses(fashion, [5, 7]); // numClasses 2
 * ```
 */
export function filterClasses(ds: ImageDataset, classes: readonly number[]): ImageDataset {
  if (classes.length === 0) throw new DatasetError('BAD_ARGUMENT', 'filterClasses: classes must not be empty');
  const newLabel = new Int32Array(ds.numClasses).fill(-1);
  classes.forEach((c, j) => {
    if (!Number.isInteger(c) || c < 0 || c >= ds.numClasses) {
      throw new DatasetError('BAD_ARGUMENT', `filterClasses: class ${c} is outside 0..${ds.numClasses - 1}`);
    }
    if (newLabel[c] !== -1) throw new DatasetError('BAD_ARGUMENT', `filterClasses: class ${c} listed twice`);
    newLabel[c] = j;
  });
  const keep: number[] = [];
  for (let i = 0; i < ds.count; i++) if (newLabel[ds.labels[i]] !== -1) keep.push(i);
  const picked = subset(ds, keep);
  for (let j = 0; j < picked.count; j++) picked.labels[j] = newLabel[picked.labels[j]];
  return { ...picked, numClasses: classes.length, classNames: classes.map((c) => ds.classNames[c]) };
}

/**
 * Counts the images per class: `result[c]` is the number of images labelled `c`.
 *
 * @example
 * ```ts
 * classCounts(embeddedTrain); // Int32Array(10) [...]
 * ```
 */
export function classCounts(ds: ImageDataset): Int32Array {
  const counts = new Int32Array(ds.numClasses);
  for (let i = 0; i < ds.count; i++) counts[ds.labels[i]]++;
  return counts;
}

/**
 * Per-channel statistics of a dataset's pixels (one entry per channel).
 *
 * @example
 * ```ts
 * const stats: ChannelStats = { mean: [0.2860], std: [0.3530] };
 * ```
 */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

/**
 * Per-channel mean and (population) standard deviation over all pixels, e.g. to compute the
 * normalization constants from the training split only.
 *
 * @example
 * ```ts
 * const stats = channelStats(train); // { mean: [0.286], std: [0.353] } for Fashion-MNIST
 * ```
 */
export function channelStats(ds: ImageDataset): ChannelStats {
  const c = ds.channels;
  // float64 accumulators: summing 47M float32 pixels in float32 would lose several digits.
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let i = 0; i < ds.images.length; i++) {
    const v = ds.images[i];
    sum[i % c] += v;
    sumSq[i % c] += v * v;
  }
  const n = ds.images.length / c;
  const mean = Array.from(sum, (s) => (n > 0 ? s / n : 0));
  const std = Array.from(sumSq, (s, k) => Math.sqrt(Math.max(0, n > 0 ? s / n - mean[k] * mean[k] : 0)));
  return { mean, std };
}

/**
 * Returns `(x - mean[c]) / std[c]` for every pixel as a new array (the dataset itself keeps its
 * [0, 1] images, so the same dataset can be normalized with different statistics).
 *
 * @throws {@link DatasetError} `BAD_ARGUMENT` when the stats do not have one entry per channel or a std is 0.
 *
 * @example
 * ```ts
 * const x = normalizeImages(test, channelStats(train));
 * ```
 */
export function normalizeImages(ds: ImageDataset, stats: ChannelStats): Float32Array {
  const c = ds.channels;
  if (stats.mean.length !== c || stats.std.length !== c) {
    throw new DatasetError('BAD_ARGUMENT', `normalizeImages: need ${c} mean/std values, got ${stats.mean.length}/${stats.std.length}`);
  }
  if (stats.std.some((s) => !(s > 0))) throw new DatasetError('BAD_ARGUMENT', 'normalizeImages: every std must be > 0');
  const out = new Float32Array(ds.images.length);
  for (let i = 0; i < out.length; i++) out[i] = (ds.images[i] - stats.mean[i % c]) / stats.std[i % c];
  return out;
}
