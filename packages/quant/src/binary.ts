/**
 * Binary quantization: the scaled sign `α·sign(W)` of the VCON reference (vcon.md §2.4).
 *
 * - `α = mean(|W|)` over the whole kernel (`scale: 'layer'`, the reference), over each output
 *   channel (`'channel'`: each column of the `[in, out]` kernel, transformer-surgeon's
 *   `per_channel`, Larq's `magnitude_aware_sign`), or `α = 1` (`'none'`, Larq's `ste_sign`).
 * - `sign(0) = 0`, following torch (and `tf.sign`): an exact zero stays zero and still counts in
 *   the mean. Any non-zero weight, however tiny, gets ±1 (the sign is computed with comparisons:
 *   `tf.sign` on wasm returns 0 for |x| below about 1.2e-7). Exact zeros are rare in trained weights but common after pruning, which is why the
 *   packed format has an optional zero map.
 * - α is recomputed from the latent W at every forward (online, as in the reference) and is not
 *   differentiated: with the identity STE the latent W gets `∂L/∂W_eff` unchanged.
 */
import type { Compressor, Tensor } from '@acn/core';
import { tf } from '@acn/core';
import { checkClip, checkKernel2d, checkSte, type QuantizerBaseOptions, type SteKind } from './kernel';
import { makeQuantizer } from './quantizer';
import type { BinaryScale, QuantTensors } from './spec';

const SCALES: readonly BinaryScale[] = ['layer', 'channel', 'none'];

/**
 * Options of {@link binaryQuantizer}.
 *
 * @example
 * ```ts
 * const opts: BinaryQuantizerOptions = { scale: 'channel', ste: 'clipped', clip: 1 };
 * ```
 */
export interface BinaryQuantizerOptions extends QuantizerBaseOptions {
  /** Where α = mean(|W|) is taken: `layer` (default, the VCON reference), `channel` (per output column) or `none` (α = 1). */
  readonly scale?: BinaryScale;
  /** STE: `identity` (default, the VCON reference) or `clipped` (Larq `ste_sign`: gradient only where |W| ≤ clip). */
  readonly ste?: SteKind;
  /** Clip value of the `clipped` STE, in latent-weight units. Default 1. */
  readonly clip?: number;
}

function checkScale(scale: unknown, where: string): BinaryScale {
  if (!SCALES.includes(scale as BinaryScale)) throw new TypeError(`${where}: unknown scale ${JSON.stringify(scale)} (expected ${SCALES.map((s) => `'${s}'`).join(', ')})`);
  return scale as BinaryScale;
}

/** @internal value, `[groups]` scales and the non-zero count of the scaled sign of a 2-D `w`. */
export function binaryParts(w: Tensor, scale: BinaryScale): QuantTensors {
  // sign(w) from comparisons, not tf.sign: wasm's sign returns 0 for |w| below about 1.2e-7, which
  // would turn a tiny non-zero weight into a zero code. sign(0) = 0 (torch semantics).
  const s = tf.sub(tf.cast(tf.greater(w, 0), 'float32'), tf.cast(tf.less(w, 0), 'float32'));
  const nonZero = tf.sum(tf.abs(s));
  if (scale === 'none') return { value: s, scales: tf.ones([1]), nonZero };
  // 'channel': mean over the input axis (0) → one α per output column, [out]; broadcasts over rows.
  const alpha = scale === 'layer' ? tf.reshape(tf.mean(tf.abs(w)), [1]) : tf.mean(tf.abs(w), 0);
  return { value: tf.mul(s, alpha), scales: alpha, nonZero };
}

/**
 * The scaled sign of a 2-D `[in, out]` kernel, without any STE (a pure function; the compressor's
 * forward value). Returns a new tensor.
 *
 * @example
 * ```ts
 * binarize(tf.tensor2d([[0.5, 0.05], [-0.1, 0.2]])); // α = 0.2125 → [[α, α], [-α, α]]
 * ```
 */
export function binarize(w: Tensor, scale: BinaryScale = 'layer'): Tensor {
  checkKernel2d(w, 'binarize');
  checkScale(scale, 'binarize');
  return tf.tidy(() => binaryParts(w, scale).value);
}

/**
 * Binary weight quantizer as a core `Compressor`: the effective kernel is `α·sign(W)` (see the
 * file comment for α and sign(0)); the latent float W keeps training through the STE. Cost: 1 bit
 * per weight + 4 bytes per α (+ a 1-bit zero map when the kernel has exact zeros).
 *
 * @example
 * ```ts
 * const h = model.hooks.attach(compressorHook(binaryQuantizer({ scale: 'layer' }))); // VCON reference
 * await train(model, data, { epochs: 3 });
 * h.bake();
 * const { totalBytes } = exportQuantized(model);
 * ```
 */
export function binaryQuantizer(options: BinaryQuantizerOptions = {}): Compressor {
  const name = 'acn:quant/binary';
  const scale = checkScale(options.scale ?? 'layer', name);
  const ste = checkSte(options.ste ?? 'identity', name);
  const clip = checkClip(options.clip ?? 1, name);
  return makeQuantizer(
    name,
    {
      spec: { format: 'binary', scale },
      parts: (w) => binaryParts(w, scale),
      passMask: (w) => tf.cast(tf.lessEqual(tf.abs(w), clip), 'float32'),
    },
    { filter: options.filter, weight: options.weight, ste },
  );
}
