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
 * The payload is exactly `totalBytes` long; the header adds a few hundred bytes per kernel.
 */
import { checkPacked, packedBytes, type PackedKernel } from './codec';
import type { QuantizedModel, QuantizedWeight } from './export';
import type { Granularity, UniformScheme } from './spec';

const MAGIC = [0x41, 0x43, 0x4e, 0x51]; // "ACNQ"
const VERSION = 1;

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
  const out = new Uint8Array(start + offset);
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
  return out;
}

/**
 * Reads bytes written by {@link serializeQuantized} back into an export (checked: magic, version,
 * bounds, array lengths).
 *
 * @example
 * ```ts
 * const exp = deserializeQuantized(new Uint8Array(await fs.readFile('model.acnq')));
 * ```
 */
export function deserializeQuantized(bytes: Uint8Array): QuantizedModel {
  // Explicitly typed so that `if (bad) fail(...)` narrows (control flow needs the annotation).
  const fail: (why: string) => never = (why) => {
    throw new Error(`deserializeQuantized: ${why}`);
  };
  if (!(bytes instanceof Uint8Array) || bytes.length < 12) fail(`expected at least 12 bytes, got ${bytes?.length}`);
  if (MAGIC.some((m, i) => bytes[i] !== m)) fail('not an ACNQ file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) fail(`unsupported version ${version} (this reader knows ${VERSION})`);
  const hlen = view.getUint32(8, true);
  if (12 + hlen > bytes.length) fail(`header length ${hlen} exceeds the ${bytes.length}-byte buffer`);
  let header: { weights: HeaderEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  } catch (e) {
    return fail(`bad JSON header: ${(e as Error).message}`);
  }
  if (!header || !Array.isArray(header.weights)) fail('header has no weights list');
  const start = 12 + hlen;
  const read = (e: HeaderEntry, name: string, kind: ArrayKind): Uint8Array | Uint16Array | Float32Array => {
    const a = e.arrays?.[name];
    if (!a) return fail(`${e.path}.${e.weight}: missing array '${name}'`);
    const [off, len] = a;
    if (!(Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0 && start + off + len <= bytes.length && len % WIDTH[kind] === 0)) {
      fail(`${e.path}.${e.weight}: array '${name}' [${off}, ${len}] is out of bounds`);
    }
    const n = len / WIDTH[kind];
    if (kind === 'u8') return bytes.slice(start + off, start + off + len);
    const out = kind === 'u16' ? new Uint16Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = kind === 'u16' ? view.getUint16(start + off + 2 * i, true) : view.getFloat32(start + off + 4 * i, true);
    return out;
  };
  const weights: QuantizedWeight[] = header.weights.map((e) => {
    const base = { path: String(e.path), weight: String(e.weight), shape: [e.shape?.[0], e.shape?.[1]] as [number, number] };
    let p: PackedKernel;
    if (e.format === 'binary') {
      p = { format: 'binary', shape: base.shape, scale: e.scale as 'layer', bits: read(e, 'bits', 'u8') as Uint8Array, scales: read(e, 'scales', 'f32') as Float32Array, ...(e.arrays?.zeros ? { zeros: read(e, 'zeros', 'u8') as Uint8Array } : {}) };
      if (!['layer', 'channel', 'none'].includes(String(e.scale))) fail(`${e.path}.${e.weight}: unknown binary scale ${JSON.stringify(e.scale)}`);
    } else if (e.format === 'ternary') {
      p = { format: 'ternary', shape: base.shape, codes: read(e, 'codes', 'u8') as Uint8Array, scales: read(e, 'scales', 'f32') as Float32Array };
    } else if (e.format === 'uniform') {
      const bits = Number(e.bits);
      if (!(Number.isInteger(bits) && bits >= 1 && bits <= 16)) fail(`${e.path}.${e.weight}: bad bits ${JSON.stringify(e.bits)}`);
      if (e.scheme !== 'symmetric' && e.scheme !== 'asymmetric') fail(`${e.path}.${e.weight}: unknown scheme ${JSON.stringify(e.scheme)}`);
      if (e.granularity !== 'layer' && e.granularity !== 'channel') fail(`${e.path}.${e.weight}: unknown granularity ${JSON.stringify(e.granularity)}`);
      const scales = read(e, 'scales', 'f32') as Float32Array;
      const zeroPoints = e.scheme === 'asymmetric' ? Uint16Array.from(read(e, 'zeroPoints', bits <= 8 ? 'u8' : 'u16')) : new Uint16Array(scales.length).fill(2 ** (bits - 1));
      p = { format: 'uniform', shape: base.shape, bits, scheme: e.scheme, granularity: e.granularity, codes: read(e, 'codes', 'u8') as Uint8Array, scales, zeroPoints };
    } else {
      return fail(`${e.path}.${e.weight}: unknown format ${JSON.stringify(e.format)}`);
    }
    checkPacked(p, `deserializeQuantized: ${base.path}.${base.weight}`);
    return { ...p, path: base.path, weight: base.weight, bytes: packedBytes(p) };
  });
  return { weights, totalBytes: weights.reduce((s, w) => s + w.bytes, 0) };
}
