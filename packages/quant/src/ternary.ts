/**
 * Ternary quantization {−α, 0, +α} (Ternary Weight Networks, Li & Liu 2016; Larq `ste_tern`).
 *
 * - Threshold Δ: a fixed number (in weight units), or `'twn'`: `Δ = 0.7·mean(|W|)` over the layer.
 * - Kept entries are `|W| > Δ` (strict, as TWN and Larq); the others become 0.
 * - `α = mean(|W|)` over the kept entries (the TWN closed form; Larq's `ste_tern` returns an
 *   unscaled {−1, 0, 1}). If nothing exceeds Δ, α = 0 and the kernel is all zeros.
 * - One α per layer. Values are built as `(1{W > Δ} − 1{W < −Δ})·α`, so dropped entries are +0,
 *   never −0.
 */
import type { Compressor, Tensor } from '@acn/core';
import { tf } from '@acn/core';
import { checkClip, checkKernel2d, checkSte, type QuantizerBaseOptions, type SteKind } from './kernel';
import { makeQuantizer } from './quantizer';
import type { QuantTensors } from './spec';

/**
 * Ternary threshold Δ: a number ≥ 0 in weight units, or `'twn'` (Δ = 0.7·mean|W|).
 *
 * @example
 * ```ts
 * const t: TernaryThreshold = 0.05;
 * ```
 */
export type TernaryThreshold = number | 'twn';

/**
 * Options of {@link ternaryQuantizer}.
 *
 * @example
 * ```ts
 * const opts: TernaryQuantizerOptions = { threshold: 'twn', filter: { kind: 'dense', path: /^blocks\./ } };
 * ```
 */
export interface TernaryQuantizerOptions extends QuantizerBaseOptions {
  /** Δ; default `'twn'`. */
  readonly threshold?: TernaryThreshold;
  /** STE: `identity` (default) or `clipped` (Larq `ste_tern`'s default pseudo-gradient, |W| ≤ clip). */
  readonly ste?: SteKind;
  /** Clip value of the `clipped` STE. Default 1. */
  readonly clip?: number;
}

function checkThreshold(t: unknown, where: string): TernaryThreshold {
  if (t === 'twn') return t;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new RangeError(`${where}: threshold must be 'twn' or a finite number >= 0, got ${JSON.stringify(t)}`);
  return t;
}

/** @internal value and `[1]` α of the ternary quantization of a 2-D `w`. */
export function ternaryParts(w: Tensor, threshold: TernaryThreshold): QuantTensors {
  const abs = tf.abs(w);
  const delta = threshold === 'twn' ? tf.mul(tf.mean(abs), 0.7) : tf.scalar(threshold);
  const pos = tf.cast(tf.greater(w, delta), 'float32');
  const neg = tf.cast(tf.less(w, tf.neg(delta)), 'float32');
  const kept = tf.add(pos, neg);
  // α = Σ|W|·kept / max(#kept, 1): 0 (not NaN) when nothing exceeds Δ.
  const alpha = tf.reshape(tf.div(tf.sum(tf.mul(abs, kept)), tf.maximum(tf.sum(kept), 1)), [1]);
  return { value: tf.mul(tf.sub(pos, neg), alpha), scales: alpha };
}

/**
 * The ternary quantization of a 2-D `[in, out]` kernel without any STE (a pure function). Returns a
 * new tensor.
 *
 * @example
 * ```ts
 * ternarize(tf.tensor2d([[1, -0.2], [0.1, -0.7]]), 0.5); // α = 0.85 → [[0.85, 0], [0, -0.85]]
 * ```
 */
export function ternarize(w: Tensor, threshold: TernaryThreshold = 'twn'): Tensor {
  checkKernel2d(w, 'ternarize');
  checkThreshold(threshold, 'ternarize');
  return tf.tidy(() => ternaryParts(w, threshold).value);
}

/**
 * Ternary weight quantizer as a core `Compressor`: effective kernel in {−α, 0, +α} (see the file
 * comment). Cost: 2 bits per weight (codes 0 → 0, 1 → +α, 3 → −α) + 4 bytes for α.
 *
 * @example
 * ```ts
 * model.hooks.attach(compressorHook(ternaryQuantizer({ threshold: 'twn' })));
 * ```
 */
export function ternaryQuantizer(options: TernaryQuantizerOptions = {}): Compressor {
  const name = 'acn:quant/ternary';
  const threshold = checkThreshold(options.threshold ?? 'twn', name);
  const ste = checkSte(options.ste ?? 'identity', name);
  const clip = checkClip(options.clip ?? 1, name);
  return makeQuantizer(
    name,
    {
      spec: { format: 'ternary' },
      parts: (w) => ternaryParts(w, threshold),
      passMask: (w) => tf.cast(tf.lessEqual(tf.abs(w), clip), 'float32'),
    },
    { filter: options.filter, weight: options.weight, ste },
  );
}
