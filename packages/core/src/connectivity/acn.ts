import { stopGradient } from '../ops';
import { ConnectionLayer } from './connection-layer';
import type { ConnectivityStrategy } from './strategy';

/**
 * Auto-compressing (acn.md §1.1): `x_i = f_i(x_{i−1})`, output `y = x_0 + x_1 + … + x_L` (plain
 * sum, embedding included); probe k reads the partial sum `x_0 + … + x_k`. Blocks have no short
 * residuals. The connection hook gates what joins the sum; the chain keeps the ungated `x_i`. A
 * direct-gradient pass stop-gradients every block input (acn.md §3.3).
 *
 * @example
 * ```ts
 * const m = createMlp({ inputShape: [6], numClasses: 3, connectivity: 'acn' }); // uses acnStrategy
 * ```
 */
export const acnStrategy: ConnectivityStrategy = Object.freeze<ConnectivityStrategy>({
  name: 'acn',
  residualBlocks: false,
  createConnection: (index: number) => new ConnectionLayer(index),
  start: (x0) => ({ h: x0, y: x0, outputs: [] }),
  blockInput: (s, _c, ctx) => (ctx.detachInputs ? stopGradient(s.h) : s.h),
  // ← the long connection of block i to the output
  join: (s, out, c, ctx) => ({ h: out, y: s.y.add(c.apply(out, ctx)), outputs: [] }),
});
