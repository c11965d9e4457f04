/**
 * 1-bit packing of binary kernels (bit layout in `codec.ts` / `bits.ts`).
 */
import type { Tensor } from '@acn/core';
import { binaryParts } from './binary';
import { decodeKernel, encodeKernel, type PackedBinary } from './codec';
import { quantizeOnHost } from './host-quantize';
import type { BinaryScale } from './spec';

/**
 * Options of {@link packBinary}.
 *
 * @example
 * ```ts
 * const opts: PackBinaryOptions = { scale: 'channel' };
 * ```
 */
export interface PackBinaryOptions {
  /** As `binaryQuantizer`'s `scale`; default `layer`. */
  readonly scale?: BinaryScale;
}

/**
 * Binarizes a latent 2-D `[in, out]` kernel exactly as `binaryQuantizer({ scale })` does
 * (α = mean|W|, sign(0) = 0) and packs it: 1 bit per weight, 8 per byte (bit `i & 7` of byte
 * `i >> 3`, 1 = negative), α per group as float32, and a zero map only if some weight is exactly 0.
 * For a model with attached or baked quantizers use `exportQuantized`, which encodes the effective
 * weights with the parameters that produced them.
 *
 * @example
 * ```ts
 * const p = packBinary(tf.tensor2d([[0.5, 0.05], [-0.1, 0.2]])); // bits [0b0100], scales [0.2125]
 * unpackBinary(p); // Float32Array [0.2125, 0.2125, -0.2125, 0.2125]
 * ```
 */
export function packBinary(kernel: Tensor, options: PackBinaryOptions = {}): PackedBinary {
  const scale = options.scale ?? 'layer';
  if (scale !== 'layer' && scale !== 'channel' && scale !== 'none') throw new TypeError(`packBinary: unknown scale ${JSON.stringify(scale)} (expected 'layer', 'channel' or 'none')`);
  const q = quantizeOnHost(kernel, (w) => binaryParts(w, scale), 'packBinary');
  return encodeKernel({ format: 'binary', scale }, q.values, q.shape, q.params, 'packBinary') as PackedBinary;
}

/**
 * The float32 values (row-major `[in, out]`) of a packed binary kernel: `±α` or 0, equal to the
 * quantizer's effective weights.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d(unpackBinary(p), [...p.shape]);
 * ```
 */
export function unpackBinary(packed: PackedBinary): Float32Array {
  if (packed?.format !== 'binary') throw new TypeError(`unpackBinary: expected a packed binary kernel, got format ${JSON.stringify(packed?.format)}`);
  return decodeKernel(packed, 'unpackBinary');
}
