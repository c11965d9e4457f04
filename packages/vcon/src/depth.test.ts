import { AdamW, createMixer, createMlp, HookError, tf, trainStep, truncate, type BlockModel, type Tensor } from '@acn/core';
import { modelCost } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { callCounter, maxAbsDiff, useWasm } from './compressors.test-helper';
import { fadeDepth } from './depth';

const mixer = () => createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 4, connectivity: 'acn', seed: 7 });
const resMlp = () => createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 16, connectivity: 'residual', seed: 7 });
const acnMlp = () => createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 16, connectivity: 'acn', seed: 7 });

/** The faded model's expected output, computed by hand from the plain (un-hooked) blocks. */
function manual(model: BlockModel, x: Tensor, keep: number, beta: number): Tensor {
  return tf.tidy(() => {
    const ctx = model.context();
    let h = model.embedding.apply(x, ctx);
    let y = h;
    model.blocks.forEach((b, i) => {
      const out = b.apply(h, ctx);
      if (model.connectivity === 'acn') {
        h = out; // the chain x_i = f_i(x_{i−1}) is untouched
        y = y.add(i >= keep ? out.mul(beta) : out); // only the long connection is scaled
      } else {
        h = i >= keep ? h.add(out.sub(h).mul(beta)) : out;
        y = h;
      }
    });
    return model.head.apply(y, ctx);
  });
}

describe('fadeDepth (VCON over depth)', () => {
  beforeAll(useWasm);

  for (const [label, make, sample] of [
    ['acn Mixer', mixer, [8, 8, 1]],
    ['acn MLP', acnMlp, [6]],
    ['residual MLP', resMlp, [6]],
  ] as const) {
    it(`${label}: β = 1 is the original, β = 0 equals truncate(model, k), in between the documented blend`, () => {
      const model = make();
      const x = tf.randomUniform([3, ...sample], 0, 1, 'float32', 5);
      const before = tf.memory().numTensors;
      const original = model.predict(x);
      const mid = manual(model, x, 2, 0.3);
      const small = truncate(model, 2);
      const cut = small.predict(x);
      const fade = fadeDepth(model, { keep: 2, Q: 10 });
      const h = model.hooks.attach(fade);
      const at1 = model.predict(x);
      expect(maxAbsDiff(at1, original)).toBe(0);
      model.hooks.step(7); // β = 0.3
      expect(fade.beta).toBeCloseTo(0.3, 12);
      const atMid = model.predict(x);
      expect(maxAbsDiff(atMid, mid)).toBeLessThan(1e-5);
      model.hooks.step(10);
      const at0 = model.predict(x);
      expect(maxAbsDiff(at0, cut)).toBeLessThan(1e-5);
      const baked = fade.truncate();
      expect(baked.depth).toBe(2);
      const bakedOut = baked.predict(x);
      expect(maxAbsDiff(bakedOut, cut)).toBe(0);
      h.dispose();
      baked.dispose();
      small.dispose();
      tf.dispose([original, mid, cut, at1, atMid, at0, bakedOut]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }

  it('at β = 0 the faded blocks are skipped (not run), cost nothing, and get no update', () => {
    const model = mixer();
    const spy = callCounter({ kind: 'dense' });
    model.hooks.attach(spy.hook);
    const fade = fadeDepth(model, { keep: 1, Q: 4 });
    model.hooks.attach(fade);
    model.hooks.step(4);
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 6);
    tf.dispose(model.predict(x));
    const ran = [...spy.calls.keys()];
    expect(ran.some((p) => p.startsWith('blocks.0.'))).toBe(true);
    expect(ran.filter((p) => /^blocks\.[123]\./.test(p))).toEqual([]);
    const small = truncate(model, 1);
    const faded = modelCost(model).total;
    const truncated = modelCost(small).total;
    expect(faded).toEqual(truncated);
    model.hooks.step(2); // β = 0.5: everything counts
    expect(modelCost(model).total.params).toBe(model.paramCount());
    // A training step at β = 0 leaves the faded blocks' weights alone.
    model.hooks.step(4);
    const w3 = model.layer('blocks.3.channelMlp.fc1').weights.kernel.clone();
    const w0 = model.layer('blocks.0.channelMlp.fc1').weights.kernel.clone();
    const opt = new AdamW();
    const y = tf.tensor1d([0, 1], 'int32');
    trainStep(model, opt, x, y, { lr: 1e-2 });
    expect(maxAbsDiff(model.layer('blocks.3.channelMlp.fc1').weights.kernel, w3)).toBe(0);
    expect(maxAbsDiff(model.layer('blocks.0.channelMlp.fc1').weights.kernel, w0)).toBeGreaterThan(0);
    tf.dispose([x, y, w3, w0]);
    opt.dispose();
    small.dispose();
    model.dispose();
  });

  it('gradients during the fade: faded blocks get β-scaled gradients of the blended model (autodiff vs finite differences)', () => {
    const model = acnMlp();
    const fade = fadeDepth(model, { keep: 2, Q: 10 });
    model.hooks.attach(fade);
    model.hooks.step(5); // β = 0.5
    const x = tf.randomUniform([3, 6], -1, 1, 'float32', 8);
    const bias = model.layer('blocks.3.fc').weights.bias;
    const loss = () => tf.tidy(() => tf.sum(tf.square(model.predict(x))));
    const { value, grads } = tf.variableGrads(() => loss() as tf.Scalar, [bias]);
    const g = grads[bias.name].dataSync()[0];
    const orig = bias.clone();
    const lossAt = (d: number): number => {
      tf.tidy(() => bias.assign(orig.add(tf.oneHot([0], 16).reshape([16]).mul(d))));
      const l = loss();
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    };
    const eps = 1e-2;
    const fd = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
    bias.assign(orig);
    expect(Math.abs(g)).toBeGreaterThan(1e-3);
    expect(Math.abs(fd - g)).toBeLessThan(1e-2 * Math.abs(g) + 1e-4);
    orig.dispose();
    tf.dispose([value, ...Object.values(grads), x]);
    model.dispose();
  });

  it('refuses bake and early truncation with a clear error; bad options are named', () => {
    const model = resMlp();
    const fade = fadeDepth(model, { keep: 3, Q: 8 });
    const h = model.hooks.attach(fade);
    model.hooks.step(2);
    expect(() => fade.truncate()).toThrow(HookError);
    expect(() => fade.truncate()).toThrow(/truncate refused: β = 0.75 at step 2 \(linear\(Q=8\); β reaches 0 at step 8\)/);
    model.hooks.step(8);
    expect(() => h.bake()).toThrow(/depth cannot be baked in place .*call fade\.truncate\(\), which returns truncate\(model, 3\)/);
    expect(h.active).toBe(true);
    h.dispose();
    expect(() => fadeDepth(model, { keep: 4, Q: 8 })).toThrow(/keep must be an integer in \[1, 3\] \(the model has 4 blocks; at least one must fade\), got 4/);
    expect(() => fadeDepth(model, { keep: 0, Q: 8 })).toThrow(RangeError);
    expect(() => fadeDepth(model, { keep: 2 } as never)).toThrow(/give exactly one of Q/);
    expect(() => fadeDepth({} as never, { keep: 2, Q: 1 })).toThrow(/expected a BlockModel/);
    const other = resMlp();
    expect(() => other.hooks.attach(fadeDepth(model, { keep: 2, Q: 1 }))).toThrow(/built for another model/);
    expect(other.hooks.attached).toHaveLength(0);
    other.dispose();
    model.dispose();
  });

  it('hooks the connection layers of acn models (no division by β) and refuses densenet / denseformer with a HookError', () => {
    const model = acnMlp();
    const fade = fadeDepth(model, { keep: 2, Q: 10 });
    const h = model.hooks.attach(fade);
    expect(h.layers.filter((l) => l.kind === 'connection').map((l) => l.path)).toEqual(['blocks.2.connection', 'blocks.3.connection']);
    h.dispose();
    model.dispose();
    for (const connectivity of ['densenet', 'denseformer'] as const) {
      const m = createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 8, connectivity, seed: 7 });
      expect(() => fadeDepth(m, { keep: 2, Q: 10 })).toThrow(HookError);
      expect(() => fadeDepth(m, { keep: 2, Q: 10 })).toThrow(new RegExp(`not '${connectivity}'.*use truncate\\(model, 2\\)`));
      m.dispose();
    }
  });
});
