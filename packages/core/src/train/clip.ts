import { tf, type Tensor } from '../tf';

/**
 * Global L2 norm of a set of gradients, as a number.
 *
 * @example
 * ```ts
 * const n = globalNorm(Object.values(grads));
 * ```
 */
export function globalNorm(grads: readonly Tensor[]): number {
  if (grads.length === 0) return 0;
  const t = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))));
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`,
 * with its 1e-6 guard). Returns new tensors (the caller disposes the inputs) and the norm before
 * clipping.
 *
 * @example
 * ```ts
 * const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.0);
 * ```
 */
export function clipByGlobalNorm<K extends string>(grads: Record<K, Tensor>, maxNorm: number): { grads: Record<K, Tensor>; norm: number } {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(Object.values(grads) as Tensor[]);
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  const out = {} as Record<K, Tensor>;
  for (const k of Object.keys(grads) as K[]) out[k] = scale < 1 ? tf.mul(grads[k], scale) : tf.clone(grads[k]);
  return { grads: out, norm };
}
