/**
 * `@acn/vcon`: Vanishing Contributions (VCON, vcon.md). Wraps any `Compressor` so that a model
 * moves smoothly from its original to its compressed form while it is fine-tuned
 * (`β·original + (1−β)·compressed`, β falling from 1 to 0 over Q optimizer steps), blends any two
 * blocks, and fades out whole blocks above a depth (VCON over depth, our addition).
 *
 * @example
 * ```ts
 * import { train } from '@acn/core';
 * import { vcon } from '@acn/vcon';
 * const h = model.hooks.attach(vcon(compressor, { Q: 300 })); // any Compressor (prune, quant, low rank)
 * await train(model, data, { epochs: 10 }); // ends by signalling step N: β = max(1 − N/Q, 0) = 0
 * h.bake(); // only the compressed form is left
 * ```
 */

/**
 * β schedules and step conversions.
 *
 * @example
 * ```ts
 * linearBeta(100)(25); // 0.75
 * cosineBeta(100)(50); // 0.5
 * stepBeta(100, 4)(60); // 0.5
 * epochsToSteps(3, stepsPerEpoch(6000, 64)); // 282
 * ```
 */
export { cosineBeta, epochsToSteps, linearBeta, resolveSchedule, stepBeta, stepsPerEpoch } from './schedule';
export type { BetaSchedule, TransitionOptions } from './schedule';

/**
 * VCON around any compressor: weight-space blend with identity STE, or output blend.
 *
 * @example
 * ```ts
 * const hook = vcon(myCompressor, { Q: 200 });
 * const handle = model.hooks.attach(hook);
 * hook.beta; // 1
 * ```
 */
export { vcon } from './vcon';
export type { VconBlend, VconHook, VconOptions } from './vcon';

/**
 * Signal the optimizer step to one transition (custom loops); `model.hooks.step(t)` signals all.
 *
 * @example
 * ```ts
 * vconStep(handle, 50); // returns the new β
 * ```
 */
export { vconStep } from './beta-state';
export type { SteppedTransition } from './beta-state';

/**
 * Block-wise blending of two callables, and its hook form for `block` layers.
 *
 * @example
 * ```ts
 * const h = blendBlocks(f, g, linearBeta(100));
 * h.setStep(50);
 * const y = h(x); // 0.5·f(x) + 0.5·g(x)
 * ```
 */
export { blendBlocks, blendBlocksHook } from './blend';
export type { BlendBlocksHook, BlendBlocksHookOptions, BlendedFunction } from './blend';

/**
 * VCON over depth: fade the blocks above `keep` out, then truncate.
 *
 * @example
 * ```ts
 * const fade = fadeDepth(model, { keep: 4, Q: 200 });
 * model.hooks.attach(fade);
 * // ... train past step 200 ...
 * const small = fade.truncate();
 * ```
 */
export { fadeDepth } from './depth';
export type { DepthFade, FadeDepthOptions } from './depth';
