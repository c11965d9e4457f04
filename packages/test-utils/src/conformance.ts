import { initBackend, type Compressor } from '@acn/core';
import { beforeAll, describe, it } from 'vitest';
import { CONFORMANCE_CHECKS, type CheckOptions } from './conformance-checks';
import { tinyModelZoo, type ZooEntry } from './models';

/** Options of `compressorConformance`. */
export interface ConformanceOptions extends CheckOptions {
  /** Models to check on; default the {Mixer, MLP} × {acn, residual, densenet, denseformer} zoo (`tinyModelZoo()`). */
  readonly zoo?: readonly ZooEntry[];
  /** Whether the compressor supports bake (default true). */
  readonly bakes?: boolean;
}

/**
 * The plugin conformance suite: for every model of the zoo, a compressor used through
 * `compressorHook` must (1) preserve output shapes, restore the model exactly on dispose and leak
 * no tensors, (2) actually change the model while attached (a compressor that changes nothing
 * fails), (3) let finite gradients reach every trainable block variable, and (4) bake to weights
 * that reproduce the attached forward. The checks are `CONFORMANCE_CHECKS`.
 *
 * @example
 * ```ts
 * compressorConformance('magnitude 50%', () => magnitudePruning({ sparsity: 0.5 }));
 * ```
 */
export function compressorConformance(label: string, make: () => Compressor, options: ConformanceOptions = {}): void {
  const zoo = options.zoo ?? tinyModelZoo();
  describe(`conformance: ${label}`, () => {
    beforeAll(async () => {
      await initBackend('wasm');
    });
    for (const entry of zoo) {
      describe(entry.name, () => {
        for (const check of CONFORMANCE_CHECKS) {
          if (check.needsBake && options.bakes === false) continue;
          it(check.name, () => check.run(entry, make, options));
        }
      });
    }
  });
}
