import { stopGradient } from '../ops';
import { ConnectionLayer } from './connection-layer';
import type { ConnectivityStrategy } from './strategy';

/**
 * Feedforward (acn.md §3.2): `x_i = f_i(x_{i−1})`, output `y = x_L`, no skips at all; probe k
 * reads `x_k`. A direct-gradient pass stop-gradients every block input.
 *
 * @example
 * ```ts
 * const m = createMlp({ inputShape: [6], numClasses: 3, connectivity: 'feedforward' });
 * ```
 */
export const feedforwardStrategy: ConnectivityStrategy = Object.freeze<ConnectivityStrategy>({
  name: 'feedforward',
  residualBlocks: false,
  createConnection: (index: number) => new ConnectionLayer(index),
  start: (x0) => ({ h: x0, y: x0, outputs: [] }),
  blockInput: (s, _c, ctx) => (ctx.detachInputs ? stopGradient(s.h) : s.h),
  join: (_s, out, c, ctx) => {
    const x = c.apply(out, ctx);
    return { h: x, y: x, outputs: [] };
  },
});
