/**
 * One byte per weight: uniform quantization to `Uint8Array` codes (bits ≤ 8), the storage of the
 * tfjs converter's `uint8` weight quantization and of most int8 runtimes. Same math as
 * `uniformQuantizer` / `packUniform`; unlike `packUniform` each code takes a whole byte.
 */
import type { Tensor } from '@acn/core';
import { unpackBits } from './bits';
import { decodeKernel } from './codec';
import type { KernelShape } from './kernel';
import { packUniform } from './pack-uniform';
import type { Granularity, UniformScheme } from './spec';
import type { UniformOptions } from './uniform';

/**
 * A kernel quantized to one byte per weight: value `i` = `fround((data[i] − zeroPoint[g])·scale[g])`
 * with `g` = 0 (`layer`) or the column `i mod out` (`channel`).
 *
 * @example
 * ```ts
 * const q: QuantizedUint8 = quantizeUint8(kernel); // q.data.length === kernel.size
 * ```
 */
export interface QuantizedUint8 {
  readonly shape: KernelShape;
  readonly bits: number;
  readonly scheme: UniformScheme;
  readonly granularity: Granularity;
  /** One code per weight, row-major `[in, out]`. */
  readonly data: Uint8Array;
  /** One scale per group. */
  readonly scale: Float32Array;
  /** One zero point per group (2^(bits−1) for symmetric). */
  readonly zeroPoint: Uint8Array;
}

/**
 * Quantizes a latent 2-D `[in, out]` kernel to uint8 codes, exactly as
 * `uniformQuantizer(options)` (defaults: 8 bits, symmetric, per channel). `bits` must be ≤ 8 here;
 * use `packUniform` for 9..16 bits.
 *
 * @example
 * ```ts
 * const q = quantizeUint8(kernel, { scheme: 'asymmetric', granularity: 'layer' });
 * dequantizeUint8(q); // equals fakeQuantize(kernel, same options), bit for bit
 * ```
 */
export function quantizeUint8(kernel: Tensor, options: UniformOptions = {}): QuantizedUint8 {
  const bits = options.bits ?? 8;
  if (typeof bits === 'number' && Number.isInteger(bits) && bits > 8 && bits <= 16) {
    throw new RangeError(`quantizeUint8: bits must be <= 8 for one byte per weight, got ${bits}; use packUniform for 9..16 bits`);
  }
  const p = packUniform(kernel, options);
  const n = p.shape[0] * p.shape[1];
  return {
    shape: p.shape,
    bits: p.bits,
    scheme: p.scheme,
    granularity: p.granularity,
    data: p.bits === 8 ? p.codes : Uint8Array.from(unpackBits(p.codes, p.bits, n)),
    scale: p.scales,
    zeroPoint: Uint8Array.from(p.zeroPoints),
  };
}

/**
 * The float32 values (row-major `[in, out]`) of a uint8-quantized kernel.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d(dequantizeUint8(q), [...q.shape]);
 * ```
 */
export function dequantizeUint8(q: QuantizedUint8): Float32Array {
  const n = q.shape[0] * q.shape[1];
  if (!(q.data instanceof Uint8Array) || q.data.length !== n) throw new Error(`dequantizeUint8: data must be a Uint8Array of ${n} codes for shape [${q.shape.join(', ')}], got ${q.data?.length}`);
  // Reuse the packed decoder (codes at 8 bits are the bytes themselves).
  return decodeKernel(
    { format: 'uniform', shape: q.shape, bits: 8, scheme: 'asymmetric', granularity: q.granularity, codes: q.data, scales: q.scale, zeroPoints: Uint16Array.from(q.zeroPoint) },
    'dequantizeUint8',
  );
}
