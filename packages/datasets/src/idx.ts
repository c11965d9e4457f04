import { gzipSync } from 'node:zlib';
import { DatasetError } from './errors';
import { maybeGunzip, maybeGunzipSync } from './gzip';
import { readBytes } from './read-bytes';

/**
 * Element types an IDX file can declare in the third magic byte (0x08 uint8 … 0x0E float64).
 *
 * @example
 * ```ts
 * const dtype: IdxDtype = readIdx(bytes).dtype; // 'uint8' for MNIST
 * ```
 */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/**
 * The typed array {@link readIdx} returns for each {@link IdxDtype}.
 *
 * @example
 * ```ts
 * const data: IdxData = readIdx(bytes).data;
 * ```
 */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/**
 * A parsed IDX file: element type, dimensions (first is the sample count) and row-major data.
 *
 * @example
 * ```ts
 * const labels: IdxArray = { dtype: 'uint8', dims: [2], data: new Uint8Array([7, 3]) };
 * ```
 */
export interface IdxArray {
  dtype: IdxDtype;
  /** e.g. `[60000, 28, 28]` for an image file, `[60000]` for a label file. */
  dims: number[];
  data: IdxData;
}

interface DtypeInfo {
  code: number;
  size: number;
}

const DTYPES: Record<IdxDtype, DtypeInfo> = {
  uint8: { code: 0x08, size: 1 },
  int8: { code: 0x09, size: 1 },
  int16: { code: 0x0b, size: 2 },
  int32: { code: 0x0c, size: 4 },
  float32: { code: 0x0d, size: 4 },
  float64: { code: 0x0e, size: 8 },
};

function dtypeOfCode(code: number): IdxDtype | undefined {
  return (Object.keys(DTYPES) as IdxDtype[]).find((d) => DTYPES[d].code === code);
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/**
 * Parses IDX bytes (the MNIST file format), gzipped or raw. Headers are big-endian: magic
 * `00 00 <dtype> <ndims>`, then one uint32 per dimension, then the data.
 *
 * @param bytes - File contents; inflated first when they start with the gzip magic `1f 8b`.
 * @param source - Name used in error messages (usually the file path).
 * @throws {@link DatasetError} `BAD_MAGIC`, `UNSUPPORTED_DTYPE`, `TRUNCATED`, `TRAILING_DATA`, `CORRUPT_GZIP`.
 *
 * @example
 * ```ts
 * const labels = readIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]));
 * labels.dims; // [2]
 * labels.data; // Uint8Array [7, 3]
 * ```
 */
export function readIdx(bytes: Uint8Array, source = '<idx bytes>'): IdxArray {
  return parseIdx(maybeGunzipSync(bytes, source), source);
}

/**
 * Reads and parses an IDX file (`.gz` or raw; detected from the content, not the name).
 *
 * @throws {@link DatasetError} as {@link readIdx}, plus `FILE_NOT_FOUND`; messages name `path`.
 *
 * @example
 * ```ts
 * const images = await readIdxFile('/data/mnist/t10k-images-idx3-ubyte.gz');
 * images.dims; // [10000, 28, 28]
 * ```
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const raw = await readBytes(path);
  return parseIdx(await maybeGunzip(raw, path), path);
}

function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetError('TRUNCATED', `${source}: truncated IDX file: expected at least 4 bytes of header, got ${bytes.length}`, {
      path: source,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const ndims = bytes[3];
  const dtype = dtypeOfCode(bytes[2]);
  if (bytes[0] !== 0 || bytes[1] !== 0 || ndims === 0) {
    throw new DatasetError(
      'BAD_MAGIC',
      `${source}: bad IDX magic ${hex32(magic)} (expected 0x0000TTNN: zero bytes, dtype, number of dimensions; ` +
        `e.g. 0x00000803 for images, 0x00000801 for labels). Is this really an IDX file?`,
      { path: source },
    );
  }
  if (dtype === undefined) {
    throw new DatasetError('UNSUPPORTED_DTYPE', `${source}: IDX magic ${hex32(magic)} declares unknown dtype 0x${bytes[2].toString(16)}`, {
      path: source,
    });
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      'TRUNCATED',
      `${source}: truncated IDX file: expected a ${headerBytes}-byte header for ${ndims} dimensions, got ${bytes.length} bytes`,
      { path: source },
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  // A zero dimension makes an empty array that every consumer would divide by or index into.
  const zero = dims.indexOf(0);
  if (zero >= 0) throw new DatasetError('BAD_LENGTH', `${source}: IDX dimension ${zero} is 0 (dims ${dims.join('x')}); an IDX data file holds at least one element`, { path: source });
  const { size } = DTYPES[dtype];
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * size;
  if (bytes.length < expected) {
    throw new DatasetError(
      'TRUNCATED',
      `${source}: truncated IDX file: header says ${dims.join('x')} ${dtype} so expected ${expected} bytes ` +
        `(${headerBytes} header + ${count * size} data), got ${bytes.length} (${expected - bytes.length} missing)`,
      { path: source },
    );
  }
  // IDX sizes are exact; extra bytes mean a concatenated or mislabelled file, not a usable one.
  if (bytes.length > expected) {
    throw new DatasetError(
      'TRAILING_DATA',
      `${source}: IDX header says ${dims.join('x')} ${dtype} so expected ${expected} bytes, got ${bytes.length} (${bytes.length - expected} extra)`,
      { path: source },
    );
  }
  return { dtype, dims, data: decodeData(bytes, view, headerBytes, count, dtype) };
}

function decodeData(bytes: Uint8Array, view: DataView, offset: number, count: number, dtype: IdxDtype): IdxData {
  // uint8 (every MNIST-like file) is a zero-copy view; wider types are big-endian on disk, so they
  // are decoded element by element instead of reinterpreting the buffer in host byte order.
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(offset, offset + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * Serializes an array as IDX bytes (the inverse of {@link readIdx}), optionally gzipped.
 * With `gzip`, the gzip header is made reproducible: MTIME 0 and OS byte 255 ("unknown").
 *
 * @throws {@link DatasetError} `BAD_ARGUMENT` when `data.length` differs from the product of `dims`.
 *
 * @example
 * ```ts
 * const bytes = encodeIdx({ dtype: 'uint8', dims: [2], data: new Uint8Array([7, 3]) }, { gzip: true });
 * readIdx(bytes).data; // Uint8Array [7, 3]
 * ```
 */
export function encodeIdx(array: IdxArray, options: { gzip?: boolean; level?: number } = {}): Uint8Array {
  const { dtype, dims, data } = array;
  const info = DTYPES[dtype];
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || dims.length > 255 || data.length !== count) {
    throw new DatasetError('BAD_ARGUMENT', `encodeIdx: dims ${JSON.stringify(dims)} need ${count} elements, data has ${data.length}`);
  }
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + count * info.size);
  const view = new DataView(out.buffer);
  view.setUint32(0, (info.code << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const at = headerBytes + i * info.size;
    const v = data[i];
    switch (dtype) {
      case 'uint8':
        view.setUint8(at, v);
        break;
      case 'int8':
        view.setInt8(at, v);
        break;
      case 'int16':
        view.setInt16(at, v, false);
        break;
      case 'int32':
        view.setInt32(at, v, false);
        break;
      case 'float32':
        view.setFloat32(at, v, false);
        break;
      case 'float64':
        view.setFloat64(at, v, false);
        break;
    }
  }
  if (!options.gzip) return out;
  const gz = gzipSync(out, { level: options.level ?? 9 });
  // Node's zlib already writes MTIME 0; the OS byte depends on the platform zlib was built for
  // (3 on Unix, 10 on Windows), so pin it for byte-identical output across machines.
  gz[9] = 255;
  return gz;
}
