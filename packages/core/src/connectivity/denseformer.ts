import { tf, type Tensor } from '../tf';
import { ConnectionLayer } from './connection-layer';
import type { ConnectivityStrategy } from './strategy';

/**
 * DenseFormer-style connection of block i: the depth weights `alpha` `[i + 2]` of the
 * depth-weighted average (DWA) after block i over `x_0, …, x_{i+1}`. Initialised to the identity
 * (`[0, …, 0, 1]`: the average is the block's own output), as in the DenseFormer paper (Pagliardini
 * et al., 2024), so an untrained DenseFormer equals the residual network.
 *
 * @example
 * ```ts
 * const c = new DenseFormerConnection(1); // alpha = [0, 0, 1]
 * ```
 */
export class DenseFormerConnection extends ConnectionLayer {
  constructor(index: number) {
    super(index);
    this.addWeight('alpha', tf.tidy(() => tf.oneHot(tf.tensor1d([index + 1], 'int32'), index + 2).reshape([index + 2]).toFloat())); // [i + 2] = [0, …, 0, 1]
  }

  /** `Σ_j alpha_j · outputs[j]` over `outputs = [x_0, …, x_{i+1}]`, each `[B, …, D]`. */
  average(outputs: readonly Tensor[]): Tensor {
    const n = outputs.length;
    const shape = outputs[0].shape;
    const stacked = tf.reshape(tf.stack(outputs as Tensor[]), [n, -1]); // [n, B·…·D]
    return tf.reshape(tf.matMul(tf.reshape(this.w('alpha'), [1, n]), stacked), shape);
  }
}

/**
 * DenseFormer-style connectivity (acn.md §3.4, App. E; DenseFormer, Pagliardini et al. 2024):
 * every block is a residual block; after block i a depth-weighted average of the embedding and
 * every block output so far, `y_i = Σ_{j ≤ i+1} α_{i,j} x_j`, becomes the next block's input, and
 * the last one feeds the head. Probe k reads `y_{k−1}` (`x_0` for k = 0), which is exactly what
 * `truncate(model, k)` computes.
 *
 * Why this variant: the DWA after each block (not only at the block inputs, as the repository's
 * `denseformer_mixer.py`), with identity initialisation, is the DenseFormer paper's own design; the
 * repository's all-ones initialisation makes every block start from the sum of all earlier outputs,
 * which is the DenseNet baseline's sum-like start again. The weights `blocks.i.connection.alpha`
 * are ordinary model weights (trained, saved, truncated, hookable).
 *
 * @example
 * ```ts
 * const m = createMixer({ inputShape: [32, 32, 3], numClasses: 10, depth: 16, connectivity: 'denseformer' });
 * ```
 */
export const denseformerStrategy: ConnectivityStrategy = Object.freeze<ConnectivityStrategy>({
  name: 'denseformer',
  residualBlocks: true,
  createConnection: (index: number) => new DenseFormerConnection(index),
  start: (x0) => ({ h: x0, y: x0, outputs: [x0] }),
  blockInput: (s) => s.y,
  join: (s, out, c, ctx) => {
    const x = c.apply(out, ctx);
    const outputs = [...s.outputs, x];
    return { h: x, y: (c as DenseFormerConnection).average(outputs), outputs };
  },
});
