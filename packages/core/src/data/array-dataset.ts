import { tf, type Tensor } from '../tf';

/**
 * An in-memory labelled dataset as plain typed arrays (no tensors held), so batches are created
 * and freed per step. `@acn/datasets` loaders return this shape.
 */
export interface ArrayDataset {
  /** `count × prod(sampleShape)` float32 values, sample-major. */
  readonly inputs: Float32Array;
  /** `count` integer labels in `[0, numClasses)`. */
  readonly labels: Int32Array;
  readonly count: number;
  /** Shape of one sample, e.g. `[28, 28, 1]`. */
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
  /**
   * dtype of the batch tensors `makeBatch` builds. Default `float32`. `int32` for token ids (the
   * values are stored in `inputs` as exact integers, which float32 holds up to 2^24).
   */
  readonly inputDtype?: 'float32' | 'int32';
}

/**
 * Checks an `ArrayDataset` for consistent sizes and label range; throws naming the problem.
 *
 * @example
 * ```ts
 * checkDataset(train, 'train');
 * ```
 */
export function checkDataset(ds: ArrayDataset, name = 'dataset'): void {
  const per = ds.sampleShape.reduce((a, b) => a * b, 1);
  if (!(ds.inputs instanceof Float32Array)) throw new TypeError(`${name}: inputs must be a Float32Array`);
  if (!(ds.labels instanceof Int32Array)) throw new TypeError(`${name}: labels must be an Int32Array`);
  if (ds.count < 1) throw new RangeError(`${name}: empty dataset`);
  if (ds.inputs.length !== ds.count * per) {
    throw new RangeError(`${name}: inputs has ${ds.inputs.length} values, expected count ${ds.count} × sample ${JSON.stringify(ds.sampleShape)} = ${ds.count * per}`);
  }
  if (ds.labels.length !== ds.count) throw new RangeError(`${name}: labels has ${ds.labels.length} entries, expected ${ds.count}`);
  if (ds.inputDtype === 'int32') {
    const i = ds.inputs.findIndex((v) => !Number.isInteger(v) || Math.abs(v) > 2 ** 24);
    if (i >= 0) throw new RangeError(`${name}: inputDtype is int32 but input value ${ds.inputs[i]} at flat index ${i} is not an integer in [-2^24, 2^24]`);
  }
  for (let i = 0; i < ds.count; i++) {
    const l = ds.labels[i];
    if (l < 0 || l >= ds.numClasses) throw new RangeError(`${name}: label ${l} at index ${i} is outside [0, ${ds.numClasses})`);
  }
}

/**
 * Builds `{ x: [B, ...sampleShape] float32 (or int32 with inputDtype), y: [B] int32 }` tensors for
 * the given sample indices.
 *
 * @example
 * ```ts
 * const { x, y } = makeBatch(train, order.subarray(0, 128));
 * ```
 */
export function makeBatch(ds: ArrayDataset, indices: ArrayLike<number>): { x: Tensor; y: Tensor } {
  const per = ds.sampleShape.reduce((a, b) => a * b, 1);
  const n = indices.length;
  const xs = new Float32Array(n * per);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    // An index past the end would read an empty subarray and yield a silent all-zero sample.
    if (!(Number.isInteger(j) && j >= 0 && j < ds.count)) throw new RangeError(`makeBatch: index ${j} at position ${i} is outside [0, ${ds.count})`);
    xs.set(ds.inputs.subarray(j * per, (j + 1) * per), i * per);
    ys[i] = ds.labels[j];
  }
  const x = ds.inputDtype === 'int32' ? tf.tensor(Int32Array.from(xs), [n, ...ds.sampleShape], 'int32') : tf.tensor(xs, [n, ...ds.sampleShape], 'float32');
  return { x, y: tf.tensor1d(ys, 'int32') };
}

/**
 * The first `n` samples (or the given indices) as a new dataset sharing no memory with the source.
 *
 * @example
 * ```ts
 * const small = takeSubset(train, 512);
 * ```
 */
export function takeSubset(ds: ArrayDataset, nOrIndices: number | ArrayLike<number>): ArrayDataset {
  const idx = typeof nOrIndices === 'number' ? Array.from({ length: Math.min(nOrIndices, ds.count) }, (_, i) => i) : Array.from(nOrIndices);
  const per = ds.sampleShape.reduce((a, b) => a * b, 1);
  const inputs = new Float32Array(idx.length * per);
  const labels = new Int32Array(idx.length);
  idx.forEach((j, i) => {
    inputs.set(ds.inputs.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = ds.labels[j];
  });
  return { inputs, labels, count: idx.length, sampleShape: ds.sampleShape, numClasses: ds.numClasses, ...(ds.inputDtype ? { inputDtype: ds.inputDtype } : {}) };
}

/** The fields of an image dataset that `fromImageDataset` reads (the shape `@acn/datasets` returns). */
export interface ImageDatasetLike {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/**
 * Views an image dataset (`@acn/datasets` loaders) as an `ArrayDataset` with sample shape
 * `[height, width, channels]`, without copying.
 *
 * @example
 * ```ts
 * const train = fromImageDataset(await loadEmbeddedFashionMnist({ split: 'train' }));
 * ```
 */
export function fromImageDataset(ds: ImageDatasetLike): ArrayDataset {
  const out: ArrayDataset = { inputs: ds.images, labels: ds.labels, count: ds.count, sampleShape: [ds.height, ds.width, ds.channels], numClasses: ds.numClasses };
  checkDataset(out, 'image dataset');
  return out;
}
