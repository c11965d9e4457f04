import { resolve } from 'node:path';

/**
 * Environment variable naming a folder with full datasets (e.g. holding `fashion-mnist/` and `mnist/`).
 *
 * @example
 * ```ts
 * process.env[DATA_DIR_ENV]; // e.g. '/data' when run as `ACN_DATA_DIR=/data node train.js`
 * ```
 */
export const DATA_DIR_ENV = 'ACN_DATA_DIR';

/**
 * Picks the dataset folder: the command-line flag value if given, else `$ACN_DATA_DIR`, else
 * `undefined`, meaning "use the embedded subset". Empty strings count as unset. Returns an
 * absolute path.
 *
 * @example
 * ```ts
 * const dir = resolveDataDir(flags['data-dir']);
 * const train = dir
 *   ? await loadFashionMnist(dir, { split: 'train' })
 *   : await loadEmbeddedFashionMnist({ split: 'train' });
 * ```
 */
export function resolveDataDir(flagValue?: string): string | undefined {
  const value = flagValue || process.env[DATA_DIR_ENV];
  return value ? resolve(value) : undefined;
}
