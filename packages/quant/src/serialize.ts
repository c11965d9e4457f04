/**
 * A single-buffer file format for exported quantized kernels, so they can be written to disk or
 * sent over the wire and loaded with `loadQuantized`.
 *
 * Layout (all little-endian):
 *   bytes 0..3   magic "ACNQ"
 *   bytes 4..7   uint32 format version (1)
 *   bytes 8..11  uint32 header length H
 *   next H bytes UTF-8 JSON header: { weights: [{ path, weight, format, shape, ...spec,
 *                arrays: { name: [offset, byteLength] } }] } (offsets into the payload)
 *   payload      the arrays, back to back: codes / sign bits / zero map as bytes, scales as
 *                float32, zero points (asymmetric only) as uint8 (k ≤ 8) or uint16 (k > 8)
 *   last 32      sha256 of everything before it (version 2): a flipped bit anywhere, a cut or an
 *                appended byte is `CHECKSUM_MISMATCH`, never a silently different model
 * The payload is exactly `totalBytes` long; the header adds a few hundred bytes per kernel.
 */
import { sha256Hex } from '@acn/core';
import { checkPacked, packedBytes, type PackedKernel } from './codec';
import { QuantFormatError, type QuantFormatErrorCode } from './format-error';
import type { QuantizedModel, QuantizedWeight } from './export';
import type { Granularity, UniformScheme } from './spec';

const MAGIC = [0x41, 0x43, 0x4e, 0x51]; // "ACNQ"
const VERSION = 2;
const DIGEST = 32;

type ArrayKind = 'u8' | 'u16' | 'f32';
interface HeaderEntry {
  readonly path: string;
  readonly weight: string;
  readonly format: PackedKernel['format'];
  readonly shape: [number, number];
  readonly scale?: string;
  readonly bits?: number;
  readonly scheme?: UniformScheme;
  readonly granularity?: Granularity;
  readonly arrays: Record<string, [number, number]>;
}

function arraysOf(w: QuantizedWeight): Array<[string, ArrayKind, ArrayLike<number>]> {
  if (w.format === 'binary') return [['bits', 'u8', w.bits], ...(w.zeros ? [['zeros', 'u8', w.zeros] as [string, ArrayKind, Uint8Array]] : []), ['scales', 'f32', w.scales]];
  if (w.format === 'ternary') return [['codes', 'u8', w.codes], ['scales', 'f32', w.scales]];
  const out: Array<[string, ArrayKind, ArrayLike<number>]> = [['codes', 'u8', w.codes], ['scales', 'f32', w.scales]];
  if (w.scheme === 'asymmetric') out.push(['zeroPoints', w.bits <= 8 ? 'u8' : 'u16', w.zeroPoints]);
  return out;
}

const WIDTH: Record<ArrayKind, number> = { u8: 1, u16: 2, f32: 4 };

/**
 * Serializes an export to one `Uint8Array` (layout in the file comment).
 *
 * @example
 * ```ts
 * await fs.writeFile('model.acnq', serializeQuantized(exportQuantized(model)));
 * ```
 */
export function serializeQuantized(model: QuantizedModel): Uint8Array {
  const entries: HeaderEntry[] = [];
  const chunks: Array<[number, ArrayKind, ArrayLike<number>]> = [];
  let offset = 0;
  for (const w of model.weights) {
    const arrays: Record<string, [number, number]> = {};
    for (const [name, kind, data] of arraysOf(w)) {
      const len = data.length * WIDTH[kind];
      arrays[name] = [offset, len];
      chunks.push([offset, kind, data]);
      offset += len;
    }
    const spec = w.format === 'binary' ? { scale: w.scale } : w.format === 'uniform' ? { bits: w.bits, scheme: w.scheme, granularity: w.granularity } : {};
    entries.push({ path: w.path, weight: w.weight, format: w.format, shape: [w.shape[0], w.shape[1]], ...spec, arrays });
  }
  const header = new TextEncoder().encode(JSON.stringify({ weights: entries }));
  const start = 12 + header.length;
  const out = new Uint8Array(start + offset + DIGEST);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  for (const [off, kind, data] of chunks) {
    const at = start + off;
    for (let i = 0; i < data.length; i++) {
      if (kind === 'u8') out[at + i] = data[i];
      else if (kind === 'u16') view.setUint16(at + 2 * i, data[i], true);
      else view.setFloat32(at + 4 * i, data[i], true);
    }
  }
  out.set(hexToBytes(sha256Hex(out.subarray(0, out.length - DIGEST))), out.length - DIGEST);
  return out;
}

function hexToBytes(hex: string): Uint8Array {
  const b = new Uint8Array(hex.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/**
 * Reads bytes written by {@link serializeQuantized} back into an export. Checked before anything
 * is decoded: size, magic, version, the sha256 over the whole file, then the header (types,
 * duplicate kernels, array bounds) and every kernel's values (see `checkPacked`).
 *
 * @throws QuantFormatError with a code saying what is wrong.
 * @example
 * ```ts
 * const exp = deserializeQuantized(new Uint8Array(await fs.readFile('model.acnq')));
 * ```
 */
export function deserializeQuantized(bytes: Uint8Array): QuantizedModel {
  // Explicitly typed so that `if (bad) fail(...)` narrows (control flow needs the annotation).
  const fail: (code: QuantFormatErrorCode, why: string) => never = (code, why) => {
    throw new QuantFormatError(code, `deserializeQuantized: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) return fail('TRUNCATED', 'expected a Uint8Array');
  if (bytes.length < 12 + DIGEST) fail('TRUNCATED', `expected at least ${12 + DIGEST} bytes, got ${bytes.length}`);
  if (MAGIC.some((m, i) => bytes[i] !== m)) fail('BAD_MAGIC', 'not an ACNQ file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) fail('UNSUPPORTED_VERSION', `unsupported version ${version} (this reader knows ${VERSION}; version 1 files had no checksum: export again)`);
  const end = bytes.length - DIGEST;
  const want = bytesToHex(bytes.subarray(end));
  const got = sha256Hex(bytes.subarray(0, end));
  if (want !== got) fail('CHECKSUM_MISMATCH', `the file is corrupted or was modified (sha256 ${got}, recorded ${want}, ${bytes.length} bytes)`);
  const hlen = view.getUint32(8, true);
  if (12 + hlen > end) fail('OUT_OF_BOUNDS', `header length ${hlen} exceeds the ${end}-byte buffer`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + hlen)));
  } catch (e) {
    return fail('INVALID_HEADER', `bad JSON header: ${(e as Error).message}`);
  }
  const list = isObject(header) ? own(header, 'weights') : undefined;
  if (!Array.isArray(list)) return fail('INVALID_HEADER', 'header has no weights list');
  const start = 12 + hlen;
  const seen = new Set<string>();
  const weights: QuantizedWeight[] = list.map((raw, idx) => {
    if (!isObject(raw)) return fail('INVALID_HEADER', `weights[${idx}] must be an object`);
    const path = own(raw, 'path');
    const weight = own(raw, 'weight');
    if (typeof path !== 'string' || typeof weight !== 'string') return fail('INVALID_HEADER', `weights[${idx}]: path and weight must be strings`);
    const name = `${path}.${weight}`;
    if (seen.has(name)) fail('INVALID_HEADER', `${name} appears twice`);
    seen.add(name);
    const shapeRaw = own(raw, 'shape');
    if (!Array.isArray(shapeRaw) || shapeRaw.length !== 2) return fail('INVALID_HEADER', `${name}: shape must be [in, out]`);
    const shape = [shapeRaw[0], shapeRaw[1]] as [number, number];
    const arrays = own(raw, 'arrays');
    if (!isObject(arrays)) return fail('INVALID_HEADER', `${name}: arrays must be an object`);
    const has = (k: string) => own(arrays, k) !== undefined;
    const read = (key: string, kind: ArrayKind): Uint8Array | Uint16Array | Float32Array => {
      const a = own(arrays, key);
      if (!Array.isArray(a) || a.length !== 2) return fail('INVALID_HEADER', `${name}: missing array '${key}'`);
      const [off, len] = a as [unknown, unknown];
      if (!(Number.isSafeInteger(off) && Number.isSafeInteger(len) && (off as number) >= 0 && (len as number) >= 0 && start + (off as number) + (len as number) <= end && (len as number) % WIDTH[kind] === 0)) {
        fail('OUT_OF_BOUNDS', `${name}: array '${key}' [${String(off)}, ${String(len)}] is out of bounds`);
      }
      const at = start + (off as number);
      const n = (len as number) / WIDTH[kind];
      if (kind === 'u8') return bytes.slice(at, at + n);
      const out = kind === 'u16' ? new Uint16Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = kind === 'u16' ? view.getUint16(at + 2 * i, true) : view.getFloat32(at + 4 * i, true);
      return out;
    };
    const format = own(raw, 'format');
    let p: PackedKernel;
    if (format === 'binary') {
      const scale = own(raw, 'scale');
      if (scale !== 'layer' && scale !== 'channel' && scale !== 'none') return fail('INVALID_HEADER', `${name}: unknown binary scale ${JSON.stringify(scale)}`);
      p = { format: 'binary', shape, scale, bits: read('bits', 'u8') as Uint8Array, scales: read('scales', 'f32') as Float32Array, ...(has('zeros') ? { zeros: read('zeros', 'u8') as Uint8Array } : {}) };
    } else if (format === 'ternary') {
      p = { format: 'ternary', shape, codes: read('codes', 'u8') as Uint8Array, scales: read('scales', 'f32') as Float32Array };
    } else if (format === 'uniform') {
      const bits = own(raw, 'bits');
      const scheme = own(raw, 'scheme');
      const granularity = own(raw, 'granularity');
      if (!(typeof bits === 'number' && Number.isInteger(bits) && bits >= 1 && bits <= 16)) return fail('INVALID_HEADER', `${name}: bad bits ${JSON.stringify(bits)}`);
      if (scheme !== 'symmetric' && scheme !== 'asymmetric') return fail('INVALID_HEADER', `${name}: unknown scheme ${JSON.stringify(scheme)}`);
      if (granularity !== 'layer' && granularity !== 'channel') return fail('INVALID_HEADER', `${name}: unknown granularity ${JSON.stringify(granularity)}`);
      const scales = read('scales', 'f32') as Float32Array;
      const zeroPoints = scheme === 'asymmetric' ? Uint16Array.from(read('zeroPoints', bits <= 8 ? 'u8' : 'u16')) : new Uint16Array(scales.length).fill(2 ** (bits - 1));
      p = { format: 'uniform', shape, bits, scheme, granularity, codes: read('codes', 'u8') as Uint8Array, scales, zeroPoints };
    } else {
      return fail('INVALID_HEADER', `${name}: unknown format ${JSON.stringify(format)}`);
    }
    checkPacked(p, `deserializeQuantized: ${name}`);
    return { ...p, path, weight, bytes: packedBytes(p) };
  });
  return { weights, totalBytes: weights.reduce((s, w) => s + w.bytes, 0) };
}
