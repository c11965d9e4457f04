import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMlp } from '../models/mlp';
import { maxAbsDiff, leakedTensors, randomImages, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { HookError } from './errors';
import type { Forward, LayerHook } from './types';

// A weight scale (parametrization) and a forward recorder (wrapper with its own state): the two
// small hooks the contract is proven with.
const scaleHook = (factor: number, name = `test:scale*${factor}`): LayerHook => ({
  name,
  filter: { kind: 'dense', path: /^blocks\./ },
  parametrize: { kernel: (w) => w.mul(factor) },
});
const addHook = (c: number): LayerHook => ({ name: `test:add+${c}`, filter: { kind: 'dense', path: /^blocks\./ }, parametrize: { kernel: (w) => w.add(c) } });

function recorder() {
  const seen: Array<{ path: string; shape: number[] }> = [];
  const states: Tensor[] = [];
  const hook: LayerHook = {
    name: 'test:recorder',
    filter: { kind: 'block' },
    setup: () => {
      const state = tf.zeros([1]); // per-layer state, freed by the disposer
      states.push(state);
      return () => state.dispose();
    },
    wrapForward: (next: Forward, layer) => (x, ctx) => {
      const y = next(x, ctx);
      seen.push({ path: layer.path, shape: y.shape });
      return y;
    },
  };
  return { hook, seen, states };
}

describe('layer hooks', () => {
  beforeAll(useWasm);
  const model = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 8, seed: 3 });
  const x = randomImages(4, [6]);
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it('a parametrization changes the effective weight and its disposer restores the model exactly', () => {
    const before = model.predict(x);
    const h = model.hooks.attach(scaleHook(0));
    expect(h.layers.map((l) => l.path)).toEqual(['blocks.0.fc', 'blocks.1.fc', 'blocks.2.fc']);
    const during = model.predict(x);
    expect(maxAbsDiff(before, during)).toBeGreaterThan(1e-3);
    h.dispose();
    const after = model.predict(x);
    expect(maxAbsDiff(before, after)).toBe(0);
    tf.dispose([before, during, after]);
    expect(h.active).toBe(false);
  });

  it('parametrizations compose in attach order (first attached applied first)', () => {
    const layer = model.layer('blocks.1.fc');
    const w = layer.weights.kernel;
    const a = model.hooks.attach(scaleHook(2));
    const b = model.hooks.attach(addHook(1));
    const eff = layer.w('kernel'); // (w*2)+1
    const expected = tf.tidy(() => w.mul(2).add(1));
    expect(maxAbsDiff(eff, expected)).toBeLessThan(1e-6);
    b.dispose();
    a.dispose();
    const c = model.hooks.attach(addHook(1));
    const d = model.hooks.attach(scaleHook(2));
    const eff2 = layer.w('kernel'); // (w+1)*2 != (w*2)+1
    const expected2 = tf.tidy(() => w.add(1).mul(2));
    expect(maxAbsDiff(eff2, expected2)).toBeLessThan(1e-6);
    expect(maxAbsDiff(eff, eff2)).toBeGreaterThan(0.5);
    d.dispose();
    c.dispose();
    tf.dispose([eff, expected, eff2, expected2]);
  });

  it('forward wrappers see every block and free their state on dispose', () => {
    const r = recorder();
    const h = model.hooks.attach(r.hook);
    tf.dispose(model.predict(x));
    expect(r.seen).toEqual([
      { path: 'blocks.0', shape: [4, 8] },
      { path: 'blocks.1', shape: [4, 8] },
      { path: 'blocks.2', shape: [4, 8] },
    ]);
    expect(r.states).toHaveLength(3);
    expect(r.states.every((t) => !t.isDisposed)).toBe(true);
    h.dispose();
    expect(r.states.every((t) => t.isDisposed)).toBe(true);
  });

  it('bake writes the effective weights and removes the hook', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 4 });
    const h = m.hooks.attach(scaleHook(0.5));
    const hooked = m.predict(x);
    h.bake();
    expect(m.hooks.attached).toHaveLength(0);
    const baked = m.predict(x);
    expect(maxAbsDiff(hooked, baked)).toBeLessThan(1e-6);
    tf.dispose([hooked, baked]);
    m.dispose();
  });

  it('baking out of attach order is refused (it would apply the earlier hook twice)', () => {
    const a = model.hooks.attach(scaleHook(2, 'test:first'));
    const b = model.hooks.attach(addHook(1));
    expect(() => b.bake()).toThrow(/'test:first' parametrizes it first; bake hooks in attach order/);
    b.dispose();
    a.dispose();
  });

  it('a hook that wraps the forward without bake() cannot be baked', () => {
    const h = model.hooks.attach(recorder().hook);
    expect(() => h.bake()).toThrow(HookError);
    h.dispose();
  });

  it('onStep receives the step signal', () => {
    const steps: number[] = [];
    const h = model.hooks.attach({ name: 'test:steps', filter: { kind: 'head' }, onStep: (s) => steps.push(s) });
    model.hooks.step(5);
    model.hooks.step(6);
    h.dispose();
    model.hooks.step(7);
    expect(steps).toEqual([0, 5, 6]);
    expect(() => model.hooks.step(-1)).toThrow(RangeError);
  });

  it('validation names the hook, the layer path and the shapes, and rolls back', () => {
    expect(() => model.hooks.attach({ name: 'test:bad-shape', filter: { kind: 'dense' }, parametrize: { kernel: (w) => w.reshape([-1]) } })).toThrow(
      /hook 'test:bad-shape' changes embedding\.proj\.kernel from \[6,8\] float32 to \[48\] float32/,
    );
    expect(model.layer('embedding.proj').bindings).toHaveLength(0);
    expect(() => model.hooks.attach({ name: 'test:no-weight', filter: { kind: 'norm' }, parametrize: { kernel: (w) => w } })).toThrow(
      /hook 'test:no-weight' parametrizes weight 'kernel' but layer head\.norm \(norm\) has only: gamma, beta/,
    );
    expect(() => model.hooks.attach({ name: 'test:none', filter: { kind: 'attention' } })).toThrow(/matched no layers/);
    expect(() => model.hooks.attach({ name: 'test:kind', filter: { kind: 'conv' as never } })).toThrow(/unknown layer kind 'conv'/);
    expect(() => model.hooks.attach({ name: '' } as LayerHook)).toThrow(/non-empty `name`/);
    expect(model.hooks.attached).toHaveLength(0);
  });

  it('leaves no tensors behind across attach, forward, dispose', async () => {
    const leaked = await leakedTensors(() => {
      const r = recorder();
      const a = model.hooks.attach(scaleHook(3));
      const b = model.hooks.attach(r.hook);
      tf.dispose(model.forward(x, { probes: true }).probes);
      b.dispose();
      a.dispose();
    });
    expect(leaked).toBe(0);
  });

  it('gradients flow through a parametrization to the stored variable', () => {
    const h = model.hooks.attach(scaleHook(3));
    const v = model.layer('blocks.0.fc').weights.kernel;
    const g1 = tf.tidy(() => tf.variableGrads(() => tf.sum(model.predict(x)) as tf.Scalar, [v]).grads[v.name]);
    h.dispose();
    expect(tf.tidy(() => tf.sum(tf.abs(g1))).dataSync()[0]).toBeGreaterThan(0);
    g1.dispose();
  });
});
