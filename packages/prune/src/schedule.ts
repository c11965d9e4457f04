/*
 * Sparsity schedules as pure functions of the optimizer step, with tfmot's semantics
 * (`tfmot.sparsity.keras.ConstantSparsity` / `PolynomialDecay`): a schedule says at which steps
 * the masks are updated (`shouldPrune`) and to which sparsity. The pruning compressor receives
 * the step through `Compressor.onStep` (the trainer calls `model.hooks.step(step)` before every
 * step; hand-written loops call it themselves).
 */
import { checkSparsity } from './masks';

/**
 * A schedule's answer for one step, as tfmot's `PruningSchedule.__call__(step) -> (should_prune,
 * sparsity)`.
 *
 * @example
 * ```ts
 * const { shouldPrune, sparsity }: PruningStep = constantSparsity(0.5)(0); // true, 0.5
 * ```
 */
export interface PruningStep {
  /** Whether the masks are recomputed at this step (the schedule's `frequency` inside [beginStep, endStep]). */
  readonly shouldPrune: boolean;
  /** Target fraction of removed weights at this step, in [0, 1). */
  readonly sparsity: number;
}

/**
 * Sparsity as a function of the optimizer step.
 *
 * @example
 * ```ts
 * const linear: PruningSchedule = (step) => ({ shouldPrune: step % 10 === 0, sparsity: Math.min(0.9, step / 1000) });
 * ```
 */
export type PruningSchedule = (step: number) => PruningStep;

/**
 * Options of {@link constantSparsity}.
 *
 * @example
 * ```ts
 * const o: ConstantSparsityOptions = { beginStep: 100, endStep: -1, frequency: 50 };
 * ```
 */
export interface ConstantSparsityOptions {
  /** First step at which masks are updated. Default 0. */
  readonly beginStep?: number;
  /** Last step at which masks are updated; -1 (default) = never stop. */
  readonly endStep?: number;
  /** Masks are updated every `frequency` steps from `beginStep`. Default 100 (tfmot's default). */
  readonly frequency?: number;
}

/**
 * Options of {@link polynomialDecay} (tfmot `PolynomialDecay`).
 *
 * @example
 * ```ts
 * const o: PolynomialDecayOptions = { initialSparsity: 0.5, finalSparsity: 0.9, beginStep: 0, endStep: 1000 };
 * ```
 */
export interface PolynomialDecayOptions {
  readonly initialSparsity: number;
  readonly finalSparsity: number;
  readonly beginStep: number;
  /** Step at which `finalSparsity` is reached (> beginStep); masks stop changing after it. */
  readonly endStep: number;
  /** Exponent of the decay. Default 3. */
  readonly power?: number;
  /** Masks are updated every `frequency` steps from `beginStep`. Default 100. */
  readonly frequency?: number;
}

function checkStep(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${what} must be an integer >= 0, got ${v}`);
}

function checkFrequency(f: number, what: string): void {
  if (!Number.isInteger(f) || f < 1) throw new RangeError(`${what}: frequency must be an integer >= 1, got ${f}`);
}

/**
 * tfmot's `_should_prune_in_step`: inside `[beginStep, endStep]` (`endStep < 0` = no end) and on a
 * multiple of `frequency` counted from `beginStep`.
 */
function shouldPruneAt(step: number, beginStep: number, endStep: number, frequency: number): boolean {
  const inRange = step >= beginStep && (endStep < 0 || step <= endStep);
  return inRange && (step - beginStep) % frequency === 0;
}

/**
 * Constant target sparsity, applied at `beginStep` and then every `frequency` steps (the masks
 * are recomputed from the current weights at each of those steps; tfmot `ConstantSparsity`).
 *
 * @example
 * ```ts
 * const s = constantSparsity(0.8, { frequency: 1 });
 * s(7); // { shouldPrune: true, sparsity: 0.8 }
 * ```
 */
export function constantSparsity(sparsity: number, options: ConstantSparsityOptions = {}): PruningSchedule {
  checkSparsity(sparsity, 'constantSparsity');
  const beginStep = options.beginStep ?? 0;
  const endStep = options.endStep ?? -1;
  const frequency = options.frequency ?? 100;
  checkStep(beginStep, 'constantSparsity: beginStep');
  if (!Number.isInteger(endStep) || (endStep >= 0 && endStep < beginStep) || endStep < -1) {
    throw new RangeError(`constantSparsity: endStep must be -1 or an integer >= beginStep (${beginStep}), got ${endStep}`);
  }
  checkFrequency(frequency, 'constantSparsity');
  return (step) => ({ shouldPrune: shouldPruneAt(step, beginStep, endStep, frequency), sparsity });
}

/**
 * Sparsity rising from `initialSparsity` at `beginStep` to `finalSparsity` at `endStep` along
 * tfmot's polynomial: with `p = clamp((step − beginStep) / (endStep − beginStep), 0, 1)`,
 * `sparsity = finalSparsity + (initialSparsity − finalSparsity)·(1 − p)^power`. Fast pruning
 * early, gentle near the end (Zhu & Gupta 2017).
 *
 * @example
 * ```ts
 * const s = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 100, frequency: 10 });
 * s(50).sparsity; // 0.8 − 0.8·0.5³ = 0.7
 * ```
 */
export function polynomialDecay(options: PolynomialDecayOptions): PruningSchedule {
  const { initialSparsity, finalSparsity, beginStep, endStep } = options;
  const power = options.power ?? 3;
  const frequency = options.frequency ?? 100;
  checkSparsity(initialSparsity, 'polynomialDecay initialSparsity');
  checkSparsity(finalSparsity, 'polynomialDecay finalSparsity');
  checkStep(beginStep, 'polynomialDecay: beginStep');
  if (!Number.isInteger(endStep) || endStep <= beginStep) {
    throw new RangeError(`polynomialDecay: endStep must be an integer > beginStep (${beginStep}), got ${endStep}`);
  }
  if (!(power > 0) || !Number.isFinite(power)) throw new RangeError(`polynomialDecay: power must be a finite number > 0, got ${power}`);
  checkFrequency(frequency, 'polynomialDecay');
  return (step) => {
    const p = Math.min(1, Math.max(0, (step - beginStep) / (endStep - beginStep)));
    const sparsity = (initialSparsity - finalSparsity) * Math.pow(1 - p, power) + finalSparsity;
    return { shouldPrune: shouldPruneAt(step, beginStep, endStep, frequency), sparsity };
  };
}
