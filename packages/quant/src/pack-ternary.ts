/**
 * 2-bit packing of ternary kernels (codes 0 → 0, 1 → +α, 3 → −α; layout in `bits.ts`).
 */
import type { Tensor } from '@acn/core';
import { decodeKernel, encodeKernel, type PackedTernary } from './codec';
import { quantizeOnHost } from './host-quantize';
import { ternaryParts, type TernaryThreshold } from './ternary';

/**
 * Options of {@link packTernary}.
 *
 * @example
 * ```ts
 * const opts: PackTernaryOptions = { threshold: 'twn' };
 * ```
 */
export interface PackTernaryOptions {
  /** As `ternaryQuantizer`'s `threshold`; default `'twn'`. */
  readonly threshold?: TernaryThreshold;
}

/**
 * Ternarizes a latent 2-D `[in, out]` kernel exactly as `ternaryQuantizer({ threshold })` does and
 * packs it: 2 bits per weight, 4 per byte, plus α (float32).
 *
 * @example
 * ```ts
 * const p = packTernary(tf.tensor2d([[1, -0.2], [0.1, -0.7]]), { threshold: 0.5 }); // codes [0b11000001], scales [0.85]
 * unpackTernary(p); // Float32Array [0.85, 0, 0, -0.85]
 * ```
 */
export function packTernary(kernel: Tensor, options: PackTernaryOptions = {}): PackedTernary {
  const threshold = options.threshold ?? 'twn';
  if (threshold !== 'twn' && !(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0)) {
    throw new RangeError(`packTernary: threshold must be 'twn' or a finite number >= 0, got ${JSON.stringify(threshold)}`);
  }
  const q = quantizeOnHost(kernel, (w) => ternaryParts(w, threshold), 'packTernary');
  return encodeKernel({ format: 'ternary' }, q.values, q.shape, q.params, 'packTernary') as PackedTernary;
}

/**
 * The float32 values (row-major `[in, out]`) of a packed ternary kernel.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d(unpackTernary(p), [...p.shape]);
 * ```
 */
export function unpackTernary(packed: PackedTernary): Float32Array {
  if (packed?.format !== 'ternary') throw new TypeError(`unpackTernary: expected a packed ternary kernel, got format ${JSON.stringify(packed?.format)}`);
  return decodeKernel(packed, 'unpackTernary');
}
