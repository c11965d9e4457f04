/**
 * k-bit packing of uniform (fake-quantized) kernels: codes packed densely at k bits (`bits.ts`),
 * one scale (and zero point) per group.
 */
import type { Tensor } from '@acn/core';
import { decodeKernel, encodeKernel, type PackedUniform } from './codec';
import { quantizeOnHost } from './host-quantize';
import { uniformConfig, uniformParts, type UniformOptions } from './uniform';

/**
 * Quantizes a latent 2-D `[in, out]` kernel exactly as `uniformQuantizer(options)` does and packs
 * the codes at `bits` bits each (`⌈k·n/8⌉` bytes; e.g. 4-bit codes two per byte).
 *
 * @example
 * ```ts
 * const p = packUniform(kernel, { bits: 4, scheme: 'asymmetric', granularity: 'layer' });
 * unpackUniform(p); // equals fakeQuantize(kernel, same options)
 * ```
 */
export function packUniform(kernel: Tensor, options: UniformOptions = {}): PackedUniform {
  const cfg = uniformConfig(options, 'packUniform');
  const q = quantizeOnHost(kernel, (w) => uniformParts(w, cfg), 'packUniform');
  const spec = { format: 'uniform', bits: cfg.bits, scheme: cfg.scheme, granularity: cfg.granularity } as const;
  return encodeKernel(spec, q.values, q.shape, q.params, 'packUniform') as PackedUniform;
}

/**
 * The float32 values (row-major `[in, out]`) of a packed uniform kernel: `fround((u − z)·s)`.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d(unpackUniform(p), [...p.shape]);
 * ```
 */
export function unpackUniform(packed: PackedUniform): Float32Array {
  if (packed?.format !== 'uniform') throw new TypeError(`unpackUniform: expected a packed uniform kernel, got format ${JSON.stringify(packed?.format)}`);
  return decodeKernel(packed, 'unpackUniform');
}
