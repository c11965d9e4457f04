import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { createMlp } from '../models/mlp';
import { truncate } from '../models/truncate';
import { leakedTensors, maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf } from '../tf';
import { DenseLayer } from './dense-layer';

describe('factorized dense layers and hook-owned weights', () => {
  beforeAll(useWasm);

  it('factorize(A, B) computes x·A·B + b and survives checkpoints and truncation', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 8, seed: 2 });
    const fc = m.layer('blocks.1.fc') as DenseLayer;
    const a = tf.randomNormal([8, 2], 0, 1, 'float32', 1);
    const b = tf.randomNormal([2, 8], 0, 1, 'float32', 2);
    const x = randomImages(3, [8]);
    fc.factorize(a, b);
    expect(fc.rank).toBe(2);
    expect(Object.keys(fc.weights).sort()).toEqual(['bias', 'kernelA', 'kernelB']);
    const y = fc.apply(x, m.context());
    const ref = tf.tidy(() => x.matMul(a.matMul(b)).add(fc.weights.bias));
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
    expect(m.structure()).toEqual({ factorized: { 'blocks.1.fc': 2 } });

    const inp = randomImages(2, [6]);
    const before = m.predict(inp);
    const dir = mkdtempSync(join(tmpdir(), 'acn-fact-'));
    try {
      saveCheckpoint(dir, { model: m });
      const loaded = loadCheckpoint(dir);
      expect(loaded.model.structure()).toEqual(m.structure());
      const after = loaded.model.predict(inp);
      expect(maxAbsDiff(before, after)).toBe(0);
      after.dispose();
      loaded.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const probes = m.forward(inp, { probes: true }).probes!;
    const small = truncate(m, 2);
    expect(small.structure()).toEqual({ factorized: { 'blocks.1.fc': 2 } });
    const ys = small.predict(inp);
    expect(maxAbsDiff(ys, probes[2])).toBeLessThan(1e-5);
    const tiny = truncate(m, 1);
    expect(tiny.structure()).toEqual({ factorized: {} });
    tf.dispose([a, b, x, y, ref, before, inp, ys, ...probes]);
    [m, small, tiny].forEach((t) => t.dispose());
  });

  it('factorize rejects factors of the wrong shape', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8 });
    const fc = m.layer('blocks.0.fc') as DenseLayer;
    const bad = [tf.zeros([7, 2]), tf.zeros([2, 8])];
    expect(() => fc.factorize(bad[0], bad[1])).toThrow(/factors must be \[8, r\] and \[r, 8\], got \[7,2\] and \[2,8\]/);
    tf.dispose(bad);
    m.dispose();
  });

  it('a hook can add trainable weights: they are trained, named by path, and removed on dispose', async () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 4 });
    const x = randomImages(4, [6]);
    const leaked = await leakedTensors(() => {
      const h = m.hooks.attach({
        name: 'test:gain',
        filter: { kind: 'dense', path: /^blocks\.0\./ },
        setup: (layer, ctx) => void ctx.addWeight('gain.g', tf.ones([1])),
        parametrize: { kernel: (w, layer) => w.mul(layer.weights['gain.g']) },
      });
      expect(Object.keys(m.namedWeights())).toContain('blocks.0.fc.gain.g');
      const g = m.namedWeights()['blocks.0.fc.gain.g'];
      const { value, grads } = tf.variableGrads(() => tf.sum(m.predict(x)) as tf.Scalar, m.trainableVariables());
      value.dispose();
      expect(Math.abs(grads[g.name].dataSync()[0])).toBeGreaterThan(0);
      tf.dispose(Object.values(grads));
      h.dispose();
      expect(g.isDisposed).toBe(true);
      expect(Object.keys(m.namedWeights())).not.toContain('blocks.0.fc.gain.g');
    });
    expect(leaked).toBe(0);
    expect(() =>
      m.hooks.attach({ name: 'test:clash', filter: { kind: 'dense' }, setup: (_l, ctx) => void ctx.addWeight('kernel', tf.ones([1])) }),
    ).toThrow(/already has a weight 'kernel'/);
    expect(m.hooks.attached).toHaveLength(0);
    x.dispose();
    m.dispose();
  });
});
