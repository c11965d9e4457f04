import { createMixer, tf, type Tensor } from '@acn/core';
import { modelCost } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { blendBlocks, blendBlocksHook } from './blend';
import { callCounter, maxAbsDiff, useWasm } from './compressors.test-helper';
import { linearBeta, stepBeta } from './schedule';

describe('blendBlocks', () => {
  beforeAll(useWasm);

  it('β·f(x) + (1−β)·g(x), with f alone at β = 1 and g alone at β = 0; no leaks', () => {
    const calls = { f: 0, g: 0 };
    const w = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const f = (x: Tensor) => (calls.f++, tf.matMul(x, w));
    const g = (x: Tensor) => (calls.g++, tf.mul(x, 10));
    const h = blendBlocks(f, g, linearBeta(4));
    const x = tf.tensor2d([[1, -1]]);
    const before = tf.memory().numTensors;
    const y1 = h(x);
    expect([calls.f, calls.g]).toEqual([1, 0]);
    expect(y1.arraySync()).toEqual([[-2, -2]]);
    expect(h.setStep(1)).toBe(0.75);
    const y2 = h(x);
    expect(y2.arraySync()).toEqual([[0.75 * -2 + 0.25 * 10, 0.75 * -2 + 0.25 * -10]]);
    h.setStep(4);
    const y3 = h(x);
    expect([calls.f, calls.g]).toEqual([2, 2]);
    expect(y3.arraySync()).toEqual([[10, -10]]);
    expect([h.beta, h.step]).toEqual([0, 4]);
    tf.dispose([y1, y2, y3]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x]);
  });

  it('any signature; a mismatch in output shapes is named', () => {
    const h = blendBlocks(
      (a: Tensor, s: number) => tf.mul(a, s),
      (a: Tensor, s: number) => tf.add(a, s),
      { schedule: stepBeta(2, 1) },
    );
    const a = tf.tensor1d([1, 2]);
    const y = h(a, 3);
    expect(y.arraySync()).toEqual([3, 6]);
    const bad = blendBlocks((t: Tensor) => t, (t: Tensor) => tf.concat([t, t]), { Q: 2 });
    bad.setStep(1);
    expect(() => bad(a)).toThrow(/f gives \[2\] but g gives \[4\]; both must give the same shape/);
    expect(() => blendBlocks(null as never, (t: Tensor) => t, { Q: 1 })).toThrow(/f and g must be functions/);
    tf.dispose([a, y]);
  });

  it('hook form on a block: trainable replacement weights, skip rules, cost, no bake', () => {
    const model = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 3, connectivity: 'residual', seed: 2 });
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3);
    const inner = callCounter({ kind: 'block', where: (l) => l.depth === 1 });
    model.hooks.attach(inner.hook);
    const original = model.predict(x);
    const gCalls = { n: 0 };
    const hook = blendBlocksHook({
      Q: 10,
      filter: { kind: 'block', where: (l) => l.depth === 1 },
      replacement: (_layer, ctx) => {
        const s = ctx.addWeight('vcon.scale', tf.ones([1]));
        return (inp) => (gCalls.n++, tf.mul(inp, s)); // a block replaced by a learnable scaling
      },
      cost: () => ({ params: 1, nonZeroParams: 1, flops: 0, bytes: 4 }),
    });
    const h = model.hooks.attach(hook);
    expect(Object.keys(model.namedWeights())).toContain('blocks.1.vcon.scale');
    const at1 = model.predict(x);
    expect(maxAbsDiff(at1, original)).toBe(0);
    expect(gCalls.n).toBe(0);
    model.hooks.step(10);
    const at0 = model.predict(x);
    expect(inner.calls.get('blocks.1')).toBe(2); // not run at β = 0
    expect(gCalls.n).toBe(1);
    // The block layer's own entry (its children are separate layers): g only at β = 0, f + g before.
    const own = () => modelCost(model).layers.find((l) => l.path === 'blocks.1')!;
    expect([own().params, own().bytes]).toEqual([1, 4]);
    // The replaced block's sub-layers (mixing MLPs, norms) do not run at β = 0: the whole block costs g only.
    const block1 = () => modelCost(model).blocks[1];
    expect([block1().params, block1().flops, block1().bytes]).toEqual([1, 0, 4]);
    model.hooks.step(5);
    expect([own().params, own().bytes]).toEqual([2, 8]); // the block's own weight (vcon.scale) + g's
    expect(block1().params).toBe(modelCost(model).blocks[0].params + 2); // f (every sub-layer) + vcon.scale + g
    expect(() => h.bake()).toThrow(/a blended block cannot be baked into weights/);
    h.dispose();
    expect(Object.keys(model.namedWeights())).not.toContain('blocks.1.vcon.scale');
    tf.dispose([x, original, at1, at0]);
    model.dispose();
  });
});
