import { createMixer, createMlp, crossEntropy, initBackend, tf, train, type BlockModel, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIXER_REPRESENTATIVE_PATTERN } from './block-paths';
import { DirectGradientTracker, blockGradients, compareBlockGradients, directVsFullGradients } from './direct-gradient';
import { chunkArgmaxDataset } from './synthetic.test-helper';

/** Deterministic batch: x `[B, ...shape]` uniform, y `[B]` labels from a fixed pattern. */
function batch(b: number, shape: number[], classes: number, seed = 1): { x: Tensor; y: Tensor } {
  return { x: tf.randomUniform([b, ...shape], -1, 1, 'float32', seed), y: tf.tensor1d(Array.from({ length: b }, (_, i) => (i * 7) % classes), 'int32') };
}

/** Reference gradients by hand (same loss, training mode), by path. */
function handGrads(model: BlockModel, x: Tensor, y: Tensor, detachInputs: boolean, paths: string[]): Record<string, Tensor> {
  const w = model.namedWeights();
  const vars = paths.map((p) => w[p]);
  const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x, { training: true, detachInputs }).logits, y) as tf.Scalar, vars);
  value.dispose();
  return Object.fromEntries(paths.map((p, i) => [p, grads[vars[i].name]]));
}

/** Cosine and norm ratio of two flattened gradient sets, in float64 JS arithmetic (independent of the tf reductions). */
function reference(dg: Record<string, Tensor>, fg: Record<string, Tensor>, paths: string[]): { cosine: number; normRatio: number; projection: number } {
  let dot = 0;
  let a2 = 0;
  let b2 = 0;
  for (const p of paths) {
    const a = dg[p].dataSync();
    const b = fg[p].dataSync();
    for (let i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      a2 += a[i] * a[i];
      b2 += b[i] * b[i];
    }
  }
  return { cosine: dot / Math.sqrt(a2 * b2), normRatio: Math.sqrt(a2 / b2), projection: dot / b2 };
}

describe('direct vs full gradients (acn.md §3.3, §4.5)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('DG equals the gradient of the detached-input model, and the stats match a float64 reference', () => {
    const model = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 8, seed: 4 });
    const { x, y } = batch(10, [6], 3);
    const dg = blockGradients(model, x, y, { detachInputs: true });
    const fg = blockGradients(model, x, y);
    const paths = Object.keys(dg);
    expect(paths.sort()).toEqual(['blocks.0.fc.bias', 'blocks.0.fc.kernel', 'blocks.1.fc.bias', 'blocks.1.fc.kernel', 'blocks.2.fc.bias', 'blocks.2.fc.kernel']);
    const dgRef = handGrads(model, x, y, true, paths);
    const fgRef = handGrads(model, x, y, false, paths);
    for (const p of paths) {
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(dg[p], dgRef[p])))).dataSync()[0]).toBeLessThan(1e-7);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(fg[p], fgRef[p])))).dataSync()[0]).toBeLessThan(1e-7);
    }
    const stats = directVsFullGradients(model, x, y);
    expect(stats).toHaveLength(3);
    stats.forEach((s, i) => {
      const ref = reference(dg, fg, [`blocks.${i}.fc.kernel`, `blocks.${i}.fc.bias`]);
      expect(s.cosine).toBeCloseTo(ref.cosine, 5);
      expect(s.normRatio).toBeCloseTo(ref.normRatio, 5);
      expect(s.projection).toBeCloseTo(ref.projection, 5);
    });
    // Early blocks lose their network-mediated gradient in the DG pass.
    expect(Math.abs(stats[0].normRatio - 1)).toBeGreaterThan(1e-3);
    tf.dispose([x, y, ...Object.values(dg), ...Object.values(fg), ...Object.values(dgRef), ...Object.values(fgRef)]);
    model.dispose();
  });

  it('acn depth 2: DG == FG for block 1 exactly when block 2 is constant, and always for the last block', () => {
    const model = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 7, connectivity: 'acn' });
    const { x, y } = batch(12, [6], 3, 2);
    const random = directVsFullGradients(model, x, y);
    // Random block 2: block 1's full gradient has a network-mediated part, so DG differs from FG.
    expect(Math.abs(random[0].normRatio - 1)).toBeGreaterThan(1e-3);
    expect(random[0].cosine).toBeLessThan(1 - 1e-6);
    // The last block has no block downstream: DG == FG.
    expect(random[1].cosine).toBeCloseTo(1, 5);
    expect(random[1].normRatio).toBeCloseTo(1, 5);
    expect(random[1].projection).toBeCloseTo(1, 5);
    // Block 2 constant (zero kernel and bias, GELU(0) = 0): no network-mediated path remains.
    const w = model.namedWeights();
    tf.tidy(() => {
      w['blocks.1.fc.kernel'].assign(tf.zerosLike(w['blocks.1.fc.kernel']));
      w['blocks.1.fc.bias'].assign(tf.zerosLike(w['blocks.1.fc.bias']));
    });
    const constant = directVsFullGradients(model, x, y);
    expect(Math.abs(constant[0].cosine - 1)).toBeLessThan(1e-5);
    expect(Math.abs(constant[0].normRatio - 1)).toBeLessThan(1e-5);
    expect(Math.abs(constant[0].projection - 1)).toBeLessThan(1e-5);
    expect(constant[0].fgNorm).toBeGreaterThan(0);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('mixer with the repository pattern: one matrix per block, last block DG == FG, leak-free', () => {
    const model = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 3, connectivity: 'acn', seed: 1 });
    const { x, y } = batch(6, [8, 8, 1], 4, 3);
    directVsFullGradients(model, x, y, { pattern: MIXER_REPRESENTATIVE_PATTERN }); // warm-up
    const before = tf.memory().numTensors;
    const all = directVsFullGradients(model, x, y, { labelSmoothing: 0.1 });
    const fc1 = directVsFullGradients(model, x, y, { pattern: MIXER_REPRESENTATIVE_PATTERN, labelSmoothing: 0.1 });
    expect(tf.memory().numTensors).toBe(before);
    const dg = blockGradients(model, x, y, { pattern: MIXER_REPRESENTATIVE_PATTERN, detachInputs: true });
    expect(Object.keys(dg)).toEqual(['blocks.0.channelMlp.fc1.kernel', 'blocks.1.channelMlp.fc1.kernel', 'blocks.2.channelMlp.fc1.kernel']);
    tf.dispose(Object.values(dg));
    for (const s of [all, fc1]) {
      expect(s).toHaveLength(3);
      expect(s[2].cosine).toBeCloseTo(1, 5);
      expect(s[2].normRatio).toBeCloseTo(1, 5);
      for (const b of s) expect(Number.isFinite(b.cosine) && Number.isFinite(b.normRatio)).toBe(true);
    }
    expect(Math.abs(all[0].normRatio - fc1[0].normRatio)).toBeGreaterThan(0); // different vectors
    tf.dispose([x, y]);
    model.dispose();
  });

  it('returns NaN for undefined values at zero norms', () => {
    const z = { 'blocks.0.w': tf.zeros([3]), 'blocks.1.w': tf.tensor1d([1, 2, 2]) };
    const one = { 'blocks.0.w': tf.tensor1d([1, 0, 0]), 'blocks.1.w': tf.zeros([3]) };
    // dg = z, fg = one: block 0 has ||dg|| = 0 < ||fg||, block 1 has ||fg|| = 0.
    const [b0, b1] = compareBlockGradients(z, one, 2);
    expect(b0.cosine).toBeNaN();
    expect(b0.normRatio).toBe(0);
    expect(b0.projection).toBe(0);
    expect(b1.cosine).toBeNaN();
    expect(b1.normRatio).toBeNaN();
    expect(b1.projection).toBeNaN();
    expect(b1.dgNorm).toBeCloseTo(3, 6);
    expect(() => compareBlockGradients(z, { 'blocks.0.w': one['blocks.0.w'] }, 2)).toThrow(/have no 'blocks.1.w'/);
    tf.dispose([...Object.values(z), ...Object.values(one)]);
  });

  it('DirectGradientTracker: epochs × depth matrices, uses the step gradients, and leaves training unchanged', async () => {
    const cfg = { inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 8, seed: 5 };
    const data = chunkArgmaxDataset(40, [6], 3, 9);
    const opts = { epochs: 2, batchSize: 10, lr: 5e-3, seed: 3, labelSmoothing: 0.1, progress: 'none' as const };
    const plain = createMlp(cfg);
    const tracked = createMlp(cfg);

    const before0 = tf.memory().numTensors;
    const r0 = await train(plain, data, opts);
    r0.optimizer.dispose();
    const leftPlain = tf.memory().numTensors - before0;

    const fromEvent = new DirectGradientTracker(tracked, { every: 2, labelSmoothing: 0.1 });
    const recomputed = new DirectGradientTracker(tracked, { every: 2, labelSmoothing: 0.1, recomputeFull: true });
    const before1 = tf.memory().numTensors;
    const r1 = await train(tracked, data, { ...opts, callbacks: [fromEvent, recomputed] });
    r1.optimizer.dispose();
    expect(tf.memory().numTensors - before1).toBe(leftPlain); // the trackers leak nothing

    // Training is unchanged: bit-identical weights with and without the trackers.
    const wp = plain.namedWeights();
    for (const [p, v] of Object.entries(tracked.namedWeights())) {
      expect(Array.from(v.dataSync())).toEqual(Array.from(wp[p].dataSync()));
    }

    expect(fromEvent.samplesPerEpoch).toEqual([2, 2]); // 4 steps per epoch, every 2nd
    expect(fromEvent.epochs).toEqual([1, 2]);
    for (const metric of ['cosine', 'normRatio', 'projection'] as const) {
      const m = fromEvent.matrix(metric);
      expect(m).toHaveLength(2);
      for (const row of m) {
        expect(row).toHaveLength(3);
        for (const v of row) expect(Number.isFinite(v)).toBe(true);
      }
      // The event's gradients are FG of the same batch and parameters (before the update): same
      // numbers as recomputing FG.
      const r = recomputed.matrix(metric);
      m.forEach((row, e) => row.forEach((v, i) => expect(Math.abs(v - r[e][i])).toBeLessThan(1e-5)));
      expect(fromEvent.layersByEpochs(metric)).toEqual([0, 1, 2].map((i) => m.map((row) => row[i])));
    }
    // Last block: DG == FG at every sampled step.
    for (const row of fromEvent.matrix('cosine')) expect(row[2]).toBeCloseTo(1, 5);
    for (const row of fromEvent.matrix('normRatio')) expect(row[2]).toBeCloseTo(1, 5);
    for (const row of fromEvent.matrix('cosine')) for (const v of row) expect(v).toBeLessThanOrEqual(1);
    // First block: the DG pass really drops the network-mediated part.
    for (const row of fromEvent.matrix('normRatio')) expect(Math.abs(row[0] - 1)).toBeGreaterThan(1e-4);
    plain.dispose();
    tracked.dispose();
  });

  it('validates the tracker options', () => {
    const model = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 4 });
    expect(() => new DirectGradientTracker(model, { every: 0 })).toThrow(/every must be an integer >= 1/);
    expect(() => new DirectGradientTracker(model, { every: 1.5 })).toThrow(RangeError);
    model.dispose();
  });
});
