import type { ForwardContext } from '../hooks/types';
import { DenseLayer } from '../nn/dense-layer';
import { Rng } from '../random';
import { tf, type Tensor } from '../tf';
import { ConnectionLayer } from './connection-layer';
import type { ConnectivityStrategy } from './strategy';

/**
 * DenseNet-style connection of block i: the learned input projection `proj` (a bias-free dense
 * layer `[(i+1)·D, D]`, path `blocks.i.connection.proj`) applied to the concatenation of every
 * earlier output along the feature axis. Initialised "sum-like", `[I; I; …; I]`, so at
 * initialisation block i reads `x_0 + … + x_i` (acn.md §3.4; the repository's `concat_mixer.py`).
 *
 * @example
 * ```ts
 * const c = new DenseNetConnection(2, 16); // proj: [48, 16], kernel = [I; I; I]
 * ```
 */
export class DenseNetConnection extends ConnectionLayer {
  readonly proj: DenseLayer;

  constructor(index: number, width: number) {
    super(index);
    const inDim = (index + 1) * width;
    // The rng only feeds DenseLayer's default init, overwritten right below.
    this.proj = this.addChild(new DenseLayer(`${this.path}.proj`, inDim, width, { depth: index, fused: false, rng: new Rng(0), bias: false }));
    tf.tidy(() => this.proj.weights.kernel.assign(tf.tile(tf.eye(width), [index + 1, 1]))); // [(i+1)·D, D]
  }

  /** Block i's input: `proj(concat(x_0, …, x_i))`, `[B, …, D]`. */
  input(outputs: readonly Tensor[], ctx: ForwardContext): Tensor {
    const all = outputs.length === 1 ? outputs[0] : tf.concat(outputs as Tensor[], -1); // [B, …, (i+1)·D]
    return this.proj.apply(all, ctx);
  }
}

/**
 * DenseNet-style connectivity (acn.md §3.4, App. E of the paper, variant of `concat_mixer.py`):
 * every block is a residual block, and block i (0-based) reads `W_i · concat(x_0, …, x_i)`, a
 * learned projection of the concatenation of the embedding and every earlier block output
 * (`DenseNetConnection`). Output and probe k read the last block output `x_k` (`Head(x_L)`).
 *
 * Why this variant: it is the one the paper compares (Table 5, "DenseNet-Mixer"): the learned
 * projection keeps the block width at D (a plain concatenation would widen every block), and its
 * sum-like initialisation `[I … I]` starts it as "each block sees the sum of all earlier outputs".
 * The paper reduces its depth to 10 to match parameters; here depth is the user's choice.
 *
 * @example
 * ```ts
 * const m = createMixer({ inputShape: [32, 32, 3], numClasses: 10, depth: 10, connectivity: 'densenet' });
 * ```
 */
export const densenetStrategy: ConnectivityStrategy = Object.freeze<ConnectivityStrategy>({
  name: 'densenet',
  residualBlocks: true,
  createConnection: (index: number, width: number) => new DenseNetConnection(index, width),
  start: (x0) => ({ h: x0, y: x0, outputs: [x0] }),
  blockInput: (s, c, ctx) => (c as DenseNetConnection).input(s.outputs, ctx),
  join: (s, out, c, ctx) => {
    const x = c.apply(out, ctx);
    return { h: x, y: x, outputs: [...s.outputs, x] };
  },
});
