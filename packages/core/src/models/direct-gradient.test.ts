import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf, type Tensor, type Variable } from '../tf';
import { createMixer } from './mixer';
import { createMlp } from './mlp';

/** Gradient of a fixed weighted sum of the logits w.r.t. `vars`, in the given mode. */
function grads(model: { forward: (x: Tensor, o: object) => { logits: Tensor } }, x: Tensor, vars: Variable[], detachInputs: boolean): Tensor[] {
  return tf.tidy(() => {
    const { grads: g } = tf.variableGrads(() => {
      const { logits } = model.forward(x, { detachInputs, training: true });
      return tf.sum(tf.mul(logits, tf.linspace(-1, 1, logits.size).reshape(logits.shape))) as tf.Scalar;
    }, vars);
    return vars.map((v) => g[v.name]);
  });
}

describe('direct-gradient (DG) pass: stop-gradient of every block input (acn.md §3.3, §4.5)', () => {
  beforeAll(useWasm);

  it('does not change the forward values', () => {
    const m = createMixer({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 8, depth: 3, seed: 1 });
    const x = randomImages(2, [8, 8, 1]);
    const a = m.predict(x);
    const b = m.forward(x, { detachInputs: true }).logits;
    expect(maxAbsDiff(a, b)).toBe(0);
    tf.dispose([a, b, x]);
    m.dispose();
  });

  it('acn: block 1 gets only its direct gradient — it equals the full gradient exactly when block 2 is constant', () => {
    const m = createMlp({ inputShape: [5], numClasses: 3, depth: 2, hiddenDim: 6, seed: 7, connectivity: 'acn' });
    const x = randomImages(4, [5]);
    const w0 = m.namedWeights()['blocks.0.fc.kernel'];
    // With block 2 active, the full gradient has a network-mediated part that the DG pass drops.
    const [fg] = grads(m, x, [w0], false);
    const [dg] = grads(m, x, [w0], true);
    expect(maxAbsDiff(fg, dg)).toBeGreaterThan(1e-4);
    // Make block 2 a constant (zero kernel): no network-mediated path is left, so DG == FG.
    const k1 = m.namedWeights()['blocks.1.fc.kernel'];
    tf.tidy(() => k1.assign(tf.zerosLike(k1)));
    const [fg0] = grads(m, x, [w0], false);
    const [dg0] = grads(m, x, [w0], true);
    expect(maxAbsDiff(fg0, dg0)).toBeLessThan(1e-7);
    // And the last block always receives only its direct gradient.
    const [fgLast] = grads(m, x, [k1], false);
    const [dgLast] = grads(m, x, [k1], true);
    expect(maxAbsDiff(fgLast, dgLast)).toBeLessThan(1e-7);
    tf.dispose([fg, dg, fg0, dg0, fgLast, dgLast, x]);
    m.dispose();
  });

  it('acn: the embedding still receives gradient through x_0 in the sum', () => {
    const m = createMlp({ inputShape: [5], numClasses: 3, depth: 3, hiddenDim: 6, seed: 8 });
    const x = randomImages(4, [5]);
    const [g] = grads(m, x, [m.namedWeights()['embedding.proj.kernel']], true);
    expect(tf.tidy(() => tf.sum(tf.abs(g))).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([g, x]);
    m.dispose();
  });

  it('residual: the branch input is stop-gradiented while the identity path keeps gradient flowing', () => {
    // x_1 = x_0 + F(sg(x_0)): the embedding's gradient is then exactly what it would be with F's
    // dependence on its input removed, i.e. dy/dx_0 = I through the skip only.
    const m = createMlp({ inputShape: [5], numClasses: 3, depth: 1, hiddenDim: 6, seed: 9, connectivity: 'residual' });
    const x = randomImages(4, [5]);
    const emb = m.namedWeights()['embedding.proj.kernel'];
    const [dg] = grads(m, x, [emb], true);
    const [fg] = grads(m, x, [emb], false);
    expect(maxAbsDiff(dg, fg)).toBeGreaterThan(1e-5);
    // Reference: replace the block by identity + a constant (its output on this batch).
    const ctx = m.context();
    const branch = tf.tidy(() => {
      const h0 = m.embedding.apply(x, ctx);
      return m.blocks[0].apply(h0, ctx).sub(h0); // F(x_0), a constant for the reference
    });
    const ref = tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => {
        const h0 = m.embedding.apply(x, ctx);
        const logits = m.head.apply(h0.add(branch), ctx);
        return tf.sum(tf.mul(logits, tf.linspace(-1, 1, logits.size).reshape(logits.shape))) as tf.Scalar;
      }, [emb]);
      return g[emb.name];
    });
    expect(maxAbsDiff(dg, ref)).toBeLessThan(1e-6);
    tf.dispose([dg, fg, branch, ref, x]);
    m.dispose();
  });
});
