import type { ForwardContext } from '../hooks/types';
import type { Tensor } from '../tf';
import type { ConnectionLayer } from './connection-layer';
import type { LoopState } from './state';

/**
 * How the blocks of a model are wired (acn.md §1.1, §3): one small object per connectivity
 * (`acn.ts`, `residual.ts`, `feedforward.ts`, `densenet.ts`, `denseformer.ts`), used by the single
 * block loop (`walkPrefixes`). The four questions a connectivity answers:
 *
 * 1. `start`: the state after the embedding (prefix 0) from `x_0`;
 * 2. `blockInput`: what block i reads;
 * 3. `join`: how block i's output joins the state (through its `connection` layer, the hook point);
 * 4. what probe k reads: `state.y` of the state `join` returned.
 *
 * @example
 * ```ts
 * const s = connectivityStrategy('acn');
 * let st = s.start(x0);
 * st = s.join(st, block.apply(s.blockInput(st, conn, ctx), ctx), conn, ctx);
 * ```
 */
export interface ConnectivityStrategy {
  readonly name: string;
  /**
   * Whether blocks keep their short (sub-layer) residuals inside: true for `residual` and for the
   * residual variants `densenet` and `denseformer` (acn.md §3.4); false for `acn` and `feedforward`.
   * Residual blocks handle `detachInputs` themselves (stop-gradient on their branches only).
   */
  readonly residualBlocks: boolean;
  /**
   * The connection layer of block `index` with its learned weights, if any. `width` is the
   * model's hidden width D (the last axis of every block output).
   */
  createConnection(index: number, width: number): ConnectionLayer;
  /** The state of prefix 0 (embedding only). */
  start(x0: Tensor): LoopState;
  /** Block i's input (stop-gradiented in a direct-gradient pass where the strategy says so). */
  blockInput(state: LoopState, connection: ConnectionLayer, ctx: ForwardContext): Tensor;
  /** The state after block i, from its output `out` (`x_{i+1}`); the output joins through `connection.apply`. */
  join(state: LoopState, out: Tensor, connection: ConnectionLayer, ctx: ForwardContext): LoopState;
}
