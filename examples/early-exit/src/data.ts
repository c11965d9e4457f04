import { takeSubset, type ArrayDataset } from '@acn/core';
import { loadFashionMnistSplits } from '@acn-examples/kit';

/** Train / validation / test splits plus where they came from. */
export interface ExampleData {
  readonly name: string;
  readonly train: ArrayDataset;
  /** Held out from the end of the training set: threshold calibration only. */
  readonly val: ArrayDataset;
  readonly test: ArrayDataset;
}

/**
 * Fashion-MNIST (the kit's loader: `--data-dir` / `ACN_DATA_DIR`, or the embedded subset); the
 * last `valSize` training images become the validation split.
 */
export async function loadExampleData(o: { dataDir?: string; trainLimit?: number; testLimit?: number; valSize: number }): Promise<ExampleData> {
  const { name, train: all, test } = await loadFashionMnistSplits(o);
  if (o.valSize >= all.count) throw new Error(`--val ${o.valSize} leaves no training images (the training set has ${all.count})`);
  if (test.count < 128) throw new Error(`the test set has ${test.count} images; batch-128 timing needs at least 128`);
  const cut = all.count - o.valSize;
  return { name, train: takeSubset(all, cut), val: takeSubset(all, Array.from({ length: o.valSize }, (_, i) => cut + i)), test };
}
