import { readFile } from 'node:fs/promises';
import { DatasetError } from './errors';

/** Reads a whole file, turning ENOENT into a `DatasetError` that names the missing file. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatasetError('FILE_NOT_FOUND', `${path}: file not found`, { path, cause: err });
    }
    throw err;
  }
}
