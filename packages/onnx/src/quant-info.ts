/**
 * The quantization of baked kernels as the exporter needs it: the format and the exact parameters
 * (scales, zero points) that produced the baked float values. Structurally the same as
 * `@acn/quant`'s `exportQuantized(model).weights` (pass that array as `options.quantized`), so this
 * package needs no dependency on `@acn/quant`. From it and the baked float kernel the exporter
 * recovers the integer codes (and checks that every value is exactly representable).
 */
import { OnnxError } from './errors';

/**
 * One quantized kernel (a `QuantizedWeight` of `@acn/quant` fits this shape).
 *
 * @example
 * ```ts
 * const q: OnnxQuantizedWeight = { path: 'blocks.0.fc', weight: 'kernel', format: 'uniform', bits: 8, scheme: 'symmetric', granularity: 'channel', scales, zeroPoints };
 * ```
 */
export interface OnnxQuantizedWeight {
  /** Layer path, e.g. `blocks.0.channelMlp.fc1`. */
  readonly path: string;
  /** Weight name in the layer (`kernel`, `kernelA`, `kernelB`). */
  readonly weight: string;
  readonly format: 'binary' | 'ternary' | 'uniform';
  /** Uniform: bits per code (a packed binary kernel keeps its sign bits here; ignored). */
  readonly bits?: number | Uint8Array;
  /** Uniform: `symmetric` (zero point 2^(bits−1)) or `asymmetric`. */
  readonly scheme?: 'symmetric' | 'asymmetric';
  /** Uniform: one scale per layer or per output column. */
  readonly granularity?: 'layer' | 'channel';
  /** Binary: where α was taken (`layer`, `channel`, `none`). */
  readonly scale?: 'layer' | 'channel' | 'none';
  /** One entry per group (1, or `out` for per-column). */
  readonly scales: Float32Array;
  /** Uniform: code of 0.0 per group. */
  readonly zeroPoints?: Uint16Array;
}

/**
 * Integer codes of a baked kernel: `w[k, n] = (codes[k, n] − zeroPoint[n]) · scale[n]`, row-major
 * `[in, out]` like the kernel, with per-column parameters (per-layer ones are repeated).
 */
export interface KernelCodes {
  /** Unsigned codes in `[0, 2^bits − 1]`. */
  readonly codes: Uint16Array;
  /** `[out]` scales. */
  readonly scales: Float32Array;
  /** `[out]` zero points. */
  readonly zeroPoints: Uint16Array;
  /** Bits a code needs: uniform bits, 2 for binary / ternary (codes 1, 2, 3 = −α, 0, +α). */
  readonly bits: number;
  /** True when every zero point is 2^(bits−1) (symmetric codes). */
  readonly symmetric: boolean;
}

function perColumn<T extends Float32Array | Uint16Array>(v: T, out: number, where: string, what: string): T {
  if (v.length === out) return v;
  if (v.length !== 1) throw new OnnxError('bad-quantization', `${where}: ${v.length} ${what} for a kernel with ${out} columns (expected 1 or ${out})`);
  const r = new (v.constructor as new (n: number) => T)(out);
  r.fill(v[0] as never);
  return r;
}

/** Bits per code of a uniform weight (default 8). */
export function uniformBits(q: OnnxQuantizedWeight): number {
  return typeof q.bits === 'number' ? q.bits : 8;
}

/**
 * Recovers the integer codes of a baked kernel `w` (`[in, out]` row-major) from its quantization
 * info, checking that every weight equals its dequantized code exactly (float32), so the exported
 * graph computes with the very same weights.
 *
 * @example
 * ```ts
 * const { codes, scales, zeroPoints, bits } = kernelCodes(q, kernel, [16, 32]);
 * ```
 */
export function kernelCodes(q: OnnxQuantizedWeight, w: Float32Array, shape: readonly [number, number]): KernelCodes {
  const where = `quantized weight ${q.path}.${q.weight}`;
  const [inDim, out] = shape;
  if (w.length !== inDim * out) throw new OnnxError('bad-quantization', `${where}: ${w.length} values for shape [${inDim}, ${out}]`, q.path);
  const scales = perColumn(q.scales, out, where, 'scales');
  const codes = new Uint16Array(w.length);
  let bits: number;
  let zeroPoints: Uint16Array;
  if (q.format === 'uniform') {
    bits = uniformBits(q);
    if (!q.zeroPoints) throw new OnnxError('bad-quantization', `${where}: uniform quantization needs zeroPoints`, q.path);
    zeroPoints = perColumn(q.zeroPoints, out, where, 'zero points');
    const qmax = 2 ** bits - 1;
    for (let k = 0; k < inDim; k++) {
      for (let n = 0; n < out; n++) {
        const i = k * out + n;
        const u = Math.round(w[i] / scales[n]) + zeroPoints[n];
        if (u < 0 || u > qmax || Math.fround((u - zeroPoints[n]) * scales[n]) !== w[i]) {
          throw new OnnxError(
            'bad-quantization',
            `${where}: value ${w[i]} at [${k}, ${n}] is not a ${bits}-bit code of scale ${scales[n]} and zero point ${zeroPoints[n]} (was the kernel trained or changed after bake?)`,
            q.path,
          );
        }
        codes[i] = u;
      }
    }
  } else if (q.format === 'binary' || q.format === 'ternary') {
    // Both are {−α, 0, +α}: 2-bit codes 1, 2, 3 with zero point 2 (binary has 0 only at exact zeros).
    bits = 2;
    zeroPoints = new Uint16Array(out).fill(2);
    for (let i = 0; i < w.length; i++) {
      const n = i % out;
      const s = w[i] === 0 ? 0 : w[i] > 0 ? 1 : -1;
      if (s !== 0 && Math.fround(s * scales[n]) !== w[i]) {
        throw new OnnxError('bad-quantization', `${where}: value ${w[i]} at [${Math.floor(i / out)}, ${n}] is not ±α = ±${scales[n]} (was the kernel trained or changed after bake?)`, q.path);
      }
      codes[i] = s + 2;
    }
  } else {
    throw new OnnxError('no-onnx-form', `${where}: unknown quantized format ${JSON.stringify((q as { format: unknown }).format)}`, q.path);
  }
  const half = 2 ** (bits - 1);
  return { codes, scales, zeroPoints, bits, symmetric: zeroPoints.every((z) => z === half) };
}
