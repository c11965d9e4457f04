import type { ForwardContext } from '../hooks/types';
import { Layer } from '../nn/layer';
import type { Tensor } from '../tf';

/**
 * The `connection` hook point of block i (path `blocks.i.connection`, kind `connection`, depth i):
 * the join of block i's output into the connectivity's state goes through `apply`, so a hook's
 * `wrapForward` on it scales or gates block i's long connection without reaching into the loop
 * (e.g. `@acn/vcon`'s `fadeDepth` multiplies it by β). Input and output are block i's output
 * `x_{i+1}` (`[B, T, D]` or `[B, D]`); the forward itself is the identity.
 *
 * What the gated tensor feeds depends on the connectivity (see each strategy): `acn` adds it to
 * the running sum (the chain `x_{i+1} = f_{i+1}(x_i)` keeps the ungated output); `residual` and
 * `feedforward` make it the state (it is also the next block's input, there being no separate long
 * connection); `densenet` and `denseformer` append it to the list of outputs the later blocks read.
 *
 * Learned connectivity weights are ordinary model weights of this layer (DenseFormer's depth
 * weights `alpha`) or of its children (DenseNet's input projection `blocks.i.connection.proj`), so
 * they are trained, saved in checkpoints and copied by truncation like any other weight.
 *
 * @example
 * ```ts
 * // halve the long connection of block 3
 * model.hooks.attach({ name: 'half', filter: { kind: 'connection', where: (l) => l.depth === 3 }, wrapForward: (next) => (x, c) => next(x, c).mul(0.5) });
 * ```
 */
export class ConnectionLayer extends Layer {
  constructor(readonly index: number) {
    super(`blocks.${index}.connection`, 'connection', index);
  }

  /** The identity: the tensor that joins is block i's output, unless a hook wraps this forward. */
  protected forward(x: Tensor, _ctx: ForwardContext): Tensor {
    return x;
  }
}
