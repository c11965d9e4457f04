import { ConnectionLayer } from './connection-layer';
import type { ConnectivityStrategy } from './strategy';

/**
 * Residual (acn.md §3.1): blocks keep their short residuals inside (`x + F(LN(x))` per sub-layer),
 * the state is the last block output `x_k`, which is both the next block's input and what probe k
 * reads. Blocks stop-gradient their own branch inputs in a direct-gradient pass (they keep the
 * identity path), so the strategy passes `x_k` as it is.
 *
 * @example
 * ```ts
 * const m = createMlp({ inputShape: [6], numClasses: 3, connectivity: 'residual' });
 * ```
 */
export const residualStrategy: ConnectivityStrategy = Object.freeze<ConnectivityStrategy>({
  name: 'residual',
  residualBlocks: true,
  createConnection: (index: number) => new ConnectionLayer(index),
  start: (x0) => ({ h: x0, y: x0, outputs: [] }),
  blockInput: (s) => s.h,
  join: (_s, out, c, ctx) => {
    const x = c.apply(out, ctx);
    return { h: x, y: x, outputs: [] };
  },
});
