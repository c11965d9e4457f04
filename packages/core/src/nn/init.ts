import { tf, type Tensor } from '../tf';
import type { Rng } from '../random';

/**
 * PyTorch's default initialization for `nn.Linear` / `nn.Conv*` weights and biases:
 * kaiming-uniform with a=√5, which reduces to U(−1/√fan_in, 1/√fan_in) for both.
 * Our numbers are compared with PyTorch results (acn.md §2.2), and tfjs defaults (Glorot, zero
 * bias) differ, so every dense layer uses this.
 *
 * @example
 * ```ts
 * const kernel = torchUniform([784, 128], 784, new Rng(0)); // [in, out]
 * ```
 */
export function torchUniform(shape: number[], fanIn: number, rng: Rng): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.randomUniform(shape, -bound, bound, 'float32', rng.nextSeed());
}

/**
 * Standard normal N(0, 1) init, as `torch.randn` for CLS tokens and positions in the ACN repo.
 *
 * @example
 * ```ts
 * const cls = standardNormal([1, 1, 128], new Rng(0));
 * ```
 */
export function standardNormal(shape: number[], rng: Rng, std = 1): Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', rng.nextSeed());
}
