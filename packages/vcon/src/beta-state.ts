import type { HookHandle, LayerHook } from '@acn/core';
import { checkStep, type BetaSchedule } from './schedule';

/**
 * The host-side β of one VCON transition (vcon.md §6.5): a plain number read by the forward, set
 * from the schedule whenever the optimizer step is signalled. `start` shifts the schedule, so a
 * transition can begin in the middle of a run (β = 1 before it).
 */
export class BetaState {
  private t = 0;
  private b: number;

  constructor(
    readonly schedule: BetaSchedule,
    readonly start = 0,
  ) {
    checkStep(start, `${schedule.label}: start`);
    this.b = schedule(0);
  }

  get beta(): number {
    return this.b;
  }

  get step(): number {
    return this.t;
  }

  set(step: number): void {
    checkStep(step, this.schedule.label);
    this.t = step;
    this.b = step < this.start ? 1 : this.schedule(step - this.start);
  }

  /** `β = 0.4 at step 12 (linear(Q=20), starting at step 0)`, for error messages. */
  describe(): string {
    return `β = ${this.b} at step ${this.t} (${this.schedule.label}${this.start ? `, starting at step ${this.start}` : ''}${
      this.schedule.Q !== undefined ? `; β reaches 0 at step ${this.start + this.schedule.Q}` : ''
    })`;
  }
}

/**
 * Something whose β follows the optimizer step: a VCON hook, a depth fade, a blended callable.
 *
 * @example
 * ```ts
 * const t: SteppedTransition = vcon(compressor, { Q: 10 });
 * console.log(t.beta, t.step);
 * ```
 */
export interface SteppedTransition {
  /** The current β. */
  readonly beta: number;
  /** The optimizer step last signalled. */
  readonly step: number;
}

/**
 * Signals the optimizer step `t` to one transition only (a VCON hook, a depth fade, a
 * `blendBlocksHook`, or the handle of any of them attached to a model), for hand-written loops.
 * `model.hooks.step(t)` does the same for every hook attached to the model and is what core's
 * trainer calls before each optimizer step.
 *
 * @example
 * ```ts
 * const h = model.hooks.attach(vcon(pruner, { Q: 100 }));
 * vconStep(h, 50); // β = 0.5
 * ```
 */
export function vconStep(target: LayerHook | HookHandle, t: number): number {
  const hook = 'hook' in target && typeof (target as HookHandle).dispose === 'function' ? (target as HookHandle).hook : (target as LayerHook);
  if (!hook?.onStep) throw new TypeError(`vconStep: '${hook?.name ?? String(hook)}' has no onStep (expected a hook from vcon, fadeDepth or blendBlocksHook)`);
  hook.onStep(t);
  return (hook as Partial<SteppedTransition>).beta ?? Number.NaN;
}
