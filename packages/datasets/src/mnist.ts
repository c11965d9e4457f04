import { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from './class-names';
import type { ImageDataset } from './image-dataset';
import { loadIdxSplit, type IdxLoadOptions } from './idx-split';

/**
 * Loads MNIST (28x28x1, 10 digits) from the four standard files (`train-images-idx3-ubyte.gz`,
 * `train-labels-idx1-ubyte.gz`, `t10k-…`; ungzipped names work too) in `dir` or `dir/mnist`.
 * Files are sha256-verified by default.
 *
 * @throws {@link DatasetError} `FILE_NOT_FOUND`, `CHECKSUM_MISMATCH`, or any IDX format error.
 *
 * @example
 * ```ts
 * const test = await loadMnist('/data/mnist', { split: 'test' }); // test.count === 10000
 * ```
 */
export function loadMnist(dir: string, options: IdxLoadOptions): Promise<ImageDataset> {
  return loadIdxSplit(dir, { dataset: 'mnist', classNames: MNIST_CLASS_NAMES, subdirs: ['mnist'] }, options);
}

/**
 * Loads Fashion-MNIST (28x28x1, 10 clothing classes) from the four standard files in `dir`,
 * `dir/fashion-mnist` or `dir/fashion` (upstream's `data/fashion` layout). Files are
 * sha256-verified by default.
 *
 * @throws {@link DatasetError} `FILE_NOT_FOUND`, `CHECKSUM_MISMATCH`, or any IDX format error.
 *
 * @example
 * ```ts
 * const train = await loadFashionMnist(resolveDataDir(flags.data) ?? '/data', { split: 'train', limit: 10000 });
 * ```
 */
export function loadFashionMnist(dir: string, options: IdxLoadOptions): Promise<ImageDataset> {
  return loadIdxSplit(
    dir,
    { dataset: 'fashion-mnist', classNames: FASHION_MNIST_CLASS_NAMES, subdirs: ['fashion-mnist', 'fashion'] },
    options,
  );
}
