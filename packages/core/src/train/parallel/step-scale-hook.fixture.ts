/**
 * Test fixture for data-parallel training: a `WorkerHookSpec` target. Attaches a hook whose
 * parametrization depends on the step (scale = 1 − rate·step on every dense kernel), so a replica
 * that missed `hooks.step` would compute different gradients than the main model.
 */
import type { BlockModel } from '../../models/block-model';
import { tf } from '../../tf';

export function stepScale(model: BlockModel, options: { rate: number }): void {
  let scale = 1;
  model.hooks.attach({
    name: 'test:step-scale',
    filter: { kind: 'dense' },
    parametrize: { kernel: (w) => tf.mul(w, scale) },
    onStep: (s) => {
      scale = 1 - options.rate * s;
    },
  });
}

export const notAFunction = 42;
