import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_CLASS_NAMES } from './class-names';
import { DatasetError } from './errors';
import type { ImageDataset } from './image-dataset';
import { readBytes } from './read-bytes';

/**
 * Side length of a CIFAR-10 image.
 *
 * @example
 * ```ts
 * const pixelsPerImage = CIFAR10_SIZE * CIFAR10_SIZE * 3; // 3072
 * ```
 */
export const CIFAR10_SIZE = 32;
/**
 * Bytes per CIFAR-10 binary record: 1 label byte + 3 planes of 32x32 pixels (3073).
 *
 * @example
 * ```ts
 * const records = fileBytes.length / CIFAR10_RECORD_BYTES; // 10000 per batch file
 * ```
 */
export const CIFAR10_RECORD_BYTES = 1 + 3 * CIFAR10_SIZE * CIFAR10_SIZE;

const PLANE = CIFAR10_SIZE * CIFAR10_SIZE;

/**
 * Records in each official CIFAR-10 binary batch file (`data_batch_1..5.bin`, `test_batch.bin`).
 *
 * @example
 * ```ts
 * CIFAR10_RECORDS_PER_FILE * 5; // 50,000 training images
 * ```
 */
export const CIFAR10_RECORDS_PER_FILE = 10_000;

/**
 * Pixel element type of a decoded CIFAR-10 batch.
 *
 * @example
 * ```ts
 * const dtype: Cifar10Dtype = 'uint8';
 * ```
 */
export type Cifar10Dtype = 'float32' | 'uint8';

/**
 * Decoded CIFAR-10 records: images `[count, 32, 32, 3]` HWC row-major, labels 0..9.
 *
 * @example
 * ```ts
 * const batch: Cifar10Batch<Uint8Array> = readCifar10Batch(bytes, { dtype: 'uint8' });
 * const greenAtRow2Col5OfImage0 = batch.images[(2 * 32 + 5) * 3 + 1];
 * ```
 */
export interface Cifar10Batch<T extends Float32Array | Uint8Array = Float32Array> {
  /** float32 in [0, 1] or raw uint8 0..255, depending on the requested dtype. */
  images: T;
  labels: Uint8Array;
  count: number;
  shape: [number, 32, 32, 3];
}

/**
 * Options of {@link readCifar10Batch} and {@link loadCifar10}.
 *
 * @example
 * ```ts
 * const options: Cifar10Options<'uint8'> = { dtype: 'uint8', source: 'test_batch.bin' };
 * ```
 */
export interface Cifar10Options<D extends Cifar10Dtype = Cifar10Dtype> {
  /** `float32` (default) scales pixels to [0, 1]; `uint8` keeps the bytes. */
  dtype?: D;
  /** Name used in error messages. */
  source?: string;
  /** Require exactly this many records (the official files hold 10,000 each); default: any number >= 1. */
  records?: number;
}

/** The image array type for a dtype: `Uint8Array` for `'uint8'`, else `Float32Array`. */
type ImagesOf<D extends Cifar10Dtype> = D extends 'uint8' ? Uint8Array : Float32Array;

/**
 * Decodes a CIFAR-10 binary batch (`data_batch_N.bin` / `test_batch.bin` layout): records of one
 * label byte then 3072 pixel bytes (1024 R, 1024 G, 1024 B, each a row-major 32x32 plane). The
 * planes are interleaved into HWC, the layout tfjs convolutions expect.
 *
 * @throws {@link DatasetError} `BAD_LENGTH` (length not a multiple of 3073), `BAD_LABEL` (label > 9).
 *
 * @example
 * ```ts
 * const batch = readCifar10Batch(await readFile('test_batch.bin'), { dtype: 'uint8' });
 * batch.shape; // [10000, 32, 32, 3]
 * ```
 */
export function readCifar10Batch<D extends Cifar10Dtype = 'float32'>(
  bytes: Uint8Array,
  options: Cifar10Options<D> = {},
): Cifar10Batch<ImagesOf<D>> {
  const source = options.source ?? '<cifar-10 bytes>';
  const uint8 = options.dtype === 'uint8';
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetError(
      'BAD_LENGTH',
      `${source}: ${bytes.length} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records ` +
        `(${Math.floor(bytes.length / CIFAR10_RECORD_BYTES)} records + ${bytes.length % CIFAR10_RECORD_BYTES} bytes). ` +
        'Is this the binary version (not the python pickle)?',
      { path: source },
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  if (count === 0) throw new DatasetError('TRUNCATED', `${source}: empty file (no CIFAR-10 records)`, { path: source });
  if (options.records !== undefined && count !== options.records) {
    throw new DatasetError('COUNT_MISMATCH', `${source}: ${count} CIFAR-10 records, expected ${options.records} (a partial or cut batch file?)`, { path: source });
  }
  const labels = new Uint8Array(count);
  const images = uint8 ? new Uint8Array(count * 3 * PLANE) : new Float32Array(count * 3 * PLANE);
  // Divide (not multiply by 1/255) so float pixels equal the IDX loaders' `v / 255` bit for bit.
  const divisor = uint8 ? 1 : 255;
  for (let n = 0; n < count; n++) {
    const rec = n * CIFAR10_RECORD_BYTES;
    const label = bytes[rec];
    if (label > 9) {
      throw new DatasetError('BAD_LABEL', `${source}: record ${n} has label ${label}, expected 0..9`, { path: source });
    }
    labels[n] = label;
    const out = n * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      images[out + 3 * p] = bytes[rec + 1 + p] / divisor;
      images[out + 3 * p + 1] = bytes[rec + 1 + PLANE + p] / divisor;
      images[out + 3 * p + 2] = bytes[rec + 1 + 2 * PLANE + p] / divisor;
    }
  }
  return { images: images as ImagesOf<D>, labels, count, shape: [count, 32, 32, 3] };
}

/**
 * File names of the CIFAR-10 binary distribution (`cifar-10-binary.tar.gz`), per split.
 *
 * @example
 * ```ts
 * CIFAR10_FILES.test; // ['test_batch.bin']
 * ```
 */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

function concatBatches<T extends Float32Array | Uint8Array>(batches: Cifar10Batch<T>[], uint8: boolean): Cifar10Batch<T> {
  const count = batches.reduce((a, b) => a + b.count, 0);
  const images = (uint8 ? new Uint8Array(count * 3 * PLANE) : new Float32Array(count * 3 * PLANE)) as T;
  const labels = new Uint8Array(count);
  let at = 0;
  for (const b of batches) {
    images.set(b.images, at * 3 * PLANE);
    labels.set(b.labels, at);
    at += b.count;
  }
  return { images, labels, count, shape: [count, 32, 32, 3] };
}

/**
 * Loads the CIFAR-10 binary version from `dir` or `dir/cifar-10-batches-bin` (the folder the
 * official tarball extracts to): train = `data_batch_1..5.bin` concatenated in order, test =
 * `test_batch.bin`.
 *
 * Every file must hold exactly `recordsPerFile` records (default 10,000, as the official files do).
 *
 * @throws {@link DatasetError} `FILE_NOT_FOUND` naming the missing batch, `COUNT_MISMATCH` for a
 *   partial batch file, or any {@link readCifar10Batch} error.
 *
 * @example
 * ```ts
 * const { train, test } = await loadCifar10('/data/cifar-10', { dtype: 'float32' });
 * train.count; // 50000
 * ```
 */
export async function loadCifar10<D extends Cifar10Dtype = 'float32'>(
  dir: string,
  options: Pick<Cifar10Options<D>, 'dtype'> & { recordsPerFile?: number } = {},
): Promise<{ train: Cifar10Batch<ImagesOf<D>>; test: Cifar10Batch<ImagesOf<D>> }> {
  const nested = join(dir, 'cifar-10-batches-bin');
  const root = existsSync(join(dir, CIFAR10_FILES.test[0])) || !existsSync(nested) ? dir : nested;
  const load = async (names: readonly string[]) => {
    const batches = [];
    for (const name of names) {
      const path = join(root, name);
      // Every official batch file holds exactly 10,000 records: a shorter one was cut, even at a record boundary.
      batches.push(readCifar10Batch<D>(await readBytes(path), { dtype: options.dtype, source: path, records: options.recordsPerFile ?? CIFAR10_RECORDS_PER_FILE }));
    }
    return concatBatches(batches, options.dtype === 'uint8');
  };
  return { train: await load(CIFAR10_FILES.train), test: await load(CIFAR10_FILES.test) };
}

/**
 * Wraps a float32 CIFAR-10 batch as an {@link ImageDataset} (shares the image array).
 *
 * @example
 * ```ts
 * const ds = cifar10ToImageDataset((await loadCifar10(dir)).test); // ds.channels === 3
 * ```
 */
export function cifar10ToImageDataset(batch: Cifar10Batch<Float32Array>): ImageDataset {
  return {
    images: batch.images,
    labels: Int32Array.from(batch.labels),
    count: batch.count,
    height: CIFAR10_SIZE,
    width: CIFAR10_SIZE,
    channels: 3,
    numClasses: 10,
    classNames: CIFAR10_CLASS_NAMES,
  };
}
