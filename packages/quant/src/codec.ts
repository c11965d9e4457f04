/**
 * Lossless encoding of effective (already quantized) kernel values, given the parameters that
 * produced them, into the packed formats, and the exact inverse. Encoding checks every value: a
 * kernel that is not exactly representable (weights trained further after bake, another hook
 * rescaling after the quantizer) is an error, never a silent approximation. Decoding computes
 * `±α`, `0` or `fround((u − z)·s)`, the same float32 operations the tfjs forward does, so a round
 * trip reproduces the effective weights bit for bit (up to the sign of zero).
 *
 * Codes (bit layout in `bits.ts`, row-major `[in, out]`):
 * - binary: 1 bit per weight, 1 = negative (−α; the float sign bit, as Larq Compute Engine),
 *   0 = +α; optional zero map (1 bit per weight, 1 = exact zero) present only when the kernel has
 *   zeros;
 * - ternary: 2 bits per weight, bit 0 = non-zero, bit 1 = negative: 0 → 0, 1 → +α, 3 → −α
 *   (2 is invalid);
 * - uniform: k-bit unsigned codes u, value `(u − z)·s`.
 */
import { packBits, unpackBits } from './bits';
import { QuantFormatError } from './format-error';
import type { KernelShape } from './kernel';
import { describeSpec, groupCount, type BinaryScale, type Granularity, type QuantParams, type QuantSpec, type UniformScheme } from './spec';

/**
 * A binary kernel: sign bits, an optional zero map and α per group.
 *
 * @example
 * ```ts
 * const p: PackedBinary = packBinary(kernel); // p.bits.length === Math.ceil(kernel.size / 8)
 * ```
 */
export interface PackedBinary {
  readonly format: 'binary';
  /** `[in, out]`. */
  readonly shape: KernelShape;
  /** Scale mode: α per layer (1 scale), per output column (`out` scales) or none (1 scale, 1.0). */
  readonly scale: BinaryScale;
  /** ⌈n/8⌉ bytes, bit i = 1 when weight i is negative. */
  readonly bits: Uint8Array;
  /** ⌈n/8⌉ bytes, bit i = 1 when weight i is exactly 0; absent when no weight is. */
  readonly zeros?: Uint8Array;
  readonly scales: Float32Array;
}

/**
 * A ternary kernel: 2-bit codes (0 → 0, 1 → +α, 3 → −α) and one α.
 *
 * @example
 * ```ts
 * const p: PackedTernary = packTernary(kernel, { threshold: 'twn' }); // p.codes.length === Math.ceil(kernel.size / 4)
 * ```
 */
export interface PackedTernary {
  readonly format: 'ternary';
  readonly shape: KernelShape;
  /** ⌈2n/8⌉ bytes. */
  readonly codes: Uint8Array;
  /** `[α]`. */
  readonly scales: Float32Array;
}

/**
 * A k-bit uniform kernel: packed unsigned codes, a scale and a zero point per group.
 *
 * @example
 * ```ts
 * const p: PackedUniform = packUniform(kernel, { bits: 4, scheme: 'asymmetric', granularity: 'channel' });
 * ```
 */
export interface PackedUniform {
  readonly format: 'uniform';
  readonly shape: KernelShape;
  /** Bits per code, 1..16. */
  readonly bits: number;
  readonly scheme: UniformScheme;
  readonly granularity: Granularity;
  /** ⌈k·n/8⌉ bytes of k-bit codes. */
  readonly codes: Uint8Array;
  readonly scales: Float32Array;
  /** Code of 0.0 per group (2^(k−1) for symmetric, where it is implied and not counted in bytes). */
  readonly zeroPoints: Uint16Array;
}

/**
 * Any packed kernel.
 *
 * @example
 * ```ts
 * const p: PackedKernel = exportQuantized(model).weights[0];
 * ```
 */
export type PackedKernel = PackedBinary | PackedTernary | PackedUniform;

/** The spec a packed kernel was made with. */
export function specOfPacked(p: PackedKernel): QuantSpec {
  if (p.format === 'binary') return { format: 'binary', scale: p.scale };
  if (p.format === 'ternary') return { format: 'ternary' };
  return { format: 'uniform', bits: p.bits, scheme: p.scheme, granularity: p.granularity };
}

/**
 * Payload bytes of a packed kernel (codes, zero map, 4 per scale, zero points for asymmetric);
 * equals `quantizedBytes` of its spec.
 *
 * @example
 * ```ts
 * packedBytes(packBinary(tf.ones([16, 4]))); // 8 + 4
 * ```
 */
export function packedBytes(p: PackedKernel): number {
  if (p.format === 'binary') return p.bits.length + (p.zeros?.length ?? 0) + 4 * p.scales.length;
  if (p.format === 'ternary') return p.codes.length + 4 * p.scales.length;
  const zp = p.scheme === 'asymmetric' ? p.zeroPoints.length * (p.bits <= 8 ? 1 : 2) : 0;
  return p.codes.length + 4 * p.scales.length + zp;
}

function fmt(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

class Locator {
  constructor(
    private readonly where: string,
    private readonly shape: KernelShape,
    private readonly perColumn: boolean,
  ) {}
  group(i: number): number {
    return this.perColumn ? i % this.shape[1] : 0;
  }
  fail(i: number, v: number, expected: string): never {
    const r = Math.floor(i / this.shape[1]);
    const c = i % this.shape[1];
    throw new Error(
      `${this.where}: value ${fmt(v)} at [${r}, ${c}] of the [${this.shape.join(', ')}] kernel is not representable (expected ${expected}); were the weights changed after quantization (training after bake, a hook after the quantizer)?`,
    );
  }
}

function checkParams(spec: QuantSpec, shape: KernelShape, params: QuantParams, where: string): void {
  const groups = groupCount(spec, shape[1]);
  if (params.scales.length !== groups) throw new Error(`${where}: ${describeSpec(spec)} on a [${shape.join(', ')}] kernel needs ${groups} scale(s), got ${params.scales.length}`);
  if (spec.format === 'uniform' && params.zeroPoints?.length !== groups) {
    throw new Error(`${where}: ${describeSpec(spec)} on a [${shape.join(', ')}] kernel needs ${groups} zero point(s), got ${params.zeroPoints?.length ?? 0}`);
  }
}

/**
 * Encodes effective values (row-major `[in, out]`) with known parameters. Throws when a value is
 * not exactly representable.
 */
export function encodeKernel(spec: QuantSpec, values: ArrayLike<number>, shape: KernelShape, params: QuantParams, where: string): PackedKernel {
  const n = shape[0] * shape[1];
  if (values.length !== n) throw new Error(`${where}: ${values.length} values for a [${shape.join(', ')}] kernel`);
  checkParams(spec, shape, params, where);
  const s = params.scales;
  if (spec.format === 'binary') {
    const loc = new Locator(where, shape, spec.scale === 'channel');
    const neg = new Uint8Array(n);
    const zero = new Uint8Array(n);
    let anyZero = false;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const a = s[loc.group(i)];
      if (v === 0) {
        zero[i] = 1;
        anyZero = true;
      } else if (v === a) neg[i] = 0;
      else if (v === -a) neg[i] = 1;
      else loc.fail(i, v, `±${a} or 0`);
    }
    const bits = packBits(neg, 1);
    return anyZero ? { format: 'binary', shape, scale: spec.scale, bits, zeros: packBits(zero, 1), scales: s } : { format: 'binary', shape, scale: spec.scale, bits, scales: s };
  }
  if (spec.format === 'ternary') {
    const loc = new Locator(where, shape, false);
    const a = s[0];
    const codes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === 0) codes[i] = 0;
      else if (v === a) codes[i] = 1;
      else if (v === -a) codes[i] = 3;
      else loc.fail(i, v, `±${a} or 0`);
    }
    return { format: 'ternary', shape, codes: packBits(codes, 2), scales: s };
  }
  const loc = new Locator(where, shape, spec.granularity === 'channel');
  const zp = params.zeroPoints!;
  const qmin = spec.scheme === 'symmetric' ? 1 : 0;
  const qmax = 2 ** spec.bits - 1;
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const g = loc.group(i);
    // v = fround((u − z)·s), so v/s is within 2^-24 relative of the integer u − z: round recovers it.
    const u = Math.round(v / s[g]) + zp[g];
    if (!(u >= qmin && u <= qmax) || Math.fround((u - zp[g]) * s[g]) !== v) loc.fail(i, v, `(u − ${zp[g]})·${s[g]} with u in [${qmin}, ${qmax}]`);
    codes[i] = u;
  }
  return { format: 'uniform', shape, bits: spec.bits, scheme: spec.scheme, granularity: spec.granularity, codes: packBits(codes, spec.bits), scales: s, zeroPoints: zp };
}

/**
 * Checks a packed kernel's structure (shape, array lengths) and values (scales finite and >= 0,
 * zero points integer codes in range, symmetric zero point 2^(k−1)), e.g. after deserialization.
 *
 * @throws QuantFormatError `INVALID_HEADER` (shape, format) or `INVALID_VALUE`.
 */
export function checkPacked(p: PackedKernel, where: string): void {
  const shape = p.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d > 0) || !Number.isSafeInteger(shape[0] * shape[1])) {
    throw new QuantFormatError('INVALID_HEADER', `${where}: shape must be [in, out] with positive integers, got ${JSON.stringify(shape)}`);
  }
  if (p.format !== 'binary' && p.format !== 'ternary' && p.format !== 'uniform') {
    throw new QuantFormatError('INVALID_HEADER', `${where}: unknown format ${JSON.stringify((p as { format: unknown }).format)}`);
  }
  if (p.format === 'uniform' && !(Number.isInteger(p.bits) && p.bits >= 1 && p.bits <= 16)) throw new QuantFormatError('INVALID_HEADER', `${where}: bits must be an integer in [1, 16], got ${p.bits}`);
  const spec = specOfPacked(p);
  const n = shape[0] * shape[1];
  const groups = groupCount(spec, shape[1]);
  const need = (name: string, arr: { length: number } | undefined, len: number): void => {
    if (!arr || arr.length !== len) throw new QuantFormatError('INVALID_VALUE', `${where}: ${describeSpec(spec)} [${shape.join(', ')}] needs ${name} of length ${len}, got ${arr?.length ?? 'none'}`);
  };
  need('scales', p.scales, groups);
  // A NaN, infinite or negative scale is never produced by a quantizer and would decode to garbage.
  for (let g = 0; g < groups; g++) {
    const sc = p.scales[g];
    if (!(Number.isFinite(sc) && sc >= 0)) throw new QuantFormatError('INVALID_VALUE', `${where}: scale ${sc} of group ${g} must be a finite number >= 0`);
  }
  if (p.format === 'binary') {
    need('bits', p.bits, Math.ceil(n / 8));
    if (p.zeros) need('zeros', p.zeros, Math.ceil(n / 8));
  } else if (p.format === 'ternary') need('codes', p.codes, Math.ceil(n / 4));
  else {
    need('codes', p.codes, Math.ceil((n * p.bits) / 8));
    need('zeroPoints', p.zeroPoints, groups);
    const qmax = 2 ** p.bits - 1;
    for (let g = 0; g < groups; g++) {
      const z = p.zeroPoints[g];
      const ok = p.scheme === 'symmetric' ? z === 2 ** (p.bits - 1) : Number.isInteger(z) && z >= 0 && z <= qmax;
      if (!ok) {
        const want = p.scheme === 'symmetric' ? `${2 ** (p.bits - 1)} (symmetric)` : `an integer in [0, ${qmax}]`;
        throw new QuantFormatError('INVALID_VALUE', `${where}: zero point ${z} of group ${g} must be ${want}`);
      }
    }
  }
}

/** Decodes a packed kernel to its float32 values (row-major `[in, out]`). */
export function decodeKernel(p: PackedKernel, where = 'decode'): Float32Array {
  checkPacked(p, where);
  const [, out] = p.shape;
  const n = p.shape[0] * out;
  const values = new Float32Array(n);
  if (p.format === 'binary') {
    const neg = unpackBits(p.bits, 1, n);
    const zero = p.zeros ? unpackBits(p.zeros, 1, n) : undefined;
    const perColumn = p.scale === 'channel';
    for (let i = 0; i < n; i++) {
      if (zero?.[i]) continue; // +0
      const a = p.scales[perColumn ? i % out : 0];
      values[i] = neg[i] ? -a : a;
    }
    return values;
  }
  if (p.format === 'ternary') {
    const codes = unpackBits(p.codes, 2, n);
    const a = p.scales[0];
    for (let i = 0; i < n; i++) {
      const c = codes[i];
      if (c === 2) throw new QuantFormatError('INVALID_VALUE', `${where}: invalid ternary code 2 at index ${i}`);
      values[i] = c === 0 ? 0 : c === 1 ? a : -a;
    }
    return values;
  }
  const codes = unpackBits(p.codes, p.bits, n);
  const perColumn = p.granularity === 'channel';
  for (let i = 0; i < n; i++) {
    const g = perColumn ? i % out : 0;
    // Symmetric codes are 1..2^k−1 (0 would be −2^(k−1)·s, outside the symmetric range).
    if (p.scheme === 'symmetric' && codes[i] === 0) throw new QuantFormatError('INVALID_VALUE', `${where}: invalid symmetric code 0 at index ${i}`);
    // Exact float32 product: (u − z) has ≤ 17 bits and s 24, so the double product is exact and fround rounds once, like tf.mul.
    values[i] = Math.fround((codes[i] - p.zeroPoints[g]) * p.scales[g]);
  }
  return values;
}

/**
 * The float32 values (row-major `[in, out]`) of any packed kernel (binary, ternary or uniform),
 * e.g. an entry of `exportQuantized(model).weights`.
 *
 * @example
 * ```ts
 * for (const w of exportQuantized(model).weights) console.log(w.path, unpackKernel(w).length);
 * ```
 */
export function unpackKernel(packed: PackedKernel): Float32Array {
  return decodeKernel(packed, 'unpackKernel');
}
