/**
 * Data for the paper experiments: Fashion-MNIST (embedded 6k/1k subset, or the full set from
 * `--data-dir`), MNIST and CIFAR-10 (full sets only, from `--data-dir`), plus the seeded samplers
 * the experiments need (first-C-classes subsets, k images per class, split tasks).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromImageDataset, Rng, type ArrayDataset } from '@acn/core';
import {
  CIFAR10_FILES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_FILE,
  cifar10ToImageDataset,
  filterClasses,
  loadCifar10,
  loadEmbeddedFashionMnist,
  loadFashionMnist,
  loadMnist,
  resolveDataDir,
  subset,
  type Cifar10Batch,
  type ImageDataset,
  type Split,
} from '@acn/datasets';
import { datasetOf, type PaperDataset } from './options';

/** Image sources the experiments know (`--dataset`, and MNIST as transfer's `--upstream`). */
export type ImageSource = PaperDataset;

/** A split pair with a human-readable description of where it came from. */
export interface Splits {
  readonly name: string;
  readonly train: ImageDataset;
  readonly test: ImageDataset;
}

/**
 * Loads a source. Fashion-MNIST falls back to the embedded subset when no data directory is given
 * (flag or `ACN_DATA_DIR`); MNIST and CIFAR-10 (binary version, `DIR/cifar-10-batches-bin`) need it.
 *
 * @example
 * ```ts
 * const { train, test } = await loadSplits('fashion-mnist', undefined); // embedded 6,000 / 1,000
 * ```
 */
export async function loadSplits(source: ImageSource, dataDir: string | undefined, limits: { train?: number; test?: number } = {}): Promise<Splits> {
  const dir = resolveDataDir(dataDir);
  if (source === 'cifar10') {
    if (!dir) throw new Error('CIFAR-10 needs the binary files: pass --data-dir DIR (a folder with cifar-10-batches-bin/ from cifar-10-binary.tar.gz) or set ACN_DATA_DIR');
    const { train, test } = await loadCifar10Limited(dir, limits);
    return { name: `cifar10 (${dir})`, train, test };
  }
  const load = async (split: Split, limit?: number): Promise<ImageDataset> => {
    if (source === 'mnist') {
      if (!dir) throw new Error(`MNIST needs the IDX files: pass --data-dir DIR (a folder with mnist/ or the MNIST .gz files) or set ACN_DATA_DIR`);
      return loadMnist(dir, { split, limit });
    }
    return dir ? loadFashionMnist(dir, { split, limit }) : loadEmbeddedFashionMnist({ split, limit });
  };
  const [train, test] = await Promise.all([load('train', limits.train), load('test', limits.test)]);
  const where = dir ? dir : 'embedded subset';
  return { name: `${source} (${where})`, train, test };
}

/** The first `limit` records of a uint8 batch as float32 in [0, 1] (`v / 255`, as `readCifar10Batch` scales). */
function firstAsFloat(b: Cifar10Batch<Uint8Array>, limit: number | undefined): Cifar10Batch<Float32Array> {
  const count = Math.min(b.count, limit ?? b.count);
  const n = (b.images.length / b.count) * count;
  const images = new Float32Array(n);
  for (let i = 0; i < n; i++) images[i] = b.images[i] / 255;
  return { images, labels: b.labels.subarray(0, count), count, shape: [count, 32, 32, 3] };
}

/**
 * CIFAR-10 (binary version) from `dir` or `dir/cifar-10-batches-bin`, keeping the first `train` /
 * `test` images. Read as bytes and scaled after the limit, so a limited run never holds all
 * 50,000 images as float32 (614 MB). Every batch file must hold the same number of records as
 * `test_batch.bin` (10,000 in the official files; a smaller copy in the same format, as the tests
 * write, works too), so a cut training file is still caught.
 */
async function loadCifar10Limited(dir: string, limits: { train?: number; test?: number }): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const root = [dir, join(dir, 'cifar-10-batches-bin')].find((d) => existsSync(join(d, CIFAR10_FILES.test[0])));
  if (!root) {
    throw new Error(`CIFAR-10: no ${CIFAR10_FILES.test[0]} in ${dir} or ${join(dir, 'cifar-10-batches-bin')} (expected the binary version: ${[...CIFAR10_FILES.train, ...CIFAR10_FILES.test].join(', ')})`);
  }
  const records = statSync(join(root, CIFAR10_FILES.test[0])).size / CIFAR10_RECORD_BYTES;
  // A size that is not whole records is left to loadCifar10, whose error names the file.
  const bytes = await loadCifar10(root, { dtype: 'uint8', recordsPerFile: Number.isInteger(records) && records > 0 ? records : CIFAR10_RECORDS_PER_FILE });
  return { train: cifar10ToImageDataset(firstAsFloat(bytes.train, limits.train)), test: cifar10ToImageDataset(firstAsFloat(bytes.test, limits.test)) };
}

/**
 * The first `n` classes (0..n−1) of a dataset, relabelled 0..n−1 (acn.md §4.6: the task-difficulty
 * subsets take the first C classes).
 *
 * @example
 * ```ts
 * const twoClass = firstClasses(fashion, 2); // T-shirt/top vs trouser
 * ```
 */
export function firstClasses(ds: ImageDataset, n: number): ImageDataset {
  if (!Number.isInteger(n) || n < 1 || n > ds.numClasses) throw new RangeError(`firstClasses: n must be an integer in 1..${ds.numClasses}, got ${n}`);
  return filterClasses(ds, Array.from({ length: n }, (_, i) => i));
}

/**
 * `k` images of every class drawn at random without replacement (seeded), in dataset order
 * (acn.md §5.5: "random subset" of 100 images per class). Same seed, same subset.
 *
 * @throws RangeError when a class has fewer than `k` images.
 *
 * @example
 * ```ts
 * const small = samplePerClass(train, 100, 0); // 1,000 images for 10 classes
 * ```
 */
export function samplePerClass(ds: ImageDataset, k: number, seed: number): ImageDataset {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`samplePerClass: k must be an integer >= 1, got ${k}`);
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < ds.count; i++) byClass[ds.labels[i]].push(i);
  const rng = new Rng(seed);
  const picked: number[] = [];
  byClass.forEach((idx, c) => {
    if (idx.length < k) throw new RangeError(`samplePerClass: class ${c} has only ${idx.length} images, fewer than k = ${k}`);
    const order = rng.permutation(idx.length);
    for (let j = 0; j < k; j++) picked.push(idx[order[j]]);
  });
  picked.sort((a, b) => a - b);
  return subset(ds, picked);
}

/**
 * Splits classes 0..numClasses−1 into `tasks` consecutive groups of equal size (Split MNIST /
 * Split Fashion-MNIST: 10 classes → [[0, 1], [2, 3], …, [8, 9]]).
 *
 * @example
 * ```ts
 * splitClasses(10, 5); // [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
 * ```
 */
export function splitClasses(numClasses: number, tasks: number): number[][] {
  if (!Number.isInteger(tasks) || tasks < 1 || numClasses % tasks !== 0) {
    throw new RangeError(`splitClasses: ${numClasses} classes cannot be split into ${tasks} equal tasks`);
  }
  const per = numClasses / tasks;
  return Array.from({ length: tasks }, (_, t) => Array.from({ length: per }, (_, j) => t * per + j));
}

/**
 * The images of the given classes, keeping their original labels (unlike `filterClasses`):
 * task-incremental learning with one 10-way head masks the logits to the task's classes instead.
 *
 * @example
 * ```ts
 * const task2 = keepClasses(train, [4, 5]); // labels stay 4 and 5
 * ```
 */
export function keepClasses(ds: ImageDataset, classes: readonly number[]): ImageDataset {
  const want = new Set(classes);
  for (const c of classes) if (!Number.isInteger(c) || c < 0 || c >= ds.numClasses) throw new RangeError(`keepClasses: class ${c} is outside 0..${ds.numClasses - 1}`);
  const idx: number[] = [];
  for (let i = 0; i < ds.count; i++) if (want.has(ds.labels[i])) idx.push(i);
  return subset(ds, idx);
}

/** The options {@link loadRunSplits} reads. */
export type DataOptions = { readonly dataset?: PaperDataset; readonly dataDir?: string; readonly trainLimit?: number; readonly testLimit?: number };

/**
 * The run's `--dataset` (default Fashion-MNIST) with its data dir and limits.
 *
 * @example
 * ```ts
 * const { name, train, test } = await loadRunSplits(opts); // ImageDatasets
 * ```
 */
export function loadRunSplits(o: DataOptions): Promise<Splits> {
  return loadSplits(datasetOf(o), o.dataDir, { train: o.trainLimit, test: o.testLimit });
}

/**
 * The run's `--dataset` (default Fashion-MNIST) as trainer-ready arrays, plus its name.
 *
 * @example
 * ```ts
 * const { train, test } = await loadRunArrays(opts);
 * ```
 */
export async function loadRunArrays(o: DataOptions): Promise<{ name: string; train: ArrayDataset; test: ArrayDataset }> {
  const d = await loadRunSplits(o);
  return { name: d.name, train: fromImageDataset(d.train), test: fromImageDataset(d.test) };
}
