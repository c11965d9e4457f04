import { beforeAll, describe, expect, it } from 'vitest';
import { createMixer } from '../models/mixer';
import { createMlp } from '../models/mlp';
import { maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf } from '../tf';
import { HookError } from './errors';
import type { LayerHook } from './types';

const snapshot = (m: ReturnType<typeof createMlp>) => Object.fromEntries(Object.entries(m.namedWeights()).map(([k, v]) => [k, Array.from(v.dataSync())]));

describe('canBake: every hook is checked before any weight is written', () => {
  beforeAll(useWasm);

  it('bakeAll with a refusing hook writes nothing, names the hook and its reason, and keeps every hook attached', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 3 });
    const before = snapshot(m);
    const scale: LayerHook = { name: 'test:scale', filter: { kind: 'dense', path: /^blocks\./ }, parametrize: { kernel: (w) => w.mul(2) } };
    let beta = 0.5;
    const fading: LayerHook = {
      name: 'test:fade',
      filter: { kind: 'dense', path: /^blocks\.1\./ },
      parametrize: { kernel: (w) => w.mul(1 - beta) },
      canBake: () => (beta === 0 ? true : `β = ${beta} at step 10`),
    };
    const h1 = m.hooks.attach(scale);
    const h2 = m.hooks.attach(fading);
    const x = randomImages(2, [6]);
    const attached = m.predict(x);
    const tensors = tf.memory().numTensors;
    // Before canBake, 'test:scale' was baked (written) before the refusal: a half-baked model.
    expect(() => m.hooks.bakeAll()).toThrow(new HookError("cannot bake 'test:fade': β = 0.5 at step 10; nothing was written", 'test:fade'));
    expect(snapshot(m)).toEqual(before);
    expect(m.hooks.attached.map((h) => h.name)).toEqual(['test:scale', 'test:fade']);
    expect(h1.active && h2.active).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    // The same for one handle; a canBake that throws is reported as a refusal too.
    h1.bake();
    const afterScale = snapshot(m);
    expect(() => h2.bake()).toThrow(/cannot bake 'test:fade': β = 0\.5 at step 10/);
    expect(snapshot(m)).toEqual(afterScale);
    beta = 0;
    h2.bake();
    expect(m.hooks.attached).toHaveLength(0);
    const baked = m.predict(x);
    expect(maxAbsDiff(baked, attached)).toBeGreaterThan(0); // β changed from 0.5 to 0 in between
    const broken = m.hooks.attach({ ...scale, name: 'test:broken', canBake: () => { throw new Error('boom'); } });
    expect(() => broken.bake()).toThrow(/cannot bake 'test:broken': its canBake check failed: boom; nothing was written/);
    broken.dispose();
    tf.dispose([x, attached, baked]);
    m.dispose();
  });
});

describe('forward wrappers must preserve the output shape', () => {
  beforeAll(useWasm);

  it('a wrapper that changes the shape fails on the first forward, naming the hook, the layer and both shapes', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 3 });
    const x = randomImages(2, [6]);
    const bad: LayerHook = { name: 'test:widen', filter: { path: /^blocks\.1$/ }, wrapForward: (next) => (input, ctx) => tf.concat([next(input, ctx), next(input, ctx)], -1) };
    const h = m.hooks.attach(bad);
    const before = tf.memory().numTensors;
    expect(() => m.predict(x)).toThrow(
      new HookError("hook 'test:widen': wrapForward on blocks.1 (block) returned [2,16] for input [2,8], but the layer gives [2,8]; forward wrappers must preserve the output shape", 'test:widen', 'blocks.1'),
    );
    expect(tf.memory().numTensors).toBe(before); // the forward's tidy freed everything
    h.dispose();
    tf.dispose(x);
    m.dispose();
  });

  it('also when the wrapper never calls the layer (replacing forward), and a shape-preserving replacement passes', () => {
    const m = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 2, seed: 7 });
    const x = randomImages(2, [8, 8, 1]);
    const replace: LayerHook = { name: 'test:replace', filter: { path: /^blocks\.0\.channelMlp$/ }, wrapForward: () => (input) => tf.slice(input, [0, 0, 0], [-1, -1, 8]) };
    const h = m.hooks.attach(replace);
    expect(() => m.predict(x)).toThrow(/hook 'test:replace': wrapForward on blocks\.0\.channelMlp \(mlp\) returned \[2,5,8\] for input \[2,5,16\], but the layer gives \[2,5,16\]/);
    h.dispose();
    const ok = m.hooks.attach({ name: 'test:zero', filter: { path: /^blocks\.0\.channelMlp$/ }, wrapForward: () => (input) => tf.zerosLike(input) });
    const before = tf.memory().numTensors;
    const y = m.predict(x);
    expect(y.shape).toEqual([2, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    ok.dispose();
    tf.dispose(x);
    m.dispose();
  });
});
