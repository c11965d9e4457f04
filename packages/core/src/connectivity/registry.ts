import { ConfigError } from '../models/errors';
import { CONNECTIVITIES, type Connectivity } from '../models/connectivity';
import { acnStrategy } from './acn';
import { denseformerStrategy } from './denseformer';
import { densenetStrategy } from './densenet';
import { feedforwardStrategy } from './feedforward';
import { residualStrategy } from './residual';
import type { ConnectivityStrategy } from './strategy';

/**
 * The strategy of every connectivity of `CONNECTIVITIES`, by name (closed and frozen).
 *
 * @example
 * ```ts
 * CONNECTIVITY_STRATEGIES.acn.residualBlocks; // false
 * ```
 */
export const CONNECTIVITY_STRATEGIES: Readonly<Record<Connectivity, ConnectivityStrategy>> = Object.freeze({
  acn: acnStrategy,
  residual: residualStrategy,
  feedforward: feedforwardStrategy,
  densenet: densenetStrategy,
  denseformer: denseformerStrategy,
});

/**
 * The strategy of a connectivity; throws `ConfigError` naming the known ones for anything else.
 *
 * @example
 * ```ts
 * connectivityStrategy('denseformer').residualBlocks; // true
 * ```
 */
export function connectivityStrategy(name: Connectivity): ConnectivityStrategy {
  const s = Object.prototype.hasOwnProperty.call(CONNECTIVITY_STRATEGIES, name) ? CONNECTIVITY_STRATEGIES[name] : undefined;
  if (!s) throw new ConfigError(`unknown connectivity ${JSON.stringify(name)} (known: ${CONNECTIVITIES.join(', ')})`);
  return s;
}

/**
 * Whether blocks of this connectivity keep their short residuals inside (`residual`, `densenet`,
 * `denseformer`). Architectures read it to build their blocks.
 *
 * @example
 * ```ts
 * hasResidualBlocks('acn'); // false
 * ```
 */
export function hasResidualBlocks(name: Connectivity): boolean {
  return connectivityStrategy(name).residualBlocks;
}
