import { compressorHook, initBackend, tf, type BlockModel, type Compressor, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyModelZoo, type ZooEntry } from './models';

/** Options of `compressorConformance`. */
export interface ConformanceOptions {
  /** Models to check on; default the {Mixer, MLP} × {acn, residual} zoo. */
  readonly zoo?: readonly ZooEntry[];
  /** Max abs difference allowed between the baked model and the attached forward. Default 1e-5. */
  readonly bakeTolerance?: number;
  /** Whether the compressor supports bake (default true). */
  readonly bakes?: boolean;
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const t = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

function batchFor(entry: ZooEntry): Tensor {
  return entry.input ? entry.input(3) : tf.randomUniform([3, ...entry.sampleShape], 0, 1, 'float32', 11);
}

/**
 * The plugin conformance suite: for every model of the zoo, a compressor used through
 * `compressorHook` must (1) preserve output shapes, (2) restore the model exactly on dispose,
 * (3) bake to weights that reproduce the attached forward, (4) let finite gradients reach every
 * trainable block variable, and (5) leak no tensors.
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
        it('preserves shapes, restores exactly on dispose, and leaks nothing', () => {
          const model: BlockModel = entry.create();
          const x = batchFor(entry);
          const before = tf.memory().numTensors;
          const dense = model.predict(x);
          const h = model.hooks.attach(compressorHook(make()));
          const compressed = model.forward(x, { probes: true });
          expect(compressed.logits.shape).toEqual(dense.shape);
          expect(compressed.probes).toHaveLength(model.depth + 1);
          h.dispose();
          const restored = model.predict(x);
          expect(maxAbsDiff(dense, restored)).toBe(0);
          tf.dispose([dense, restored, compressed.logits, ...compressed.probes!]);
          expect(tf.memory().numTensors).toBe(before);
          x.dispose();
          model.dispose();
        });

        it('gives finite gradients to every trainable variable while attached', () => {
          const model = entry.create();
          const x = batchFor(entry);
          const h = model.hooks.attach(compressorHook(make()));
          const vars = model.trainableVariables();
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.forward(x, { training: true }).logits)) as tf.Scalar, vars);
          const finite = tf.tidy(() => tf.all(tf.isFinite(tf.concat(Object.values(grads).map((g) => g.flatten())))).dataSync()[0]);
          expect(finite).toBe(1);
          // Every block weight must be reached (heads a forward does not use, e.g. BERT's MLM head, may not be).
          const blockVars = Object.entries(model.namedWeights()).filter(([p, v]) => p.startsWith('blocks.') && v.trainable);
          expect(blockVars.filter(([, v]) => !(v.name in grads)).map(([p]) => p)).toEqual([]);
          tf.dispose([value, ...Object.values(grads)]);
          h.dispose();
          x.dispose();
          model.dispose();
        });

        if (options.bakes !== false) {
          it('bake reproduces the attached forward and removes the hook', () => {
            const model = entry.create();
            const x = batchFor(entry);
            const h = model.hooks.attach(compressorHook(make()));
            const attached = model.predict(x);
            h.bake();
            expect(model.hooks.attached).toHaveLength(0);
            const baked = model.predict(x);
            expect(maxAbsDiff(attached, baked)).toBeLessThanOrEqual(options.bakeTolerance ?? 1e-5);
            tf.dispose([attached, baked, x]);
            model.dispose();
          });
        }
      });
    }
  });
}
