import { compressorHook, tf, type BlockModel, type Compressor, type Tensor } from '@acn/core';
import { expect } from 'vitest';
import { zooBatch, type ZooEntry } from './models';

/** Options the checks read (a subset of `ConformanceOptions`). */
export interface CheckOptions {
  /** Max abs difference allowed between the baked model and the attached forward. Default 1e-5. */
  readonly bakeTolerance?: number;
}

/**
 * One property every compressor must have on every model of the zoo. `run` throws (a vitest
 * assertion error) when the property does not hold; `compressorConformance` runs each as a test,
 * and the suite's own meta-test runs them on compressors that must fail.
 *
 * @example
 * ```ts
 * for (const check of CONFORMANCE_CHECKS) check.run(tinyModelZoo()[0], () => myCompressor, {});
 * ```
 */
export interface ConformanceCheck {
  /** Test title. */
  readonly name: string;
  /** True for checks that need `bake` (skipped with `bakes: false`). */
  readonly needsBake?: boolean;
  readonly run: (entry: ZooEntry, make: () => Compressor, options: CheckOptions) => void;
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const t = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** Runs `fn` with a fresh model and batch of `entry`, freeing both afterwards (also on failure). */
function withModel(entry: ZooEntry, fn: (model: BlockModel, x: Tensor) => void): void {
  const model = entry.create();
  const x = zooBatch(entry);
  try {
    fn(model, x);
  } finally {
    model.hooks.disposeAll();
    x.dispose();
    model.dispose();
  }
}

const shapesAndRestore: ConformanceCheck = {
  name: 'preserves shapes, restores exactly on dispose, and leaks nothing',
  run: (entry, make) =>
    withModel(entry, (model, x) => {
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
    }),
};

const changesTheModel: ConformanceCheck = {
  name: 'changes the model while attached (its effective weights or its outputs)',
  run: (entry, make) =>
    withModel(entry, (model, x) => {
      const c = make();
      const weight = c.weight ?? 'kernel';
      const dense = model.predict(x);
      const h = model.hooks.attach(compressorHook(c));
      const compressed = model.predict(x);
      const outputChange = maxAbsDiff(dense, compressed);
      // Largest change of an effective weight over the layers the compressor matched.
      let weightChange = 0;
      for (const layer of h.layers) {
        const stored = layer.weights[weight];
        if (!stored) continue;
        const eff = tf.tidy(() => model.layer(layer.path).w(weight));
        weightChange = Math.max(weightChange, maxAbsDiff(stored, eff));
        eff.dispose();
      }
      tf.dispose([dense, compressed]);
      h.dispose();
      expect(
        outputChange > 0 || weightChange > 0,
        `compressor '${c.name}' changed nothing on ${entry.name}: with it attached to ${h.layers.length} layer(s), the logits and the effective '${weight}' weights equal the dense model's`,
      ).toBe(true);
    }),
};

const finiteGradients: ConformanceCheck = {
  name: 'gives finite gradients to every trainable variable while attached',
  run: (entry, make) =>
    withModel(entry, (model, x) => {
      const h = model.hooks.attach(compressorHook(make()));
      const vars = model.trainableVariables();
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.forward(x, { training: true }).logits)) as tf.Scalar, vars);
      try {
        const finite = tf.tidy(() => tf.all(tf.isFinite(tf.concat(Object.values(grads).map((g) => g.flatten())))).dataSync()[0]);
        expect(finite).toBe(1);
        // Every block weight must be reached (heads a forward does not use, e.g. BERT's MLM head, may not be).
        const blockVars = Object.entries(model.namedWeights()).filter(([p, v]) => p.startsWith('blocks.') && v.trainable);
        expect(blockVars.filter(([, v]) => !(v.name in grads)).map(([p]) => p)).toEqual([]);
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
        h.dispose();
      }
    }),
};

const bakeReproduces: ConformanceCheck = {
  name: 'bake reproduces the attached forward and removes the hook',
  needsBake: true,
  run: (entry, make, options) =>
    withModel(entry, (model, x) => {
      const h = model.hooks.attach(compressorHook(make()));
      const attached = model.predict(x);
      h.bake();
      expect(model.hooks.attached).toHaveLength(0);
      const baked = model.predict(x);
      const diff = maxAbsDiff(attached, baked);
      tf.dispose([attached, baked]);
      expect(diff).toBeLessThanOrEqual(options.bakeTolerance ?? 1e-5);
    }),
};

/**
 * The checks of the plugin conformance suite, in the order they run.
 *
 * @example
 * ```ts
 * CONFORMANCE_CHECKS.map((c) => c.name);
 * ```
 */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [shapesAndRestore, changesTheModel, finiteGradients, bakeReproduces];
