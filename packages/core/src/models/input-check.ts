import type { Tensor } from '../tf';
import { InputError } from './errors';

/**
 * Checks that `x` is a float32 batch of images `[B, H, W, C]` matching `shape`.
 *
 * @example
 * ```ts
 * checkInputShape(x, [28, 28, 1], 'MlpMixer');
 * ```
 */
export function checkInputShape(x: Tensor, shape: readonly number[], model: string): void {
  const expected = `[B, ${shape.join(', ')}] float32`;
  const got = `${JSON.stringify(x.shape)} ${x.dtype}`;
  if (x.rank !== shape.length + 1 || shape.some((s, i) => x.shape[i + 1] !== s)) {
    throw new InputError(`${model}: input shape mismatch: expected ${expected}, got ${got}`);
  }
  if (x.shape[0] < 1) throw new InputError(`${model}: empty batch: expected ${expected}, got ${got}`);
  if (x.dtype !== 'float32') throw new InputError(`${model}: input dtype mismatch: expected ${expected}, got ${got}`);
}
