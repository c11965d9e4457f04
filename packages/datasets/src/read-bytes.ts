import { readFile } from 'node:fs/promises';
import { DatasetError } from './errors';

/**
 * The `DatasetError` for a failed read of `path`: `FILE_NOT_FOUND` (ENOENT), `NOT_A_FILE` (EISDIR:
 * a directory where a data file was expected); `undefined` for other errors (rethrown as they are).
 *
 * @example
 * ```ts
 * try { readFileSync(p); } catch (e) { throw readError(p, e, 'vocabulary file') ?? e; }
 * ```
 */
export function readError(path: string, err: unknown, what = 'file'): DatasetError | undefined {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new DatasetError('FILE_NOT_FOUND', `${path}: ${what} not found`, { path, cause: err });
  if (code === 'EISDIR') return new DatasetError('NOT_A_FILE', `${path}: is a directory, expected a ${what}`, { path, cause: err });
  return undefined;
}

/** Reads a whole file, turning ENOENT / EISDIR into a `DatasetError` that names the file. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw readError(path, err) ?? err;
  }
}
