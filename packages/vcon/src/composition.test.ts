import { compressorHook, createMlp, tf, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskCompressor, maskValue, maxAbsDiff, signCompressor, signValue, useWasm } from './compressors.test-helper';
import { vcon } from './vcon';

const only = { kind: 'dense' as const, path: /^blocks\.0\.fc$/ };
const model = () => createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 21 });

function effective(m: ReturnType<typeof model>): Tensor {
  return tf.tidy(() => m.layer('blocks.0.fc').w('kernel'));
}

describe('composition: prune and quantize on the same weight', () => {
  beforeAll(useWasm);

  it('prune → quantize and quantize → prune each equal their composed formula, and differ', () => {
    const m = model();
    const W = m.layer('blocks.0.fc').weights.kernel;
    const before = tf.memory().numTensors;

    const pq = [m.hooks.attach(compressorHook(maskCompressor(0.5, only))), m.hooks.attach(compressorHook(signCompressor(only)))];
    const a = effective(m);
    const wantA = tf.tidy(() => signValue(maskValue(W, 0.5))); // Q(P(W)): α = mean|P(W)| over all entries, zeros stay 0
    expect(maxAbsDiff(a, wantA)).toBeLessThan(1e-7);
    pq.reverse().forEach((h) => h.dispose());

    const qp = [m.hooks.attach(compressorHook(signCompressor(only))), m.hooks.attach(compressorHook(maskCompressor(0.5, only)))];
    const b = effective(m);
    const wantB = tf.tidy(() => maskValue(signValue(W), 0.5)); // P(Q(W)): every |entry| ties at α, so all are kept
    expect(maxAbsDiff(b, wantB)).toBeLessThan(1e-7);
    const q = signValue(W);
    expect(maxAbsDiff(b, q)).toBeLessThan(1e-7);
    q.dispose();
    qp.reverse().forEach((h) => h.dispose());

    const nonZero = (t: Tensor) => tf.tidy(() => tf.sum(tf.cast(tf.notEqual(t, 0), 'int32')).dataSync()[0]);
    expect(nonZero(a)).toBe(32); // half of 8×8
    expect(nonZero(b)).toBe(64);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0.01);
    tf.dispose([a, b, wantA, wantB]);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('gradients pass both straight-through estimators unchanged, in either order', () => {
    const m = model();
    const W = m.layer('blocks.0.fc').weights.kernel;
    const r = tf.randomUniform([8, 8], -1, 1, 'float32', 4);
    for (const order of [
      [maskCompressor(0.5, only), signCompressor(only)],
      [signCompressor(only), maskCompressor(0.5, only)],
    ]) {
      const hs = order.map((c) => m.hooks.attach(compressorHook(c)));
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(effective(m), r)) as tf.Scalar, [W]);
      expect(grads[W.name].arraySync()).toEqual(r.arraySync());
      tf.dispose([value, ...Object.values(grads)]);
      hs.reverse().forEach((h) => h.dispose());
    }
    r.dispose();
    m.dispose();
  });

  it('VCON inside a composition: vcon(prune) → quantize, and prune → vcon(quantize); baking in attach order', () => {
    const m = model();
    const W = m.layer('blocks.0.fc').weights.kernel;
    const x = tf.randomUniform([3, 6], -1, 1, 'float32', 5);

    const v = m.hooks.attach(vcon(maskCompressor(0.5, only), { Q: 4 }));
    const q = m.hooks.attach(compressorHook(signCompressor(only)));
    m.hooks.step(2); // β = 0.5
    const a = effective(m);
    const wantA = tf.tidy(() => signValue(tf.add(tf.mul(W, 0.5), tf.mul(maskValue(W, 0.5), 0.5))));
    expect(maxAbsDiff(a, wantA)).toBeLessThan(1e-7);
    q.dispose();
    v.dispose();

    const p = m.hooks.attach(compressorHook(maskCompressor(0.5, only)));
    const vq = m.hooks.attach(vcon(signCompressor(only), { Q: 4 }));
    m.hooks.step(3); // β = 0.25
    const b = effective(m);
    const wantB = tf.tidy(() => {
      const pw = maskValue(W, 0.5);
      return tf.add(tf.mul(pw, 0.25), tf.mul(signValue(pw), 0.75));
    });
    expect(maxAbsDiff(b, wantB)).toBeLessThan(1e-7);
    m.hooks.step(4);
    const attached = m.predict(x);
    expect(() => vq.bake()).toThrow(/parametrizes it first; bake hooks in attach order/);
    p.bake();
    vq.bake();
    const baked = m.predict(x);
    expect(maxAbsDiff(baked, attached)).toBeLessThan(1e-6);
    const stored = W.arraySync() as number[][];
    const distinct = new Set(stored.flat().map((z) => Math.abs(z).toFixed(6)));
    expect(distinct.size).toBe(2); // the stored weight is now Q(P(W)): only 0 and α
    tf.dispose([x, a, b, wantA, wantB, attached, baked]);
    m.dispose();
  });
});
