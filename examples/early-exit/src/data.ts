import { fromImageDataset, takeSubset, type ArrayDataset } from '@acn/core';
import { loadEmbeddedFashionMnist, loadFashionMnist, resolveDataDir } from '@acn/datasets';

/** Train / validation / test splits plus where they came from. */
export interface ExampleData {
  readonly name: string;
  readonly train: ArrayDataset;
  /** Held out from the end of the training set: threshold calibration only. */
  readonly val: ArrayDataset;
  readonly test: ArrayDataset;
}

/**
 * Fashion-MNIST from `--data-dir` / `ACN_DATA_DIR` (verified against the published sha256), or the
 * embedded subset of @acn/datasets (6,000 train / 1,000 test images); the last `valSize` training
 * images become the validation split.
 */
export async function loadExampleData(o: { dataDir?: string; trainLimit?: number; testLimit?: number; valSize: number }): Promise<ExampleData> {
  const dir = resolveDataDir(o.dataDir);
  const [trainAll, test] = dir
    ? await Promise.all([loadFashionMnist(dir, { split: 'train', limit: o.trainLimit }), loadFashionMnist(dir, { split: 'test', limit: o.testLimit })])
    : await Promise.all([loadEmbeddedFashionMnist({ split: 'train', limit: o.trainLimit }), loadEmbeddedFashionMnist({ split: 'test', limit: o.testLimit })]);
  const all = fromImageDataset(trainAll);
  if (o.valSize >= all.count) throw new Error(`--val ${o.valSize} leaves no training images (the training set has ${all.count})`);
  const cut = all.count - o.valSize;
  const testSet = fromImageDataset(test);
  if (testSet.count < 128) throw new Error(`the test set has ${testSet.count} images; batch-128 timing needs at least 128`);
  return {
    name: dir ? `fashion-mnist (${dir})` : 'fashion-mnist (embedded subset)',
    train: takeSubset(all, cut),
    val: takeSubset(all, Array.from({ length: o.valSize }, (_, i) => cut + i)),
    test: testSet,
  };
}
