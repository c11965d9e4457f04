import { tf, type Tensor } from '../tf';
import type { ForwardContext } from '../hooks/types';
import type { LayerOptions } from './dense-layer';
import { Layer } from './layer';
import { MlpLayer } from './mlp-layer';

/**
 * MLP-Mixer token mixing: an MLP applied across the token axis, shared over channels.
 * Equivalent to the repository's `Conv1d(T→S, k=1)` → GELU → `Conv1d(S→T, k=1)` on `[B, T, D]`
 * (same fan-in, so the same PyTorch-default init). Kind `token-mix`; the MLP's dense layers are
 * hookable at `<path>.mlp.fc1` (`[T, S]`) and `<path>.mlp.fc2` (`[S, T]`).
 *
 * @example
 * ```ts
 * const mix = new TokenMixingLayer('blocks.0.tokenMix', 65, 64, { depth: 0, fused: true, rng });
 * const y = mix.apply(x, ctx); // [B, 65, D] -> [B, 65, D]
 * ```
 */
export class TokenMixingLayer extends Layer {
  readonly mlp: MlpLayer;

  constructor(path: string, readonly tokens: number, hiddenDim: number, opts: LayerOptions) {
    super(path, 'token-mix', opts.depth);
    this.mlp = this.addChild(new MlpLayer(`${path}.mlp`, tokens, hiddenDim, tokens, opts));
  }

  protected forward(x: Tensor, ctx: ForwardContext): Tensor {
    // [B, T, D] -> [B, D, T]: the dense layers then act on the token axis as a plain 2-D matmul
    // after folding B*D into rows (the fast XNNPACK path on wasm).
    const t = tf.transpose(x, [0, 2, 1]);
    const mixed = this.mlp.apply(t, ctx); // [B, D, T]
    return tf.transpose(mixed, [0, 2, 1]); // [B, T, D]
  }
}
