import { DatasetError } from './errors';
import type { IdxArray } from './idx';
import { scalePixels, type ImageDataset } from './image-dataset';

/**
 * Options of {@link imageDatasetFromIdx}.
 *
 * @example
 * ```ts
 * const options: IdxDatasetOptions = { classNames: MNIST_CLASS_NAMES, limit: 1000 };
 * ```
 */
export interface IdxDatasetOptions {
  /** One name per class; labels must be in `0..classNames.length-1`. */
  classNames: readonly string[];
  /** Keep only the first `limit` images (in file order). */
  limit?: number;
  /** File names for error messages. */
  imagesSource?: string;
  labelsSource?: string;
}

/**
 * Pairs a parsed IDX image file (`[N, H, W]` or `[N, H, W, C]`, uint8) with its label file (`[N]`)
 * into an {@link ImageDataset} with pixels scaled to [0, 1].
 *
 * @throws {@link DatasetError} `BAD_MAGIC` (wrong number of dimensions, e.g. the two files swapped),
 * `UNSUPPORTED_DTYPE` (not uint8), `COUNT_MISMATCH`, `BAD_LABEL`, `BAD_ARGUMENT` (bad `limit`).
 *
 * @example
 * ```ts
 * const ds = imageDatasetFromIdx(await readIdxFile(imagesPath), await readIdxFile(labelsPath), {
 *   classNames: MNIST_CLASS_NAMES,
 * });
 * ```
 */
export function imageDatasetFromIdx(images: IdxArray, labels: IdxArray, options: IdxDatasetOptions): ImageDataset {
  const imagesSource = options.imagesSource ?? 'images';
  const labelsSource = options.labelsSource ?? 'labels';
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DatasetError(
      'BAD_MAGIC',
      `${imagesSource}: expected an image file (magic 0x00000803, 3 dimensions), got ${images.dims.length} dimension(s) ${JSON.stringify(images.dims)}`,
      { path: imagesSource },
    );
  }
  if (labels.dims.length !== 1) {
    throw new DatasetError(
      'BAD_MAGIC',
      `${labelsSource}: expected a label file (magic 0x00000801, 1 dimension), got ${labels.dims.length} dimensions ${JSON.stringify(labels.dims)}`,
      { path: labelsSource },
    );
  }
  if (images.dtype !== 'uint8') {
    throw new DatasetError('UNSUPPORTED_DTYPE', `${imagesSource}: pixels must be uint8 to scale to [0, 1], got ${images.dtype}`, {
      path: imagesSource,
    });
  }
  const [fileCount, height, width, channels = 1] = images.dims;
  if (labels.dims[0] !== fileCount) {
    throw new DatasetError(
      'COUNT_MISMATCH',
      `image/label count mismatch: ${imagesSource} has ${fileCount} images but ${labelsSource} has ${labels.dims[0]} labels`,
      { path: imagesSource },
    );
  }
  const limit = options.limit ?? fileCount;
  if (!Number.isInteger(limit) || limit < 0) throw new DatasetError('BAD_ARGUMENT', `limit must be a non-negative integer, got ${limit}`);
  const count = Math.min(limit, fileCount);
  const numClasses = options.classNames.length;
  const outLabels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new DatasetError('BAD_LABEL', `${labelsSource}: label ${label} at index ${i} is outside 0..${numClasses - 1}`, {
        path: labelsSource,
      });
    }
    outLabels[i] = label;
  }
  const size = height * width * channels;
  // Only the kept images are converted: `limit` saves the float32 memory, not just the copy.
  const pixels = (images.data as Uint8Array).subarray(0, count * size);
  return {
    images: scalePixels(pixels),
    labels: outLabels,
    count,
    height,
    width,
    channels,
    numClasses,
    classNames: options.classNames,
  };
}
