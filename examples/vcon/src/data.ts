import { fromImageDataset, type ArrayDataset } from '@acn/core';
import { loadEmbeddedFashionMnist, loadFashionMnist, resolveDataDir } from '@acn/datasets';

/** Train and test splits plus where they came from. */
export interface DemoData {
  readonly name: string;
  readonly train: ArrayDataset;
  readonly test: ArrayDataset;
}

/**
 * Fashion-MNIST from `--data-dir` / `ACN_DATA_DIR` (verified against the published sha256), or
 * the embedded subset committed in @acn/datasets (first 6,000 train / 1,000 test images).
 */
export async function loadDemoData(dataDir: string | undefined, trainLimit?: number, testLimit?: number): Promise<DemoData> {
  const dir = resolveDataDir(dataDir);
  const [train, test] = dir
    ? await Promise.all([loadFashionMnist(dir, { split: 'train', limit: trainLimit }), loadFashionMnist(dir, { split: 'test', limit: testLimit })])
    : await Promise.all([loadEmbeddedFashionMnist({ split: 'train', limit: trainLimit }), loadEmbeddedFashionMnist({ split: 'test', limit: testLimit })]);
  return { name: dir ? `fashion-mnist (${dir})` : 'fashion-mnist (embedded subset)', train: fromImageDataset(train), test: fromImageDataset(test) };
}
