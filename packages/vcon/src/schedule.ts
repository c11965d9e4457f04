/**
 * β schedules of VCON (vcon.md §1.1–§1.2, §1.6). `t` counts optimizer steps (0-based): the
 * forward of step t sees β(t). The core trainer signals t through `model.hooks.step(t)` before
 * every optimizer step; a hand-written loop does the same.
 */

/**
 * A β schedule: optimizer step (integer ≥ 0) → β ∈ [0, 1]. β = 1 is the original model, β = 0
 * the compressed one. `Q` is the first step at which β is 0 for good (undefined for a custom
 * schedule that does not say).
 *
 * @example
 * ```ts
 * const s: BetaSchedule = linearBeta(300);
 * s(150); // 0.5
 * s.Q; // 300
 * ```
 */
export interface BetaSchedule {
  (step: number): number;
  /** Length of the transition in optimizer steps: β(t) = 0 for every t ≥ Q. */
  readonly Q?: number;
  /** Shown in errors and logs, e.g. `linear(Q=300)`. */
  readonly label: string;
}

function checkQ(Q: number, fn: string): void {
  if (typeof Q !== 'number' || !Number.isInteger(Q) || Q < 0) {
    throw new RangeError(`${fn}: Q must be an integer number of optimizer steps >= 0, got ${String(Q)}`);
  }
}

/** Throws a RangeError unless `step` is an integer ≥ 0. */
export function checkStep(step: number, where: string): void {
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
    throw new RangeError(`${where}: the optimizer step must be an integer >= 0, got ${String(step)}`);
  }
}

function make(label: string, Q: number | undefined, f: (t: number) => number): BetaSchedule {
  const s = ((t: number) => {
    checkStep(t, label);
    return f(t);
  }) as BetaSchedule & { Q?: number; label: string };
  Object.defineProperty(s, 'label', { value: label, enumerable: true });
  if (Q !== undefined) Object.defineProperty(s, 'Q', { value: Q, enumerable: true });
  return s;
}

/**
 * The VCON schedule of the paper and the authors' code: `β(t) = max(1 − t/Q, 0)`. β(0) = 1 (the
 * first step runs the original model), β(Q) = 0. `Q = 0` gives β = 0 from the start, i.e. plain
 * "compress, then fine-tune".
 *
 * @example
 * ```ts
 * const beta = linearBeta(100);
 * beta(0); // 1
 * beta(50); // 0.5
 * beta(250); // 0
 * ```
 */
export function linearBeta(Q: number): BetaSchedule {
  checkQ(Q, 'linearBeta');
  return make(`linear(Q=${Q})`, Q, (t) => (Q === 0 ? 0 : Math.max(1 - t / Q, 0)));
}

/**
 * Cosine transition over Q steps: `β(t) = ½(1 + cos(π·t/Q))` for t < Q, 0 after; β(0) = 1,
 * β(Q/2) = ½. Changes slowly at both ends. Not in the authors' code (vcon.md §1.6).
 *
 * @example
 * ```ts
 * const beta = cosineBeta(100);
 * beta(50); // 0.5
 * ```
 */
export function cosineBeta(Q: number): BetaSchedule {
  checkQ(Q, 'cosineBeta');
  return make(`cosine(Q=${Q})`, Q, (t) => (t >= Q ? 0 : 0.5 * (1 + Math.cos((Math.PI * t) / Q))));
}

/**
 * A staircase: β drops from 1 to 0 in `steps` equal jumps over Q optimizer steps,
 * `β(t) = 1 − ⌊t·steps/Q⌋ / steps` for t < Q and 0 after. `steps = 1` keeps the original until Q,
 * then switches at once. Not in the authors' code (vcon.md §1.6).
 *
 * @example
 * ```ts
 * const beta = stepBeta(100, 4);
 * [beta(0), beta(25), beta(60), beta(99), beta(100)]; // [1, 0.75, 0.5, 0.25, 0]
 * ```
 */
export function stepBeta(Q: number, steps: number): BetaSchedule {
  checkQ(Q, 'stepBeta');
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`stepBeta: steps (the number of jumps) must be an integer >= 1, got ${String(steps)}`);
  }
  return make(`step(Q=${Q}, steps=${steps})`, Q, (t) => (t >= Q ? 0 : 1 - Math.floor((t * steps) / Q) / steps));
}

/**
 * Converts a transition length in epochs to optimizer steps, as the authors do
 * (`Q = vcon_epochs · len(trainloader)`, vcon.md §1.2); fractional epochs are rounded to the
 * nearest step.
 *
 * @example
 * ```ts
 * epochsToSteps(12, 391); // 4692, the authors' CIFAR-10 default
 * epochsToSteps(1.5, stepsPerEpoch(6000, 64)); // 141
 * ```
 */
export function epochsToSteps(epochs: number, stepsPerEpochValue: number): number {
  if (typeof epochs !== 'number' || !Number.isFinite(epochs) || epochs < 0) {
    throw new RangeError(`epochsToSteps: epochs must be a finite number >= 0, got ${String(epochs)}`);
  }
  if (typeof stepsPerEpochValue !== 'number' || !Number.isInteger(stepsPerEpochValue) || stepsPerEpochValue < 1) {
    throw new RangeError(`epochsToSteps: stepsPerEpoch must be an integer >= 1, got ${String(stepsPerEpochValue)}`);
  }
  return Math.round(epochs * stepsPerEpochValue);
}

/**
 * Optimizer steps per epoch as core's `train` counts them: `ceil(count / batchSize)` (the last
 * batch may be smaller).
 *
 * @example
 * ```ts
 * stepsPerEpoch(6000, 64); // 94
 * ```
 */
export function stepsPerEpoch(count: number, batchSize: number): number {
  for (const [k, v] of [['count', count], ['batchSize', batchSize]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`stepsPerEpoch: ${k} must be an integer >= 1, got ${String(v)}`);
  }
  return Math.ceil(count / batchSize);
}

/**
 * How long the transition lasts: exactly one of `Q` (optimizer steps), `epochs` with
 * `stepsPerEpoch`, or a `schedule`.
 *
 * @example
 * ```ts
 * const a: TransitionOptions = { Q: 300 };
 * const b: TransitionOptions = { epochs: 2, stepsPerEpoch: 94 };
 * const c: TransitionOptions = { schedule: cosineBeta(300) };
 * ```
 */
export interface TransitionOptions {
  /** Transition length in optimizer steps (linear β). */
  readonly Q?: number;
  /** Transition length in epochs (linear β); needs `stepsPerEpoch`. */
  readonly epochs?: number;
  /** Optimizer steps per epoch (e.g. `stepsPerEpoch(train.count, batchSize)`). */
  readonly stepsPerEpoch?: number;
  /** Any schedule (`cosineBeta(Q)`, `stepBeta(Q, n)`, or your own `(t) => β`). */
  readonly schedule?: BetaSchedule | ((step: number) => number);
}

/**
 * Turns `{ Q } | { epochs, stepsPerEpoch } | { schedule }` into a checked schedule; a custom
 * schedule is wrapped so that a value outside [0, 1] fails with the step and the value.
 *
 * @example
 * ```ts
 * resolveSchedule({ epochs: 2, stepsPerEpoch: 94 }, 'vcon').Q; // 188
 * ```
 */
export function resolveSchedule(o: TransitionOptions, who: string): BetaSchedule {
  const given = (['Q', 'epochs', 'schedule'] as const).filter((k) => o?.[k] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(
      `${who}: give exactly one of Q (optimizer steps), epochs (with stepsPerEpoch) or schedule; got ${given.length === 0 ? 'none' : given.join(' and ')}`,
    );
  }
  if (o.Q !== undefined) return linearBeta(o.Q);
  if (o.epochs !== undefined) {
    if (o.stepsPerEpoch === undefined) throw new TypeError(`${who}: epochs=${o.epochs} needs stepsPerEpoch (e.g. stepsPerEpoch(train.count, batchSize))`);
    return linearBeta(epochsToSteps(o.epochs, o.stepsPerEpoch));
  }
  const s = o.schedule!;
  if (typeof s !== 'function') throw new TypeError(`${who}: schedule must be a function (step) => beta, got ${typeof s}`);
  const label = (s as Partial<BetaSchedule>).label ?? 'custom';
  return make(label, (s as Partial<BetaSchedule>).Q, (t) => {
    const b = s(t);
    if (typeof b !== 'number' || !Number.isFinite(b) || b < 0 || b > 1) {
      throw new RangeError(`${who}: schedule ${label} returned beta=${String(b)} at step ${t}; beta must be a number in [0, 1]`);
    }
    return b;
  });
}
