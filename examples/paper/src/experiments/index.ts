import type { Experiment } from '../common/experiment';
import { baselines } from './baselines';
import { continual } from './continual';
import { difficulty } from './difficulty';
import { gradients } from './gradients';
import { lowdata } from './lowdata';
import { noise } from './noise';
import { transfer } from './transfer';

/** Every experiment, in the order `pnpm paper` runs them. */
export const EXPERIMENTS: readonly Experiment[] = [baselines, gradients, difficulty, noise, lowdata, transfer, continual];

/** The experiment called `name`; throws listing the known names. */
export function experimentByName(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new Error(`unknown experiment '${name}' (known: ${EXPERIMENTS.map((x) => x.name).join(', ')}, or 'all')`);
  return e;
}
