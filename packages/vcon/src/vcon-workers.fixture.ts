/**
 * Test fixture of `vcon-workers.test.ts`: a `WorkerHookSpec` target that attaches a VCON
 * transition (magnitude pruning, straight-through) to every dense layer. Worker replicas import
 * this file and call it, so every replica runs the same β schedule as the main model.
 */
import type { BlockModel } from '@acn/core';
import { maskCompressor } from './compressors.test-helper';
import { vcon } from './vcon';

export function attachVcon(model: BlockModel, options: { Q: number }): void {
  model.hooks.attach(vcon(maskCompressor(0.5), { Q: options.Q }));
}
