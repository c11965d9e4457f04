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

/**
 * Hard cap on inflated data, whatever a file announces: 1 GiB (the largest file we read, the
 * MNIST-like training images, inflates to 47 MB; CIFAR-10 is not gzipped).
 */
export const MAX_INFLATED_BYTES = 2 ** 30;

/**
 * The output limit for inflating `bytes`: the size the gzip trailer announces (ISIZE, the last 4
 * bytes: uncompressed length mod 2^32), capped at `cap`. Why: a small file can inflate to
 * gigabytes (a "zip bomb" or a corrupt stream); zlib stops at this limit instead of allocating.
 */
function inflateLimit(bytes: Uint8Array, source: string, cap: number): number {
  if (bytes.length < 18) throw corrupt(source, new Error(`${bytes.length} bytes is shorter than a gzip header and trailer`));
  const announced = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true);
  // Deflate cannot compress better than ~1032:1, so a larger announced size is not a real trailer
  // (the file was cut, and these 4 bytes are from the middle of the stream).
  if (announced > bytes.length * 1032 + 64) {
    throw corrupt(source, new Error(`the trailer announces ${announced} inflated bytes, impossible for ${bytes.length} gzip bytes: the file is truncated or corrupted`));
  }
  if (announced > cap) {
    throw new DatasetError('TOO_LARGE', `${source}: gzip data announces ${announced} bytes inflated, more than the ${cap}-byte limit`, { path: source });
  }
  // zlib needs a limit >= 1; an empty member inflates to 0 bytes either way.
  return Math.max(1, announced);
}

function checkInflated(out: Uint8Array, bytes: Uint8Array, source: string): Uint8Array {
  const announced = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true);
  if (out.length !== announced) throw corrupt(source, new Error(`inflated to ${out.length} bytes, the gzip trailer announces ${announced}`));
  return out;
}

function inflateError(source: string, err: unknown, limit: number): DatasetError {
  // ERR_BUFFER_TOO_LARGE: the stream inflates past what its own trailer announced.
  if ((err as NodeJS.ErrnoException)?.code === 'ERR_BUFFER_TOO_LARGE') {
    return new DatasetError('CORRUPT_GZIP', `${source}: corrupted gzip data (inflates past the ${limit} bytes its trailer announces)`, { path: source, cause: err });
  }
  return corrupt(source, err);
}

/**
 * Inflates `bytes` when they are gzip, else returns them unchanged. The output is bounded by the
 * size the gzip trailer announces and by `cap` (default {@link MAX_INFLATED_BYTES}).
 *
 * @throws DatasetError `CORRUPT_GZIP`, or `TOO_LARGE` when the announced size exceeds `cap`.
 * @example
 * ```ts
 * const raw = maybeGunzipSync(readFileSync('train-images-idx3-ubyte.gz'), 'train-images');
 * ```
 */
export function maybeGunzipSync(bytes: Uint8Array, source: string, cap = MAX_INFLATED_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const limit = inflateLimit(bytes, source, cap);
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes, { maxOutputLength: limit });
  } catch (err) {
    throw inflateError(source, err, limit);
  }
  return checkInflated(out, bytes, source);
}

/** Async variant of {@link maybeGunzipSync}: inflates on the libuv thread pool, so two files inflate in parallel. */
export async function maybeGunzip(bytes: Uint8Array, source: string, cap = MAX_INFLATED_BYTES): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const limit = inflateLimit(bytes, source, cap);
  let out: Uint8Array;
  try {
    out = await gunzipAsync(bytes, { maxOutputLength: limit });
  } catch (err) {
    throw inflateError(source, err, limit);
  }
  return checkInflated(out, bytes, source);
}
