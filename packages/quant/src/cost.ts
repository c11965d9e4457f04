/**
 * Deployed size of a quantized kernel, and the `LayerCost` a quantizer reports to `modelCost`.
 *
 * Bytes are exactly what `exportQuantized` writes for the kernel (payload only, no header):
 * - binary: ⌈n/8⌉ sign bits + 4 bytes per scale (1 scale for `layer` and `none`, where it is 1.0,
 *   `out` for `channel`), plus a ⌈n/8⌉ zero map when the kernel has exact zeros (sign(0) = 0,
 *   e.g. after pruning);
 * - ternary: ⌈2n/8⌉ (2-bit codes) + 4 (one α);
 * - uniform k-bit: ⌈k·n/8⌉ + 4 per scale, + 1 byte (k ≤ 8) or 2 bytes (k > 8) per zero point for
 *   `asymmetric` (the symmetric zero point is implied, 2^(k−1)).
 *
 * Params are unchanged (the same number of weights is stored) and FLOPs are unchanged: the
 * effective weights are still float32 in tfjs and the matmul runs in float; integer or XNOR
 * kernels are a deployment concern that this package does not claim.
 */
import type { LayerCost } from '@acn/core';
import { codeBits, groupCount, type QuantSpec } from './spec';
import type { KernelShape } from './kernel';

/**
 * Payload bytes of a quantized `[in, out]` kernel in the export format.
 *
 * @param hasZeros binary only: the kernel has exact zeros, so a zero map is stored.
 * @example
 * ```ts
 * quantizedBytes({ format: 'binary', scale: 'layer' }, [64, 32], false); // 256 + 4 = 260
 * quantizedBytes({ format: 'uniform', bits: 8, scheme: 'asymmetric', granularity: 'channel' }, [64, 32]); // 2048 + 128 + 32
 * ```
 */
export function quantizedBytes(spec: QuantSpec, shape: KernelShape, hasZeros = false): number {
  const n = shape[0] * shape[1];
  const groups = groupCount(spec, shape[1]);
  const codes = Math.ceil((n * codeBits(spec)) / 8);
  if (spec.format === 'binary') return codes + (hasZeros ? Math.ceil(n / 8) : 0) + 4 * groups;
  if (spec.format === 'ternary') return codes + 4;
  const zeroPoints = spec.scheme === 'asymmetric' ? groups * (spec.bits <= 8 ? 1 : 2) : 0;
  return codes + 4 * groups + zeroPoints;
}

/**
 * A layer's cost with its `n`-element kernel stored in `kernelBytes`: the kernel's share of the
 * incoming bytes (the average bytes per param so far, so it works for any `bytesPerParam` of
 * `modelCost` and never goes negative) is replaced by `kernelBytes`; params, non-zeros and FLOPs
 * pass through.
 *
 * @example
 * ```ts
 * quantCost({ params: 72, nonZeroParams: 72, flops: 136, bytes: 288 }, 64, 12); // bytes 32 + 12 = 44
 * ```
 */
export function quantCost(base: LayerCost, n: number, kernelBytes: number): LayerCost {
  const share = base.params > 0 ? (Math.min(n, base.params) * base.bytes) / base.params : 0;
  return { ...base, bytes: base.bytes - share + kernelBytes };
}
