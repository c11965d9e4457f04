/**
 * Test-set corruptions for the noise-robustness experiment (acn.md §5.4, ambiguity A8). Noise is
 * added to the **raw pixels in [0, 1]** (what the models are trained on: the Fashion-MNIST, MNIST
 * and CIFAR-10 loaders scale uint8 to [0, 1] and apply no further normalisation), and the result
 * is clipped back to [0, 1]. Gaussian noise is drawn per value (per channel of a colour pixel). Both functions are seeded and return a new array; the input is never modified.
 */
import { Rng } from '@acn/core';

function checkPixels(who: string, pixels: Float32Array): void {
  if (!(pixels instanceof Float32Array)) throw new TypeError(`${who}: pixels must be a Float32Array`);
}

/** A standard normal draw from two uniforms (Box–Muller); `u1` is kept away from 0 so the log is finite. */
function normal(rng: Rng): number {
  const u1 = Math.max(rng.next(), 1e-12);
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Additive Gaussian noise `x + σ·N(0, 1)` per pixel, clipped to [0, 1].
 *
 * @throws RangeError for σ that is negative or not finite.
 *
 * @example
 * ```ts
 * const noisy = gaussianNoise(test.inputs, 0.2, 1);
 * ```
 */
export function gaussianNoise(pixels: Float32Array, sigma: number, seed: number): Float32Array {
  checkPixels('gaussianNoise', pixels);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw new RangeError(`gaussianNoise: sigma must be a finite number >= 0, got ${sigma}`);
  const rng = new Rng(seed);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = Math.min(1, Math.max(0, pixels[i] + sigma * normal(rng)));
  return out;
}

/**
 * Salt-and-pepper noise: each pixel independently becomes 0 (pepper) with probability p/2, 1 (salt)
 * with probability p/2, and is kept otherwise (so a fraction p of the pixels is corrupted). A
 * pixel is `channels` consecutive values (HWC layout): colour images get black and white specks,
 * all channels of a pixel together, with one draw per pixel (`channels = 1`: one per value, the
 * grey-image sequence).
 *
 * @throws RangeError for p outside [0, 1], or a `channels` that does not divide the length.
 *
 * @example
 * ```ts
 * const noisy = saltAndPepper(test.inputs, 0.05, 1);
 * const noisyRgb = saltAndPepper(cifarTest.inputs, 0.05, 1, 3);
 * ```
 */
export function saltAndPepper(pixels: Float32Array, p: number, seed: number, channels = 1): Float32Array {
  checkPixels('saltAndPepper', pixels);
  if (!(Number.isFinite(p) && p >= 0 && p <= 1)) throw new RangeError(`saltAndPepper: p must be in [0, 1], got ${p}`);
  if (!Number.isInteger(channels) || channels < 1 || pixels.length % channels !== 0) {
    throw new RangeError(`saltAndPepper: channels must be an integer >= 1 dividing the ${pixels.length} values, got ${channels}`);
  }
  const rng = new Rng(seed);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += channels) {
    const u = rng.next();
    for (let c = i; c < i + channels; c++) out[c] = u < p / 2 ? 0 : u < p ? 1 : pixels[c];
  }
  return out;
}
