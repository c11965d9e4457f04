/**
 * Straight-through estimators (STE) as reusable ops. Quantizers (sign, round, thresholds) have a
 * zero or undefined derivative almost everywhere; an STE keeps the quantized value in the forward
 * pass and substitutes a surrogate gradient in the backward pass, so the latent float weight keeps
 * training.
 *
 * Why `tf.customGrad`: tfjs 4.22 has no `tf.stopGradient`, so the PyTorch idiom
 * `w + (q(w) - w).detach()` is not available. The tensor being quantized is an explicit input of
 * the customGrad (a variable captured in a closure fails with "Cannot find a connection between
 * any variable and the result of the loss function", platform.md §5). The forward runs inside the
 * customGrad, so its ops (sign, comparisons, round) are never recorded on the tape and need no
 * registered gradient.
 */
import { tf, type Tensor } from '@acn/core';

/**
 * A quantizing forward: maps a tensor to its quantized value of the same shape.
 *
 * @example
 * ```ts
 * const round: QuantizeFn = (x) => tf.round(x);
 * ```
 */
export type QuantizeFn = (x: Tensor) => Tensor;

/**
 * Computes, from the saved input `x`, the 0/1 (float) mask of entries that receive gradient.
 *
 * @example
 * ```ts
 * const inside: PassMaskFn = (x) => tf.cast(tf.lessEqual(tf.abs(x), 1), 'float32');
 * ```
 */
export type PassMaskFn = (x: Tensor) => Tensor;

function checkSameShape(op: string, x: Tensor, value: Tensor): void {
  if (value.rank !== x.rank || value.shape.some((s, i) => s !== x.shape[i])) {
    throw new Error(`${op}: the forward must preserve the shape, got [${x.shape}] -> [${value.shape}]`);
  }
}

/**
 * Identity straight-through estimator: the value is `forward(x)`, the gradient w.r.t. `x` is `dy`
 * unchanged (not multiplied by any derivative of the quantizer). This is the STE of the VCON
 * reference code (vcon.md §1.4 A, §2.4): the latent weight gets exactly `∂L/∂W_eff`.
 *
 * @param forward the quantizer (must preserve shape); called inside the customGrad.
 * @returns an op `x => forward(x)` with the identity gradient.
 * @example
 * ```ts
 * const signSte = steIdentity((x) => tf.sign(x));
 * const g = tf.grad((x: tf.Tensor) => tf.sum(signSte(x).mul(3)))(tf.tensor1d([-2, 0.5])); // [3, 3]
 * ```
 */
export function steIdentity(forward: QuantizeFn): (x: Tensor) => Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as Tensor;
    const v = forward(x);
    checkSameShape('steIdentity', x, v);
    // A forward that returns its input would alias input and output; clone shares the data.
    const value = v === x ? tf.clone(x) : v;
    return { value, gradFunc: (dy: Tensor) => [dy] };
  });
  return (x: Tensor) => op(x);
}

/**
 * Masked straight-through estimator: the value is `forward(x)`, the gradient is
 * `dy ⊙ passMask(x)`. `passMask` is evaluated in the backward pass from the saved input (no
 * tensor is kept between the passes except `x` itself). The building block of
 * {@link steClipped} and of the range-clipped STE of `uniformQuantizer` (PyTorch fake-quant).
 *
 * @param forward the quantizer (must preserve shape).
 * @param passMask 0/1 float mask of the entries whose gradient passes, same shape as `x`.
 * @example
 * ```ts
 * const positiveOnly = steMasked((x) => tf.round(x), (x) => tf.cast(tf.greater(x, 0), 'float32'));
 * ```
 */
export function steMasked(forward: QuantizeFn, passMask: PassMaskFn): (x: Tensor) => Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const v = forward(x);
    checkSameShape('steMasked', x, v);
    const value = v === x ? tf.clone(x) : v;
    save([x]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.tidy(() => tf.mul(dy, passMask(saved[0])))],
    };
  });
  return (x: Tensor) => op(x);
}

/**
 * Clipped straight-through estimator (Larq's `ste_sign` pseudo-gradient): the value is
 * `forward(x)`, the gradient is `dy ⊙ 1{|x| ≤ clip}` (inclusive, as in Larq). Entries that have
 * drifted beyond the clip value stop receiving gradient, which keeps latent weights bounded
 * without a weight constraint. Note that `x` is the latent (unscaled) weight, so `clip` is in
 * weight units.
 *
 * @param forward the quantizer (must preserve shape).
 * @param clip > 0; default 1 (Larq's `clip_value`).
 * @example
 * ```ts
 * const steSign = steClipped((x) => tf.sign(x)); // Larq ste_sign
 * const g = tf.grad((x: tf.Tensor) => tf.sum(steSign(x)))(tf.tensor1d([-2, 0.5, 1])); // [0, 1, 1]
 * ```
 */
export function steClipped(forward: QuantizeFn, clip = 1): (x: Tensor) => Tensor {
  if (!(Number.isFinite(clip) && clip > 0)) throw new RangeError(`steClipped: clip must be a finite number > 0, got ${clip}`);
  return steMasked(forward, (x) => tf.cast(tf.lessEqual(tf.abs(x), clip), x.dtype));
}
