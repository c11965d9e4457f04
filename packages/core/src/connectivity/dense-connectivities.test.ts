import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { createBert } from '../models/bert';
import type { BlockModel } from '../models/block-model';
import { CONNECTIVITIES } from '../models/connectivity';
import { createMixer } from '../models/mixer';
import { createMlp } from '../models/mlp';
import { truncate } from '../models/truncate';
import { createVit } from '../models/vit';
import { maxAbsDiff, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { DenseFormerConnection } from './denseformer';
import { DenseNetConnection } from './densenet';

type Dense = 'densenet' | 'denseformer';
const ZOO: Array<[string, (c: Dense) => BlockModel, (b: number) => Tensor]> = [
  ['mixer', (connectivity) => createMixer({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 4, connectivity, seed: 3 }), (b) => tf.randomUniform([b, 8, 8, 1], 0, 1, 'float32', 4)],
  ['mlp', (connectivity) => createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 8, connectivity, seed: 3 }), (b) => tf.randomUniform([b, 6], -1, 1, 'float32', 4)],
  ['vit', (connectivity) => createVit({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, numHeads: 2, mlpDim: 16, depth: 3, connectivity, seed: 3 }), (b) => tf.randomUniform([b, 8, 8, 1], 0, 1, 'float32', 4)],
  ['bert', (connectivity) => createBert({ vocabSize: 20, numClasses: 3, maxLength: 8, hiddenDim: 8, numHeads: 2, mlpDim: 16, depth: 3, typeVocabSize: 0, connectivity, seed: 3 }), (b) => tf.tidy(() => tf.concat([tf.fill([b, 1], 2, 'int32'), tf.randomUniform([b, 4], 5, 20, 'int32', 3), tf.zeros([b, 1], 'int32')], 1))],
];

/** Perturbs a few learned connection weights so tests do not only see the identity / sum-like init. */
function perturbConnections(model: BlockModel): void {
  tf.tidy(() => {
    for (const [path, v] of Object.entries(model.namedWeights())) {
      if (path.includes('.connection.')) v.assign(v.add(tf.randomUniform(v.shape, -0.3, 0.3, 'float32', path.length)));
    }
  });
}

describe('densenet and denseformer connectivities', () => {
  beforeAll(useWasm);

  it('are listed in CONNECTIVITIES', () => {
    expect(CONNECTIVITIES).toEqual(['acn', 'residual', 'feedforward', 'densenet', 'denseformer']);
  });

  it('learned weights: DenseNet projections [(i+1)·D, D] initialised [I; …; I], DenseFormer alpha [i+2] initialised to the identity', () => {
    const net = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 4, connectivity: 'densenet', seed: 1 });
    const form = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 4, connectivity: 'denseformer', seed: 1 });
    const res = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 4, connectivity: 'residual', seed: 1 });
    const nw = net.namedWeights();
    expect([0, 1, 2].map((i) => nw[`blocks.${i}.connection.proj.kernel`].shape)).toEqual([[4, 4], [8, 4], [12, 4]]);
    expect(nw['blocks.1.connection.proj.bias']).toBeUndefined();
    expect(Array.from(nw['blocks.1.connection.proj.kernel'].dataSync())).toEqual(Array.from(tf.tidy(() => tf.concat([tf.eye(4), tf.eye(4)])).dataSync()));
    const fw = form.namedWeights();
    expect([0, 1, 2].map((i) => Array.from(fw[`blocks.${i}.connection.alpha`].dataSync()))).toEqual([[0, 1], [0, 0, 1], [0, 0, 0, 1]]);
    expect(net.connections[2]).toBeInstanceOf(DenseNetConnection);
    expect(form.connections[0]).toBeInstanceOf(DenseFormerConnection);
    expect(form.layer('blocks.1.connection').kind).toBe('connection');
    // The same block weights (same seed), and DenseFormer at its identity init is the residual network.
    expect(form.paramCount()).toBe(res.paramCount() + 2 + 3 + 4);
    const x = tf.randomUniform([3, 6], -1, 1, 'float32', 2);
    const a = form.predict(x);
    const b = res.predict(x);
    expect(maxAbsDiff(a, b)).toBe(0);
    tf.dispose([x, a, b]);
    [net, form, res].forEach((m) => m.dispose());
  });

  it('DenseNet at its sum-like init: block i reads x_0 + … + x_i (checked by hand on an MLP)', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 4, connectivity: 'densenet', seed: 1 });
    const x = tf.randomUniform([2, 6], -1, 1, 'float32', 5);
    const got = m.predict(x);
    const want = tf.tidy(() => {
      const ctx = m.context();
      const outs = [m.embedding.apply(x, ctx)];
      for (let i = 0; i < 3; i++) outs.push(m.blocks[i].apply(outs.reduce((s, o) => s.add(o)), ctx));
      return m.head.apply(outs[3], ctx);
    });
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    tf.dispose([x, got, want]);
    m.dispose();
  });

  for (const [arch, make, input] of ZOO) {
    for (const c of ['densenet', 'denseformer'] as const) {
      it(`${arch}/${c}: shapes, probes = truncate(k) logits, checkpoint round trip, no leaks`, () => {
        const m = make(c);
        perturbConnections(m);
        const x = input(3);
        const before = tf.memory().numTensors;
        const { logits, probes } = m.forward(x, { probes: true });
        expect(logits.shape).toEqual([3, 3]);
        expect(probes).toHaveLength(m.depth + 1);
        expect(maxAbsDiff(probes![m.depth], logits)).toBe(0);
        for (let k = 1; k < m.depth; k++) {
          const small = truncate(m, k);
          expect(small.paramCount()).toBeLessThan(m.paramCount());
          const y = small.predict(x);
          expect(maxAbsDiff(y, probes![k])).toBeLessThan(1e-5);
          y.dispose();
          small.dispose();
        }
        tf.dispose([logits, ...probes!]);
        expect(tf.memory().numTensors).toBe(before);

        const dir = mkdtempSync(join(tmpdir(), `acn-${c}-`));
        try {
          saveCheckpoint(join(dir, 'ck'), { model: m });
          const { model: back } = loadCheckpoint(join(dir, 'ck'));
          expect(back.config.connectivity).toBe(c);
          const names = Object.keys(m.namedWeights());
          expect(Object.keys(back.namedWeights())).toEqual(names);
          expect(names.some((n) => n.includes('.connection.'))).toBe(true);
          const a = m.predict(x);
          const b = back.predict(x);
          expect(maxAbsDiff(a, b)).toBe(0);
          tf.dispose([a, b]);
          back.dispose();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        x.dispose();
        m.dispose();
      });
    }
  }

  for (const c of ['densenet', 'denseformer'] as const) {
    it(`${c}: autodiff gradients of the connection weights match central finite differences (tiny MLP, float64-free check)`, () => {
      const m = createMlp({ inputShape: [4], numClasses: 2, depth: 3, hiddenDim: 3, connectivity: c, seed: 9, fused: false });
      perturbConnections(m);
      const x = tf.randomUniform([4, 4], -1, 1, 'float32', 6);
      const loss = () => tf.tidy(() => tf.sum(tf.square(m.forward(x, { training: true }).logits))) as tf.Scalar;
      const paths = c === 'densenet' ? ['blocks.2.connection.proj.kernel', 'blocks.1.connection.proj.kernel'] : ['blocks.2.connection.alpha', 'blocks.1.connection.alpha'];
      const vars = paths.map((p) => m.namedWeights()[p]);
      const { value, grads } = tf.variableGrads(loss, vars);
      value.dispose();
      for (const v of vars) {
        const g = grads[v.name].dataSync();
        expect(g.some((e) => Math.abs(e) > 1e-4)).toBe(true); // the weights are really used
        const base = v.dataSync().slice();
        for (const i of [0, Math.floor(v.size / 2), v.size - 1]) {
          const eps = 1e-2;
          const at = (d: number) => {
            const w = base.slice();
            w[i] += d;
            tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
            const l = loss();
            const out = l.dataSync()[0];
            l.dispose();
            return out;
          };
          const fd = (at(eps) - at(-eps)) / (2 * eps);
          tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
          expect(Math.abs(fd - g[i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(g[i])));
        }
      }
      tf.dispose([x, ...Object.values(grads)]);
      m.dispose();
    });
  }

  it('a connection hook scales a long connection (acn): y = x_0 + … + 0.5·x_i + …', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 4, connectivity: 'acn', seed: 1 });
    const x = tf.randomUniform([2, 6], -1, 1, 'float32', 5);
    const h = m.hooks.attach({ name: 'test:half', filter: { kind: 'connection', where: (l) => l.depth === 1 }, wrapForward: (next) => (t, ctx) => next(t, ctx).mul(0.5) });
    const got = m.predict(x);
    h.dispose();
    const want = tf.tidy(() => {
      const ctx = m.context();
      let hh = m.embedding.apply(x, ctx);
      let y = hh;
      for (let i = 0; i < 3; i++) {
        hh = m.blocks[i].apply(hh, ctx); // the chain keeps the unscaled output
        y = y.add(i === 1 ? hh.mul(0.5) : hh);
      }
      return m.head.apply(y, ctx);
    });
    expect(maxAbsDiff(got, want)).toBe(0);
    tf.dispose([x, got, want]);
    m.dispose();
  });
});
