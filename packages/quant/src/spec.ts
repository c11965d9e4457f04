/**
 * The description of a quantized format (what a decoder needs besides the data) and the
 * per-group parameters (scales, zero points) a quantizer produces. Shared by the compressors, the
 * cost model, the packers and the exporter, so all of them agree on one encoding.
 */
import { tf, type Tensor } from '@acn/core';

/**
 * Binary scale: one `mean(|W|)` per layer (VCON reference), per output channel (column), or none (plain ±1).
 *
 * @example
 * ```ts
 * const scale: BinaryScale = 'layer';
 * ```
 */
export type BinaryScale = 'layer' | 'channel' | 'none';

/**
 * Uniform quantization scheme: symmetric (zero maps to code 2^(b−1), narrow range) or asymmetric (min/max affine).
 *
 * @example
 * ```ts
 * const scheme: UniformScheme = 'asymmetric';
 * ```
 */
export type UniformScheme = 'symmetric' | 'asymmetric';

/**
 * One scale (and zero point) per layer, or one per output channel (column of the `[in, out]` kernel).
 *
 * @example
 * ```ts
 * const g: Granularity = 'channel';
 * ```
 */
export type Granularity = 'layer' | 'channel';

/**
 * What a quantized kernel is, as a decoder needs it.
 *
 * @example
 * ```ts
 * const spec: QuantSpec = { format: 'uniform', bits: 8, scheme: 'symmetric', granularity: 'channel' };
 * ```
 */
export type QuantSpec =
  | { readonly format: 'binary'; readonly scale: BinaryScale }
  | { readonly format: 'ternary' }
  | { readonly format: 'uniform'; readonly bits: number; readonly scheme: UniformScheme; readonly granularity: Granularity };

/**
 * Quantization parameters read back to the host: one entry per group (1 or `out`).
 *
 * @example
 * ```ts
 * const p: QuantParams = { scales: new Float32Array([0.02]), zeroPoints: new Uint16Array([128]) };
 * ```
 */
export interface QuantParams {
  /** α for binary / ternary (1 for binary `none`), the step size for uniform. */
  readonly scales: Float32Array;
  /** Uniform only: the code that represents 0 (in `[0, 2^bits − 1]`). */
  readonly zeroPoints?: Uint16Array;
}

/** What a quantizer's math returns inside a tidy: the effective value and its parameters as tensors. */
export interface QuantTensors {
  /** The effective (de)quantized weight, same shape as the input. */
  readonly value: Tensor;
  /** `[groups]` float32 scales. */
  readonly scales: Tensor;
  /** `[groups]` zero points (uniform only), float32 holding integers. */
  readonly zeroPoints?: Tensor;
  /** Binary only: scalar count of non-zero entries of `value` (sign(0) = 0 needs a zero map when < n). */
  readonly nonZero?: Tensor;
}

/** Number of scale groups of a spec for a kernel with `out` columns. */
export function groupCount(spec: QuantSpec, out: number): number {
  if (spec.format === 'binary') return spec.scale === 'channel' ? out : 1;
  if (spec.format === 'ternary') return 1;
  return spec.granularity === 'channel' ? out : 1;
}

/** Bits per stored code: 1 (binary), 2 (ternary), k (uniform). */
export function codeBits(spec: QuantSpec): number {
  return spec.format === 'binary' ? 1 : spec.format === 'ternary' ? 2 : spec.bits;
}

/** Short human-readable label, e.g. `uniform 8-bit symmetric/channel`. */
export function describeSpec(spec: QuantSpec): string {
  if (spec.format === 'binary') return `binary (scale ${spec.scale})`;
  if (spec.format === 'ternary') return 'ternary';
  return `uniform ${spec.bits}-bit ${spec.scheme}/${spec.granularity}`;
}

/** Runs a quantizer's math in a `tf.tidy`, keeping only the returned tensors (frees the intermediates). */
export function tidyParts(fn: () => QuantTensors): QuantTensors {
  // QuantTensors is a plain object of tensors; tidy's typing wants an index signature.
  return tf.tidy(() => fn() as unknown as tf.TensorContainerObject) as unknown as QuantTensors;
}
