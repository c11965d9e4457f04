import { fromImageDataset, type ArrayDataset } from '@acn/core';
import { loadEmbeddedFashionMnist, loadFashionMnist, resolveDataDir } from '@acn/datasets';

/**
 * Train and test splits plus where they came from.
 *
 * @example
 * ```ts
 * const { name, train, test }: ImageData = await loadFashionMnistSplits({});
 * ```
 */
export interface ImageData {
  readonly name: string;
  readonly train: ArrayDataset;
  readonly test: ArrayDataset;
}

/**
 * Fashion-MNIST from `dataDir` / env `ACN_DATA_DIR` (verified against the published sha256), or
 * the embedded subset of @acn/datasets (first 6,000 train / 1,000 test images); `trainLimit` /
 * `testLimit` keep the first N images.
 *
 * @example
 * ```ts
 * const data = await loadFashionMnistSplits({ trainLimit: 1024, testLimit: 500 });
 * console.log(`${data.name}: ${data.train.count} / ${data.test.count}`);
 * ```
 */
export async function loadFashionMnistSplits(o: { dataDir?: string; trainLimit?: number; testLimit?: number }): Promise<ImageData> {
  const dir = resolveDataDir(o.dataDir);
  const [train, test] = dir
    ? await Promise.all([loadFashionMnist(dir, { split: 'train', limit: o.trainLimit }), loadFashionMnist(dir, { split: 'test', limit: o.testLimit })])
    : await Promise.all([loadEmbeddedFashionMnist({ split: 'train', limit: o.trainLimit }), loadEmbeddedFashionMnist({ split: 'test', limit: o.testLimit })]);
  const data = { name: dir ? `fashion-mnist (${dir})` : 'fashion-mnist (embedded subset)', train: fromImageDataset(train), test: fromImageDataset(test) };
  console.log(`data: ${data.name}: ${data.train.count} train / ${data.test.count} test images`);
  return data;
}
