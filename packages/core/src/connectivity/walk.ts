import type { ForwardContext } from '../hooks/types';
import type { Layer } from '../nn/layer';
import { tf, type Tensor } from '../tf';
import type { ConnectionLayer } from './connection-layer';
import { disposeReplaced, stateTensors, type LoopState } from './state';
import type { ConnectivityStrategy } from './strategy';

/**
 * What the block loop needs of a model (every `BlockModel` has it).
 *
 * @example
 * ```ts
 * const m: PrefixModel = createMlp({ inputShape: [6], numClasses: 3 });
 * ```
 */
export interface PrefixModel {
  readonly embedding: Layer;
  readonly blocks: readonly Layer[];
  /** `connections[i]`: the connection layer of block i (the `connection` hook point). */
  readonly connections: readonly ConnectionLayer[];
  readonly strategy: ConnectivityStrategy;
}

/**
 * What a visitor may return: stop the walk, and/or replace the state and the context for the
 * following blocks (per-sample early exit gathers the still-running rows; in a scoped walk the
 * replacement must outlive the visitor's own `tf.tidy`, and the replaced state is disposed).
 *
 * @example
 * ```ts
 * const c: PrefixControl = { stop: true };
 * ```
 */
export interface PrefixControl {
  readonly stop?: boolean;
  readonly state?: LoopState;
  readonly ctx?: ForwardContext;
}

/**
 * Called for every prefix k = 0..L (0 = embedding only) with the state after k blocks; probe k is
 * `head(state.y)`.
 *
 * @example
 * ```ts
 * const v: PrefixVisitor = (k, s) => void probes.push(model.head.apply(s.y, ctx));
 * ```
 */
export type PrefixVisitor = (k: number, state: LoopState, ctx: ForwardContext) => PrefixControl | void;

/**
 * Options of {@link walkPrefixes}.
 *
 * @example
 * ```ts
 * const o: WalkOptions = { scoped: true };
 * ```
 */
export interface WalkOptions {
  /**
   * Run the embedding and each block in its own `tf.tidy`, keep only the current state, and
   * dispose the tensors a new state no longer holds; the caller then owns (and disposes, e.g. with
   * `disposeReplaced(state)`) the returned state. Default false: the caller's own `tf.tidy`
   * frees everything.
   */
  readonly scoped?: boolean;
}

/**
 * The block loop, the only one in the repository: `x_0 = embedding(x)`, then for each block i
 * its input from the connectivity (`strategy.blockInput`), `block.apply`, and the join of its
 * output through the block's `connection` layer (`strategy.join`). `visit` sees every prefix
 * (probes, exits, analysis) and may stop the walk or replace state and context. Returns the state
 * after the last executed block (`state.y` is what the head reads).
 *
 * @example
 * ```ts
 * const probes = tf.tidy(() => {
 *   const out: tf.Tensor[] = [];
 *   walkPrefixes(model, x, ctx, (k, s) => void out.push(model.head.apply(s.y, ctx)));
 *   return out;
 * });
 * ```
 */
export function walkPrefixes(model: PrefixModel, x: Tensor, ctx: ForwardContext, visit?: PrefixVisitor, options: WalkOptions = {}): LoopState {
  const { strategy, blocks, connections } = model;
  const scoped = options.scoped ?? false;
  // In a scoped walk every step runs in its own tidy that keeps only the tensors of the new state.
  const step = (f: () => LoopState): LoopState => {
    if (!scoped) return f();
    let next: LoopState | undefined;
    tf.tidy(() => {
      next = f();
      return stateTensors(next);
    });
    return next!;
  };
  let c = ctx;
  let state: LoopState | undefined;
  try {
    state = step(() => strategy.start(model.embedding.apply(x, c))); // x_0, e.g. [B, T, D]
    for (let k = 0; ; k++) {
      const control = visit?.(k, state, c);
      if (control?.state && control.state !== state) {
        if (scoped) disposeReplaced(state, control.state);
        state = control.state;
      }
      if (control?.ctx) c = control.ctx;
      if (control?.stop || k === blocks.length) return state;
      const s = state;
      const block = blocks[k];
      const conn = connections[k];
      const next = step(() => strategy.join(s, block.apply(strategy.blockInput(s, conn, c), c), conn, c)); // x_{k+1} = f_{k+1}(input)
      if (scoped) disposeReplaced(s, next);
      state = next;
    }
  } catch (e) {
    if (scoped) disposeReplaced(state, undefined);
    throw e;
  }
}
