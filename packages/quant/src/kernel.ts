/**
 * What every quantizer quantizes: a 2-D dense kernel stored `[in, out]` (core `DenseLayer`), and
 * the options shared by all quantizer compressors.
 *
 * Output channel = column. `y = x K` gives `y_j = Σ_i x_i K_ij`, so column `j` holds every weight
 * that feeds output `j`. A per-column scale factors out of that sum (`y_j = s_j Σ_i x_i q_ij`), so
 * an integer matmul followed by one multiply per output reproduces the layer; this is what
 * tfmot/TFLite `per_axis` (last axis of a Keras kernel) and PyTorch `axis=0` (rows of its
 * `[out, in]` weight) call per-channel quantization.
 */
import type { HookFilter, LayerInfo, Tensor, Variable } from '@acn/core';

/**
 * Which straight-through estimator a quantizer uses in the backward pass (see `ste.ts`).
 *
 * @example
 * ```ts
 * const ste: SteKind = 'clipped';
 * ```
 */
export type SteKind = 'identity' | 'clipped';

/**
 * Options shared by every quantizer compressor.
 *
 * @example
 * ```ts
 * const base: QuantizerBaseOptions = { filter: { kind: 'dense', path: /^blocks\./ }, weight: 'kernel' };
 * ```
 */
export interface QuantizerBaseOptions {
  /** Which layers; default `{ kind: 'dense' }`. */
  readonly filter?: HookFilter;
  /** The 2-D weight to quantize; default `kernel`. */
  readonly weight?: string;
}

/**
 * `[in, out]` of a kernel.
 *
 * @example
 * ```ts
 * const shape: KernelShape = [128, 256];
 * ```
 */
export type KernelShape = readonly [number, number];

/** Throws unless `t` is 2-D; `where` names the caller and the layer for the message. */
export function checkKernel2d(t: { readonly shape: readonly number[] }, where: string): KernelShape {
  if (t.shape.length !== 2) {
    throw new Error(`${where}: expected a 2-D [in, out] kernel, got shape [${t.shape.join(', ')}] (rank ${t.shape.length})`);
  }
  return [t.shape[0], t.shape[1]];
}

/** The layer's weight `name`, checked to exist and to be 2-D (errors name the compressor, layer path and shape). */
export function kernelOf(layer: LayerInfo, name: string, compressor: string): { readonly variable: Variable; readonly shape: KernelShape } {
  const w = layer.weights[name];
  if (!w) {
    throw new Error(
      `${compressor}: layer ${layer.path} (${layer.kind}) has no weight '${name}' (has: ${Object.keys(layer.weights).join(', ') || 'none'})`,
    );
  }
  return { variable: w, shape: checkKernel2d(w, `${compressor}: layer ${layer.path} weight '${name}'`) };
}

/** Validates an STE option. */
export function checkSte(ste: unknown, where: string): SteKind {
  if (ste !== 'identity' && ste !== 'clipped') throw new TypeError(`${where}: unknown ste ${JSON.stringify(ste)} (expected 'identity' or 'clipped')`);
  return ste;
}

/** Validates a clip value for the clipped STE. */
export function checkClip(clip: unknown, where: string): number {
  if (typeof clip !== 'number' || !Number.isFinite(clip) || clip <= 0) throw new RangeError(`${where}: clip must be a finite number > 0, got ${String(clip)}`);
  return clip;
}

/** Reads a small tensor to a Float32Array (a copy; the tensor is not disposed). */
export function readFloat32(t: Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}
