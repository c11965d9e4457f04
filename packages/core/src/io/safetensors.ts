/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written exactly
 * per spec so checkpoints interoperate with the Python/Rust reference:
 *
 * ```
 * [8 bytes: N, little-endian u64][N bytes: UTF-8 JSON header, space-padded][byte buffer]
 * header = { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] },
 *            "__metadata__": { "<key>": "<string>" } }
 * ```
 *
 * Offsets are relative to the start of the byte buffer; all numbers are little-endian.
 */
import { tf } from '../tf';
import { CheckpointError, type CheckpointErrorCode } from './errors';

/**
 * Element types this module reads and writes. `F16` and `I64` exist only on disk: in memory they
 * are `Float32Array` and `Int32Array` (tfjs has neither half floats nor 64-bit ints).
 *
 * @example
 * ```ts
 * const dtype: SafetensorsDtype = 'F32';
 * ```
 */
export type SafetensorsDtype = 'F32' | 'F16' | 'I32' | 'I64' | 'U8' | 'I8' | 'BOOL';

/**
 * In-memory element storage. Which array goes with which dtype: `F32`/`F16` → `Float32Array`,
 * `I32`/`I64` → `Int32Array`, `U8`/`BOOL` → `Uint8Array`, `I8` → `Int8Array`.
 *
 * @example
 * ```ts
 * const data: SafetensorsData = new Float32Array([1, 2]);
 * ```
 */
export type SafetensorsData = Float32Array | Int32Array | Uint8Array | Int8Array;

/**
 * One tensor as stored in a safetensors file. `dtype` is the on-disk type; `data` is row-major
 * with `prod(shape)` elements (1 for a scalar `shape: []`).
 *
 * @example
 * ```ts
 * const t: SafetensorsTensor = { dtype: 'F16', shape: [2], data: new Float32Array([0.5, 1]) };
 * ```
 */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/**
 * Result of {@link decodeSafetensors}. Tensors keep file order (by offset); `metadata` is `{}`
 * when the file has no `__metadata__`.
 *
 * @example
 * ```ts
 * const { tensors, metadata }: DecodedSafetensors = decodeSafetensors(bytes);
 * ```
 */
export interface DecodedSafetensors {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

interface DtypeInfo {
  bytes: number;
  array: string;
  check: (d: SafetensorsData) => boolean;
}

const DTYPES: Record<SafetensorsDtype, DtypeInfo> = {
  F32: { bytes: 4, array: 'Float32Array', check: (d) => d instanceof Float32Array },
  F16: { bytes: 2, array: 'Float32Array', check: (d) => d instanceof Float32Array },
  I32: { bytes: 4, array: 'Int32Array', check: (d) => d instanceof Int32Array },
  I64: { bytes: 8, array: 'Int32Array', check: (d) => d instanceof Int32Array },
  U8: { bytes: 1, array: 'Uint8Array', check: (d) => d instanceof Uint8Array },
  I8: { bytes: 1, array: 'Int8Array', check: (d) => d instanceof Int8Array },
  BOOL: { bytes: 1, array: 'Uint8Array', check: (d) => d instanceof Uint8Array },
};

const METADATA_KEY = '__metadata__';

// Typed arrays use host byte order; the format is little-endian. Every Node target in practice is
// little-endian, but swapping on big-endian hosts keeps the bytes correct rather than assumed.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, s);
}

function swapInPlace(bytes: Uint8Array, width: number): void {
  if (HOST_LITTLE_ENDIAN || width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

function describeShape(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Element count of `shape`, or an error message if the shape is not a list of safe non-negative ints. */
function elementCount(shape: unknown): number | string {
  if (!Array.isArray(shape)) return `shape must be an array, got ${JSON.stringify(shape)}`;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      return `shape ${JSON.stringify(shape)} has invalid dimension ${JSON.stringify(d)}`;
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) return `shape ${JSON.stringify(shape)} has too many elements`;
  return n;
}

// ---- float16 <-> float32 ------------------------------------------------------------------------

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary32 → binary16 bits, round-to-nearest-even (same as numpy / Python struct 'e'). */
function float32ToHalfBits(x: number): number {
  f32Scratch[0] = x;
  const b = u32Scratch[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0); // NaN stays NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → ±Infinity
  if (e <= 0) {
    // Half subnormal (or zero): value = m × 2^-24 with m = mant24 >> (14 - e).
    if (e < -10) return sign; // below half of the smallest subnormal → ±0
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1) === 1)) h++; // may carry into the smallest normal: correct
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into exponent 31 is Infinity: correct
  return sign | h;
}

function halfBitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

// ---- encode -------------------------------------------------------------------------------------

function fail(code: CheckpointErrorCode, message: string): never {
  throw new CheckpointError(code, message);
}

function validateForEncode(name: string, t: SafetensorsTensor): number {
  if (name === METADATA_KEY) fail('INVALID_TENSOR', `tensor name '${METADATA_KEY}' is reserved for metadata`);
  if (t === null || typeof t !== 'object') fail('INVALID_TENSOR', `tensor '${name}': expected an object, got ${String(t)}`);
  if (!isDtype(t.dtype)) {
    fail('UNKNOWN_DTYPE', `tensor '${name}': unknown dtype ${JSON.stringify(t.dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
  }
  const info = DTYPES[t.dtype];
  if (!info.check(t.data)) {
    fail('INVALID_TENSOR', `tensor '${name}': dtype ${t.dtype} expects ${info.array} data, got ${t.data?.constructor?.name ?? typeof t.data}`);
  }
  const n = elementCount(t.shape);
  if (typeof n === 'string') fail('INVALID_TENSOR', `tensor '${name}': ${n}`);
  if (t.data.length !== n) {
    fail('INVALID_TENSOR', `tensor '${name}': shape ${describeShape(t.shape)} needs ${n} elements, data has ${t.data.length}`);
  }
  return n * info.bytes;
}

function writeTensorBytes(t: SafetensorsTensor, out: Uint8Array, offset: number): void {
  const n = t.data.length;
  switch (t.dtype) {
    case 'F32':
    case 'I32':
    case 'U8':
    case 'I8': {
      const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      out.set(src, offset);
      swapInPlace(out.subarray(offset, offset + src.length), DTYPES[t.dtype].bytes);
      return;
    }
    case 'BOOL': {
      // The format stores one byte per bool; normalize so a reader comparing `== 1` agrees with us.
      const d = t.data as Uint8Array;
      for (let i = 0; i < n; i++) out[offset + i] = d[i] !== 0 ? 1 : 0;
      return;
    }
    case 'F16': {
      const view = new DataView(out.buffer, out.byteOffset + offset, n * 2);
      const d = t.data as Float32Array;
      for (let i = 0; i < n; i++) view.setUint16(i * 2, float32ToHalfBits(d[i]), true);
      return;
    }
    case 'I64': {
      // Sign-extend each int32: low word is the value, high word all ones for negatives.
      const view = new DataView(out.buffer, out.byteOffset + offset, n * 8);
      const d = t.data as Int32Array;
      for (let i = 0; i < n; i++) {
        view.setInt32(i * 8, d[i], true);
        view.setInt32(i * 8 + 4, d[i] < 0 ? -1 : 0, true);
      }
      return;
    }
  }
}

/**
 * Serialize tensors (and optional string metadata) to safetensors bytes. Tensors are laid out
 * contiguously in the object's key order; the header is space-padded so the data starts on an
 * 8-byte boundary. `F16` data is rounded to nearest-even from the `Float32Array`; `I64` data is
 * sign-extended from the `Int32Array`.
 *
 * @throws CheckpointError `INVALID_TENSOR` / `UNKNOWN_DTYPE` for malformed input.
 * @example
 * ```ts
 * const bytes = encodeSafetensors(
 *   { w: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } },
 *   { format: 'pt' },
 * );
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') fail('INVALID_HEADER', `metadata '${k}' must be a string, got ${typeof v}`);
    }
    // Written first, as the Python reference does, so `head -c` on a file shows it.
    if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  }
  const names = Object.keys(tensors);
  let dataBytes = 0;
  for (const name of names) {
    const size = validateForEncode(name, tensors[name]);
    const t = tensors[name];
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [dataBytes, dataBytes + size] };
    dataBytes += size;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + dataBytes);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen); // spaces: still valid JSON whitespace

  const base = 8 + headerLen;
  for (const name of names) {
    const [begin] = (header[name] as { data_offsets: [number, number] }).data_offsets;
    writeTensorBytes(tensors[name], out, base + begin);
  }
  return out;
}

// ---- decode -------------------------------------------------------------------------------------

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeader(bytes: Uint8Array): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) fail('TRUNCATED', `safetensors file is ${bytes.length} bytes, shorter than the 8-byte header size prefix`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  const available = bytes.length - 8;
  if (declared > BigInt(available)) {
    fail('HEADER_TOO_LARGE', `safetensors header size ${declared} exceeds the ${available} bytes after the size prefix`);
  }
  const headerLen = Number(declared);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch (e) {
    throw new CheckpointError('INVALID_HEADER', `safetensors header (${headerLen} bytes) is not valid UTF-8`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('INVALID_HEADER', `safetensors header (${headerLen} bytes) is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail('INVALID_HEADER', `safetensors header must be a JSON object, got ${Array.isArray(parsed) ? 'array' : typeof parsed}`);
  }
  // JSON.parse keeps the last of duplicate keys without a word; two tensors with one name mean a
  // corrupt or crafted file, so reject instead of silently dropping one.
  const dup = findDuplicateKey(text);
  if (dup !== undefined) fail('INVALID_HEADER', `safetensors header has the key ${JSON.stringify(dup)} more than once`);

  // Null-prototype maps: a tensor or metadata key named `__proto__` must stay an ordinary entry,
  // never replace the prototype of the result.
  const metadata: Record<string, string> = Object.create(null);
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('INVALID_HEADER', `'${METADATA_KEY}' must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail('INVALID_HEADER', `'${METADATA_KEY}' value '${k}' must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('INVALID_HEADER', `tensor '${name}': header entry must be an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDtype(dtype)) {
      fail('UNKNOWN_DTYPE', `tensor '${name}': unknown dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
    }
    const n = elementCount(shape);
    if (typeof n === 'string') fail('INVALID_HEADER', `tensor '${name}': ${n}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      fail('INVALID_HEADER', `tensor '${name}': data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail('INVALID_OFFSETS', `tensor '${name}': data_offsets [${begin}, ${end}] end before begin`);
    const expected = n * DTYPES[dtype].bytes;
    if (end - begin !== expected) {
      fail(
        'SIZE_MISMATCH',
        `tensor '${name}': ${dtype} shape ${describeShape(shape as number[])} needs ${expected} bytes, data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape: [...(shape as number[])], begin, end });
  }
  return { entries, metadata, dataStart: 8 + headerLen };
}

/**
 * First key that occurs twice in one object of the (already valid) JSON `text`, if any. A small
 * scanner because `JSON.parse` cannot report duplicates.
 */
function findDuplicateKey(text: string): string | undefined {
  const stack: (Set<string> | undefined)[] = []; // one entry per open object (a Set) or array (undefined)
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(undefined);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = stack[stack.length - 1];
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k])) k++;
      if (keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = j;
    }
  }
  return undefined;
}

/**
 * Names, dtypes and shapes of the tensors in safetensors `bytes`, without reading any tensor data
 * (the whole header is still validated: offsets, sizes, duplicates). Use it to check a file
 * against what a model would need before allocating the model.
 *
 * @throws CheckpointError as {@link decodeSafetensors}.
 * @example
 * ```ts
 * const header = readSafetensorsHeader(bytes);
 * header.find((t) => t.name === 'head.kernel')?.shape; // [hidden, numClasses]
 * ```
 */
export function readSafetensorsHeader(input: Uint8Array): { name: string; dtype: SafetensorsDtype; shape: number[] }[] {
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const { entries, dataStart } = parseHeader(bytes);
  checkTiling(entries, bytes.length - dataStart);
  return entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: [...e.shape] }));
}

function readTensor(e: HeaderEntry, buf: Uint8Array): SafetensorsTensor {
  const raw = buf.subarray(e.begin, e.end);
  const n = e.shape.reduce((a, b) => a * b, 1);
  // Always copy: the source may be an unaligned view into a larger (possibly pooled) buffer, and a
  // view would keep the whole file alive for as long as any one tensor lives. `new Uint8Array(view)`
  // rather than `.slice()`: on a Node Buffer, `slice` returns a view, not a copy.
  switch (e.dtype) {
    case 'F32': {
      const bytes = new Uint8Array(raw);
      swapInPlace(bytes, 4);
      return { dtype: e.dtype, shape: e.shape, data: new Float32Array(bytes.buffer, 0, n) };
    }
    case 'I32': {
      const bytes = new Uint8Array(raw);
      swapInPlace(bytes, 4);
      return { dtype: e.dtype, shape: e.shape, data: new Int32Array(bytes.buffer, 0, n) };
    }
    case 'U8':
      return { dtype: e.dtype, shape: e.shape, data: new Uint8Array(raw) };
    case 'I8':
      return { dtype: e.dtype, shape: e.shape, data: new Int8Array(new Uint8Array(raw).buffer, 0, n) };
    case 'BOOL': {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = raw[i] !== 0 ? 1 : 0;
      return { dtype: e.dtype, shape: e.shape, data };
    }
    case 'F16': {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = halfBitsToFloat32(view.getUint16(i * 2, true));
      return { dtype: e.dtype, shape: e.shape, data };
    }
    case 'I64': {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v < -2147483648n || v > 2147483647n) {
          fail('VALUE_OUT_OF_RANGE', `tensor '${e.name}': I64 element ${i} = ${v} does not fit int32 [-2147483648, 2147483647]`);
        }
        data[i] = Number(v);
      }
      return { dtype: e.dtype, shape: e.shape, data };
    }
  }
}

/**
 * Parse and validate safetensors bytes. Checks, with the tensor and numbers in each message:
 * size prefix present, header fits the file, header is a UTF-8 JSON object, dtypes known, each
 * byte range equals `prod(shape) × sizeof(dtype)`, ranges tile the byte buffer exactly (no
 * overlap, gap, out-of-range or trailing bytes). `F16` is widened to float32; `I64` narrowed to
 * int32 (error if a value does not fit). Data is copied, never a view into `bytes`.
 *
 * @throws CheckpointError with code `TRUNCATED`, `HEADER_TOO_LARGE`, `INVALID_HEADER`,
 *   `UNKNOWN_DTYPE`, `SIZE_MISMATCH`, `INVALID_OFFSETS`, `TRAILING_BYTES` or `VALUE_OUT_OF_RANGE`.
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafetensors(readFileSync('model.safetensors'));
 * tensors['w'].shape; // [2, 2]
 * ```
 */
export function decodeSafetensors(input: Uint8Array): DecodedSafetensors {
  // Re-view a Node Buffer (what readFileSync returns) as a plain Uint8Array so every typed-array
  // method below has standard semantics; no bytes are copied here.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const { entries, metadata, dataStart } = parseHeader(bytes);
  const buf = bytes.subarray(dataStart);
  const sorted = checkTiling(entries, buf.length);
  const tensors: Record<string, SafetensorsTensor> = Object.create(null);
  for (const e of sorted) tensors[e.name] = readTensor(e, buf);
  return { tensors, metadata };
}

/** Entries sorted by offset, after checking that they tile `[0, length)` exactly. */
function checkTiling(entries: HeaderEntry[], length: number): HeaderEntry[] {
  // The reference implementation requires the ranges, sorted by begin, to tile [0, buf.length)
  // exactly; anything else means a corrupt or hand-edited file, so reject rather than guess.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev = '';
  for (const e of sorted) {
    if (e.end > length) {
      fail('INVALID_OFFSETS', `tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] exceed the ${length}-byte data buffer`);
    }
    if (e.begin < cursor) {
      fail('INVALID_OFFSETS', `tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap tensor '${prev}' ending at ${cursor}`);
    }
    if (e.begin > cursor) {
      fail('INVALID_OFFSETS', `tensor '${e.name}': data_offsets begin at ${e.begin}, expected ${cursor} (gap after ${prev ? `tensor '${prev}'` : 'buffer start'})`);
    }
    cursor = e.end;
    prev = e.name;
  }
  if (cursor !== length) {
    fail('TRAILING_BYTES', `safetensors data buffer is ${length} bytes but tensors cover only ${cursor} (${length - cursor} trailing bytes)`);
  }
  return sorted;
}

// ---- tf.Tensor convenience ----------------------------------------------------------------------

const TF_TO_ST: Partial<Record<string, SafetensorsDtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

/**
 * Serialize named `tf.Tensor`s (float32 → F32, int32 → I32, bool → BOOL). Reads values with
 * `dataSync()` and creates no tensors, so it uses no `tf.tidy` (and needs none around it); the
 * inputs stay owned by the caller and are not disposed. On GPU backends `dataSync` blocks until
 * the values are downloaded.
 *
 * @throws CheckpointError `UNSUPPORTED_DTYPE` for string / complex64 tensors.
 * @example
 * ```ts
 * const bytes = tensorsToSafetensors({ w: tf.ones([2, 2]) }, { step: '100' });
 * ```
 */
export function tensorsToSafetensors(named: Record<string, tf.Tensor>, metadata?: Record<string, string>): Uint8Array {
  const plain: Record<string, SafetensorsTensor> = Object.create(null);
  for (const [name, t] of Object.entries(named)) {
    const dtype = TF_TO_ST[t.dtype];
    if (dtype === undefined) {
      fail('UNSUPPORTED_DTYPE', `tensor '${name}': tf dtype '${t.dtype}' cannot be stored (supported: float32, int32, bool)`);
    }
    // dataSync may return the backend's own storage; encodeSafetensors only reads it and copies.
    plain[name] = { dtype, shape: [...t.shape], data: t.dataSync() as SafetensorsData };
  }
  return encodeSafetensors(plain, metadata);
}

/**
 * Decode safetensors bytes into new `tf.Tensor`s: F32/F16 → float32, I32/I64/I8/U8 → int32,
 * BOOL → bool. The caller owns (and must dispose) the returned tensors.
 *
 * @example
 * ```ts
 * const named = safetensorsToTensors(bytes);
 * named['w'].print();
 * tf.dispose(named);
 * ```
 */
export function safetensorsToTensors(bytes: Uint8Array): Record<string, tf.Tensor> {
  const { tensors } = decodeSafetensors(bytes);
  const out: Record<string, tf.Tensor> = Object.create(null);
  try {
    for (const [name, t] of Object.entries(tensors)) {
      const dtype = t.dtype === 'F32' || t.dtype === 'F16' ? 'float32' : t.dtype === 'BOOL' ? 'bool' : 'int32';
      // tfjs only has int32 for integers; widen U8/I8 explicitly rather than rely on tf's coercion.
      const data = t.data instanceof Uint8Array || t.data instanceof Int8Array ? (dtype === 'bool' ? t.data : Int32Array.from(t.data)) : t.data;
      out[name] = tf.tensor(data, t.shape, dtype);
    }
  } catch (e) {
    tf.dispose(out); // don't leak the tensors already created
    throw e;
  }
  return out;
}
