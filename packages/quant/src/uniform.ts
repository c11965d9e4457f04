/**
 * k-bit uniform (affine) fake quantization, `dequant(quant(W))`, with the semantics of PyTorch's
 * `torch.fake_quantize_per_tensor_affine` / `torch.fake_quantize_per_channel_affine` (and tfmot's
 * `FakeQuant`):
 *
 *   u = clamp(round(W · (1/s)) + z, qmin, qmax),   W_eff = (u − z) · s
 *
 * - Rounding is round-half-to-even (`tf.round`, checked on wasm and cpu; PyTorch uses
 *   `nearbyint`, also half-to-even). `1/s` is computed in float32 and multiplied, as PyTorch does.
 * - Codes `u` are unsigned in `[qmin, qmax]`; the zero point `z` is the code of 0.0, so 0 is exact.
 * - `asymmetric` (min/max observer, PyTorch `MinMaxObserver` / `PerChannelMinMaxObserver` with
 *   `quint8`-style range): lo = min(W_min, 0), hi = max(W_max, 0) (the range always contains 0),
 *   `s = max((hi − lo)/(2^b − 1), eps)`, `z = clamp(−round(lo/s), 0, 2^b − 1)`, codes `[0, 2^b − 1]`.
 * - `symmetric`: narrow range `q ∈ [−(2^(b−1) − 1), 2^(b−1) − 1]` (TFLite / tfmot int8 weights;
 *   PyTorch's symmetric observer with `quant_min = −127, quant_max = 127` gives the same
 *   `s = max|W| / 127`), stored with offset `z = 2^(b−1)` so codes are unsigned `[1, 2^b − 1]`.
 *   Needs b ≥ 2.
 * - `eps` = float32 machine epsilon (2^−23), PyTorch's floor on the scale (an all-zero kernel
 *   quantizes to zeros instead of dividing by 0).
 * - Scales are recomputed from the latent W at every forward (min/max of the current weights,
 *   i.e. tfmot's `LastValueQuantizer`); every weight is therefore inside the range, and the
 *   `clipped` STE (PyTorch's fake-quant gradient: pass where `qmin ≤ round(W/s) + z ≤ qmax`)
 *   differs from `identity` only at rounding edges. It matters once scales come from elsewhere.
 */
import type { Compressor, Tensor } from '@acn/core';
import { tf } from '@acn/core';
import { checkKernel2d, checkSte, type QuantizerBaseOptions, type SteKind } from './kernel';
import { makeQuantizer } from './quantizer';
import type { Granularity, QuantTensors, UniformScheme } from './spec';

/**
 * float32 machine epsilon: the smallest scale (PyTorch observers' `eps`).
 *
 * @example
 * ```ts
 * SCALE_EPS === 2 ** -23; // true
 * ```
 */
export const SCALE_EPS = 2 ** -23;

/**
 * Options of {@link uniformQuantizer}, {@link fakeQuantize}, `quantizeUint8` and `packUniform`.
 *
 * @example
 * ```ts
 * const int4: UniformOptions = { bits: 4, scheme: 'asymmetric', granularity: 'channel' };
 * ```
 */
export interface UniformOptions {
  /** Bit width, an integer in [1, 16] (symmetric: [2, 16]). Default 8. */
  readonly bits?: number;
  /** Default `symmetric` (the int8 weight scheme of tfmot / TFLite / PyTorch). */
  readonly scheme?: UniformScheme;
  /** Default `channel`: one scale per output column (PyTorch's default weight fake-quant, TFLite per-axis; tfmot's Dense default is per layer). */
  readonly granularity?: Granularity;
}

/**
 * Options of {@link uniformQuantizer}.
 *
 * @example
 * ```ts
 * const opts: UniformQuantizerOptions = { bits: 8, ste: 'clipped', filter: { kind: 'dense' } };
 * ```
 */
export interface UniformQuantizerOptions extends UniformOptions, QuantizerBaseOptions {
  /** STE: `identity` (default) or `clipped` (PyTorch fake-quant gradient: zero where the code was clamped). */
  readonly ste?: SteKind;
}

/**
 * A validated uniform configuration with its code range.
 *
 * @example
 * ```ts
 * const { qmin, qmax }: UniformConfig = uniformConfig({ bits: 4, scheme: 'asymmetric' }); // 0, 15
 * ```
 */
export interface UniformConfig {
  readonly bits: number;
  readonly scheme: UniformScheme;
  readonly granularity: Granularity;
  /** Smallest and largest stored (unsigned) code. */
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * Validates uniform options (clear errors for bad bits / scheme / granularity) and derives the
 * code range.
 *
 * @example
 * ```ts
 * uniformConfig({ bits: 8, scheme: 'symmetric' }); // { qmin: 1, qmax: 255, ... } (zero point 128)
 * ```
 */
export function uniformConfig(options: UniformOptions = {}, where = 'uniform'): UniformConfig {
  const bits = options.bits ?? 8;
  const scheme = options.scheme ?? 'symmetric';
  const granularity = options.granularity ?? 'channel';
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new RangeError(`${where}: bits must be an integer in [1, 16], got ${JSON.stringify(bits)}`);
  }
  if (scheme !== 'symmetric' && scheme !== 'asymmetric') throw new TypeError(`${where}: unknown scheme ${JSON.stringify(scheme)} (expected 'symmetric' or 'asymmetric')`);
  if (granularity !== 'layer' && granularity !== 'channel') throw new TypeError(`${where}: unknown granularity ${JSON.stringify(granularity)} (expected 'layer' or 'channel')`);
  if (scheme === 'symmetric' && bits < 2) {
    throw new RangeError(`${where}: symmetric quantization needs bits >= 2 (the narrow range [-(2^(b-1)-1), 2^(b-1)-1] is {0} at 1 bit), got ${bits}; use binaryQuantizer or scheme 'asymmetric'`);
  }
  const qmax = 2 ** bits - 1;
  return { bits, scheme, granularity, qmin: scheme === 'symmetric' ? 1 : 0, qmax };
}

/** Reduces a 2-D tensor per layer (→ `[1]`) or per output column (→ `[out]`). */
function reduce(t: Tensor, granularity: Granularity, f: (x: Tensor, axis?: number) => Tensor): Tensor {
  return granularity === 'channel' ? f(t, 0) : tf.reshape(f(t), [1]);
}

/** @internal `[groups]` scale and zero point of a 2-D `w` (min/max observer). */
export function uniformScaleZeroPoint(w: Tensor, cfg: UniformConfig): { scale: Tensor; zeroPoint: Tensor } {
  if (cfg.scheme === 'symmetric') {
    const amax = reduce(tf.abs(w), cfg.granularity, (x, a) => tf.max(x, a));
    const half = 2 ** (cfg.bits - 1);
    const scale = tf.maximum(tf.div(amax, half - 1), SCALE_EPS);
    return { scale, zeroPoint: tf.fill(scale.shape, half) };
  }
  const lo = tf.minimum(reduce(w, cfg.granularity, (x, a) => tf.min(x, a)), 0);
  const hi = tf.maximum(reduce(w, cfg.granularity, (x, a) => tf.max(x, a)), 0);
  const scale = tf.maximum(tf.div(tf.sub(hi, lo), cfg.qmax - cfg.qmin), SCALE_EPS);
  const zeroPoint = tf.clipByValue(tf.sub(cfg.qmin, tf.round(tf.div(lo, scale))), cfg.qmin, cfg.qmax);
  return { scale, zeroPoint };
}

/** Unclamped codes `round(w · (1/s)) + z`. */
function rawCodes(w: Tensor, scale: Tensor, zeroPoint: Tensor): Tensor {
  return tf.add(tf.round(tf.mul(w, tf.div(1, scale))), zeroPoint);
}

/** `(clamp(round(x·(1/s)) + z, qmin, qmax) − z)·s`, no checks. */
function affine(x: Tensor, scale: Tensor, zeroPoint: Tensor, qmin: number, qmax: number): Tensor {
  const u = tf.clipByValue(rawCodes(x, scale, zeroPoint), qmin, qmax);
  return tf.mul(tf.sub(u, zeroPoint), scale);
}

/**
 * Fake quantization with given parameters: `(clamp(round(x·(1/s)) + z, qmin, qmax) − z)·s`, the
 * forward of PyTorch's `torch.fake_quantize_per_tensor_affine(x, s, z, qmin, qmax)` (scalar `s`,
 * `z`) and `torch.fake_quantize_per_channel_affine` (tensors `s`, `z` broadcast against `x`: shape
 * `[out]` means per output column of an `[in, out]` kernel). Rounding is half-to-even. No STE
 * (wrap it in `steIdentity` / `steMasked` for training). Returns a new tensor.
 *
 * @example
 * ```ts
 * fakeQuantizeAffine(tf.tensor1d([-3, 0.25, 0.75, 9]), 0.5, 2, 0, 7); // [-1, 0, 1, 2.5] (clamped at both ends, 0.5 → 0 and 1.5 → 2)
 * ```
 */
export function fakeQuantizeAffine(x: Tensor, scale: number | Tensor, zeroPoint: number | Tensor, quantMin: number, quantMax: number): Tensor {
  if (!Number.isInteger(quantMin) || !Number.isInteger(quantMax) || quantMin >= quantMax) {
    throw new RangeError(`fakeQuantizeAffine: need integers quantMin < quantMax, got [${quantMin}, ${quantMax}]`);
  }
  if (typeof scale === 'number' && !(scale > 0 && Number.isFinite(scale))) throw new RangeError(`fakeQuantizeAffine: scale must be > 0, got ${scale}`);
  if (typeof zeroPoint === 'number' && !(Number.isInteger(zeroPoint) && zeroPoint >= quantMin && zeroPoint <= quantMax)) {
    throw new RangeError(`fakeQuantizeAffine: zeroPoint must be an integer in [${quantMin}, ${quantMax}], got ${zeroPoint}`);
  }
  return tf.tidy(() => {
    const s = typeof scale === 'number' ? tf.scalar(scale) : scale;
    const z = typeof zeroPoint === 'number' ? tf.scalar(zeroPoint) : zeroPoint;
    return affine(x, s, z, quantMin, quantMax);
  });
}

/** @internal value and parameters of the fake quantization of a 2-D `w`. */
export function uniformParts(w: Tensor, cfg: UniformConfig): QuantTensors {
  const { scale, zeroPoint } = uniformScaleZeroPoint(w, cfg);
  return { value: affine(w, scale, zeroPoint, cfg.qmin, cfg.qmax), scales: scale, zeroPoints: zeroPoint };
}

/** @internal PyTorch fake-quant gradient mask: 1 where the unclamped code lies in [qmin, qmax]. */
export function uniformPassMask(w: Tensor, cfg: UniformConfig): Tensor {
  const { scale, zeroPoint } = uniformScaleZeroPoint(w, cfg);
  const raw = rawCodes(w, scale, zeroPoint);
  return tf.cast(tf.logicalAnd(tf.greaterEqual(raw, cfg.qmin), tf.lessEqual(raw, cfg.qmax)), 'float32');
}

/**
 * Fake-quantizes a 2-D `[in, out]` kernel (`dequant(quant(W))`, see the file comment) without any
 * STE. Returns a new tensor.
 *
 * @example
 * ```ts
 * fakeQuantize(tf.tensor2d([[0.3, -1.27]]), { bits: 8, scheme: 'symmetric', granularity: 'layer' }); // s = 0.01 → [[0.3, -1.27]]
 * ```
 */
export function fakeQuantize(w: Tensor, options: UniformOptions = {}): Tensor {
  checkKernel2d(w, 'fakeQuantize');
  const cfg = uniformConfig(options, 'fakeQuantize');
  return tf.tidy(() => uniformParts(w, cfg).value);
}

/**
 * k-bit uniform fake-quant quantizer as a core `Compressor` (QAT of the weights, like tfmot's
 * `quantize_model` weight quantizers or PyTorch's `FakeQuantize`; activations stay float). Cost:
 * k bits per weight + 4 bytes per scale (+ zero points for asymmetric).
 *
 * @example
 * ```ts
 * model.hooks.attach(compressorHook(uniformQuantizer({ bits: 8, scheme: 'symmetric', granularity: 'channel' })));
 * ```
 */
export function uniformQuantizer(options: UniformQuantizerOptions = {}): Compressor {
  const name = 'acn:quant/uniform';
  const cfg = uniformConfig(options, name);
  const ste = checkSte(options.ste ?? 'identity', name);
  return makeQuantizer(
    name,
    {
      spec: { format: 'uniform', bits: cfg.bits, scheme: cfg.scheme, granularity: cfg.granularity },
      parts: (w) => uniformParts(w, cfg),
      passMask: (w) => uniformPassMask(w, cfg),
    },
    { filter: options.filter, weight: options.weight, ste },
  );
}
