import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_CLASS_NAMES } from './class-names';
import { DatasetError } from './errors';
import type { ImageDataset } from './image-dataset';
import { loadIdxSplit, type IdxLoadOptions } from './idx-split';

const SUBSET_DIR = join('data', 'fashion-mnist-subset');
const MARKER = 'train-images-idx3-ubyte.gz';
// src/ and dist/ sit one level below the package root; a few more levels allow for bundler output
// folders without risking a match in some unrelated ancestor.
const MAX_LEVELS_UP = 4;

let cached: string | undefined;

// In the CJS build `__dirname` is Node's own. tsup's CJS shim for `import.meta.url` builds a URL by
// string concatenation (`file:${__filename}`), which breaks on paths containing `#` or `%`, so
// prefer `__dirname` when it exists. In ESM (dist or vitest) it is absent or shimmed from the real
// `import.meta.url`.
function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * The absolute path of the embedded Fashion-MNIST subset shipped in this package's `data/`
 * folder. Found by walking up from this module's own file, so it works from `src/` (tests), the
 * ESM `dist/index.js` and the CJS `dist/index.cjs` (tsup shims `import.meta.url` there).
 *
 * @throws {@link DatasetError} `DATA_DIR_NOT_FOUND` when the package was bundled without its `data/` folder.
 *
 * @example
 * ```ts
 * embeddedFashionMnistDir(); // '/…/node_modules/@acn/datasets/data/fashion-mnist-subset'
 * ```
 */
export function embeddedFashionMnistDir(): string {
  if (cached) return cached;
  const start = moduleDir();
  let dir = start;
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    const candidate = join(dir, SUBSET_DIR);
    if (existsSync(join(candidate, MARKER))) return (cached = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DatasetError(
    'DATA_DIR_NOT_FOUND',
    `embedded Fashion-MNIST subset not found above ${start} (looked for ${join(SUBSET_DIR, MARKER)}). ` +
      'Was @acn/datasets bundled without its data/ folder? Point ACN_DATA_DIR at a full Fashion-MNIST folder instead.',
  );
}

/**
 * Options of {@link loadEmbeddedFashionMnist}: `verify` defaults to true (the files' sums are known).
 *
 * @example
 * ```ts
 * const options: EmbeddedLoadOptions = { split: 'train', limit: 1000 };
 * ```
 */
export type EmbeddedLoadOptions = IdxLoadOptions;

/**
 * Loads the Fashion-MNIST subset shipped with this package (no download, no external folder):
 * the first 6,000 training and first 1,000 test images of the original files, in original order.
 * Files are sha256-verified by default.
 *
 * @example
 * ```ts
 * const test = await loadEmbeddedFashionMnist({ split: 'test' }); // test.count === 1000
 * ```
 */
export function loadEmbeddedFashionMnist(options: EmbeddedLoadOptions): Promise<ImageDataset> {
  return loadIdxSplit(
    embeddedFashionMnistDir(),
    { dataset: 'fashion-mnist-subset', classNames: FASHION_MNIST_CLASS_NAMES, subdirs: [] },
    options,
  );
}
