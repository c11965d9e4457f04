import { tf } from '../tf';
import type { BaseModelConfig, BlockModel } from './block-model';
import { ConfigError } from './errors';

/**
 * Copies every stored weight of `from` into the weight of `to` at the same path. Paths present
 * only in `from` are ignored (e.g. blocks beyond a truncation); a missing path or a shape
 * mismatch in `to` is an error.
 *
 * @example
 * ```ts
 * copyWeights(trained, fresh);
 * ```
 */
export function copyWeights(from: BlockModel, to: BlockModel): void {
  const src = from.namedWeights();
  for (const [path, v] of Object.entries(to.namedWeights())) {
    const s = src[path];
    if (!s) throw new ConfigError(`copyWeights: source model has no weight '${path}'`);
    if (s.shape.join() !== v.shape.join()) {
      throw new ConfigError(`copyWeights: '${path}' has shape ${JSON.stringify(s.shape)} in the source but ${JSON.stringify(v.shape)} in the target`);
    }
    tf.tidy(() => v.assign(s));
  }
}

/**
 * Returns a genuinely smaller model made of the first `k` blocks of `model` (plus its embedding and
 * shared head): fewer variables, fewer FLOPs, a smaller checkpoint. Its output equals probe `k`
 * of the original (for `acn` the partial sum `x_0 + … + x_k` through the head; otherwise the output
 * of block k). Weights and structure (factorized layers) are copied, so the two models are
 * independent; hooks are not carried over (bake them first to keep their effect).
 *
 * @example
 * ```ts
 * const small = truncate(acMixer, 4);
 * small.predict(x); // == acMixer.forward(x, { probes: true }).probes[4]
 * ```
 */
export function truncate<M extends BlockModel<C>, C extends BaseModelConfig = M['config']>(model: M, k: number): M {
  if (!Number.isInteger(k) || k < 1 || k > model.depth) {
    throw new ConfigError(`truncate: k must be an integer in [1, ${model.depth}] (the model's depth), got ${k}`);
  }
  const small = model.withConfig({ ...model.config, depth: k }) as M;
  small.applyStructure(model.structure(), { skipMissing: true });
  copyWeights(model, small);
  return small;
}
