import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertSha256, knownSha256, sha256Bytes, type KnownDatasetName } from './checksum';
import { DatasetError } from './errors';
import { maybeGunzip } from './gzip';
import { readIdx } from './idx';
import { imageDatasetFromIdx } from './idx-dataset';
import type { ImageDataset } from './image-dataset';
import { readBytes } from './read-bytes';

/**
 * Which half of an MNIST-style dataset to load (`test` reads the `t10k-*` files).
 *
 * @example
 * ```ts
 * const split: Split = 'test';
 * ```
 */
export type Split = 'train' | 'test';

/**
 * Options shared by the IDX dataset loaders.
 *
 * @example
 * ```ts
 * const options: IdxLoadOptions = { split: 'train', limit: 10000 };
 * ```
 */
export interface IdxLoadOptions {
  split: Split;
  /**
   * Check each file's sha256 against `KNOWN_SHA256` before parsing (default `true`; every
   * standard file name, gzipped or not, has a known sum). Pass `false` for your own files that
   * use the standard names.
   */
  verify?: boolean;
  /** Keep only the first `limit` images of the split (the whole file is still verified). */
  limit?: number;
}

/** How to find and check one MNIST-style dataset on disk. */
export interface IdxSplitSpec {
  dataset: KnownDatasetName;
  classNames: readonly string[];
  /** Folders tried under the given directory when the files are not directly in it. */
  subdirs: readonly string[];
}

// The MNIST file prefix for the test split is "t10k", not "test".
const PREFIX: Record<Split, string> = { train: 'train', test: 't10k' };

function fileCandidates(split: Split, kind: 'images' | 'labels'): string[] {
  const base = `${PREFIX[split]}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte`;
  return [`${base}.gz`, base];
}

function findFile(dirs: string[], names: string[]): { path: string; name: string } | undefined {
  for (const dir of dirs) {
    for (const name of names) {
      const path = join(dir, name);
      if (existsSync(path)) return { path, name };
    }
  }
  return undefined;
}

async function readVerified(path: string, name: string, dataset: KnownDatasetName, verify: boolean | undefined) {
  const raw = await readBytes(path);
  if (verify !== false) {
    const expected = knownSha256(dataset, name);
    // Every candidate name in fileCandidates() has a table entry; a miss is a bug here, not bad data.
    if (expected === undefined) throw new Error(`internal: no known sha256 for ${dataset}/${name}`);
    assertSha256(path, sha256Bytes(raw), expected);
  }
  return readIdx(await maybeGunzip(raw, path), path);
}

/**
 * Loads one split of an MNIST-style IDX dataset from `dir` (or `dir/<subdir>`), verifying it.
 * Shared by `loadMnist`, `loadFashionMnist` and the embedded subset loader (internal: not in index.ts).
 *
 * @example
 * ```ts
 * const ds = await loadIdxSplit('/data', { dataset: 'mnist', classNames: MNIST_CLASS_NAMES, subdirs: ['mnist'] }, { split: 'test' });
 * ```
 */
export async function loadIdxSplit(dir: string, spec: IdxSplitSpec, options: IdxLoadOptions): Promise<ImageDataset> {
  const { split } = options;
  if (split !== 'train' && split !== 'test') throw new DatasetError('BAD_ARGUMENT', `split must be 'train' or 'test', got ${String(split)}`);
  const dirs = [dir, ...spec.subdirs.map((s) => join(dir, s))];
  const imageNames = fileCandidates(split, 'images');
  const labelNames = fileCandidates(split, 'labels');
  const images = findFile(dirs, imageNames);
  // Labels must come from the same folder as the images, or a mixed-up pair could load silently.
  const labels = images && findFile([join(images.path, '..')], labelNames);
  if (!images || !labels) {
    const missing = !images ? imageNames : labelNames;
    throw new DatasetError(
      'FILE_NOT_FOUND',
      `${spec.dataset} ${split} split: none of ${missing.join(', ')} found in ${images ? join(images.path, '..') : dirs.join(' or ')}`,
      { path: dir },
    );
  }
  const [imagesIdx, labelsIdx] = await Promise.all([
    readVerified(images.path, images.name, spec.dataset, options.verify),
    readVerified(labels.path, labels.name, spec.dataset, options.verify),
  ]);
  return imageDatasetFromIdx(imagesIdx, labelsIdx, {
    classNames: spec.classNames,
    limit: options.limit,
    imagesSource: images.path,
    labelsSource: labels.path,
  });
}
