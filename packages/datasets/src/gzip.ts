import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { DatasetError } from './errors';

const gunzipAsync = promisify(gunzip);

/**
 * True when `bytes` start with the gzip magic `1f 8b` (RFC 1952), so the file must be inflated first.
 *
 * @example
 * ```ts
 * isGzip(new Uint8Array([0x1f, 0x8b, 8])); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

// zlib's own messages ("unexpected end of file", "incorrect header check") say nothing about which
// file was bad; wrap them so the user knows what to re-download.
function corrupt(source: string, err: unknown): DatasetError {
  const reason = err instanceof Error ? err.message : String(err);
  return new DatasetError('CORRUPT_GZIP', `${source}: corrupted gzip data (${reason})`, { path: source, cause: err });
}

/** Inflates `bytes` when they are gzip, else returns them unchanged. */
export function maybeGunzipSync(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw corrupt(source, err);
  }
}

/** Async variant of {@link maybeGunzipSync}: inflates on the libuv thread pool, so two files inflate in parallel. */
export async function maybeGunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (err) {
    throw corrupt(source, err);
  }
}
