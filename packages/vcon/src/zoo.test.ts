import { tf, type Compressor } from '@acn/core';
import { tinyModelZoo } from '@acn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { factorCompressor, maskCompressor, maxAbsDiff, signCompressor, useWasm } from './compressors.test-helper';
import { vcon } from './vcon';

// The conformance checks of @acn/test-utils, for VCON-wrapped compressors, mid-transition
// (β = 0.5) and at the end (β = 0), on the {Mixer, MLP} × {acn, residual} zoo.
const compressors: Array<[string, () => Compressor]> = [
  ['mask 50% (weight space)', () => maskCompressor(0.5)],
  ['sign (weight space)', () => signCompressor()],
  ['factor r=3 (output)', () => factorCompressor(3)],
];

describe('vcon on the tiny model zoo', () => {
  beforeAll(useWasm);

  for (const entry of tinyModelZoo()) {
    for (const [label, make] of compressors) {
      it(`${entry.name}, ${label}: shapes, finite gradients to every variable, bake = forward, exact restore, no leaks`, () => {
        const model = entry.create();
        const x = tf.randomUniform([3, ...entry.sampleShape], 0, 1, 'float32', 11);
        const before = tf.memory().numTensors;
        const dense = model.predict(x);
        const h = model.hooks.attach(vcon(make(), { Q: 4 }));
        model.hooks.step(2);
        const mid = model.forward(x, { probes: true });
        expect(mid.logits.shape).toEqual(dense.shape);
        expect(mid.probes).toHaveLength(model.depth + 1);
        const vars = model.trainableVariables();
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.forward(x, { training: true }).logits)) as tf.Scalar, vars);
        expect(Object.keys(grads)).toHaveLength(vars.length);
        const finite = tf.tidy(() => tf.all(tf.isFinite(tf.concat(Object.values(grads).map((g) => g.flatten())))).dataSync()[0]);
        expect(finite).toBe(1);
        tf.dispose([value, ...Object.values(grads), mid.logits, ...mid.probes!]);
        h.dispose();
        const restored = model.predict(x);
        expect(maxAbsDiff(restored, dense)).toBe(0);
        tf.dispose([restored, dense]);
        expect(tf.memory().numTensors).toBe(before);

        const h2 = model.hooks.attach(vcon(make(), { Q: 4 }));
        model.hooks.step(4);
        const attached = model.predict(x);
        h2.bake();
        const baked = model.predict(x);
        expect(maxAbsDiff(baked, attached)).toBeLessThan(1e-5);
        tf.dispose([attached, baked, x]);
        model.dispose();
      });
    }
  }
});
