import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeBatch, type ArrayDataset } from '../../data/array-dataset';
import type { BlockModel } from '../../models/block-model';
import { createBert, type BertConfigInput } from '../../models/bert';
import { createMixer, type MixerConfigInput } from '../../models/mixer';
import { createVit, type VitConfigInput } from '../../models/vit';
import { Rng } from '../../random';
import { maxAbsDiff, useWasm } from '../../testing/helpers';
import { quadrantDataset } from '../../testing/synthetic';
import { tf } from '../../tf';
import { AdamW } from '../adamw';
import { TrainingError } from '../errors';
import { applyStepGradients, lossAndGradients, trainStep } from '../train-step';
import { train } from '../trainer';
import { attachHookSpecs, checkHookSpecs, type WorkerHookSpec } from './hook-spec';
import { DataParallelPool, shardRows } from './pool';
import { resolveWorkers } from './data-parallel';

const cfg: MixerConfigInput = { inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 6, channelMlpDim: 12, depth: 2, seed: 3 };
const images = quadrantDataset(48, 1);
const data = images;
const fixture = new URL('./step-scale-hook.fixture.ts', import.meta.url).href;
const spec: WorkerHookSpec[] = [{ module: fixture, export: 'stepScale', options: { rate: 0.05 } }];
const dirs: string[] = [];

// A tiny ViT on the same images, and a tiny BERT with the default masked-LM head (unused by the
// classification loss, so its bias gets no gradient), segment ids and [PAD] tails (attention mask).
const vitCfg: VitConfigInput = { inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, numHeads: 2, mlpDim: 12, depth: 2, seed: 5 };
const bertCfg: BertConfigInput = { vocabSize: 24, numClasses: 3, maxLength: 10, hiddenDim: 8, numHeads: 2, mlpDim: 12, depth: 2, seed: 6 };
const tokens = tokenDataset(48, 10, 7);

/** `count` samples `[2, T]` (row 0 token ids with [PAD]=0 tails, row 1 segment ids); label = first token mod 3. */
function tokenDataset(count: number, T: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const inputs = new Float32Array(count * 2 * T);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const len = 3 + rng.int(T - 2); // 3..T real tokens, the rest padding
    for (let t = 0; t < T; t++) {
      inputs[i * 2 * T + t] = t < len ? 1 + rng.int(23) : 0;
      inputs[i * 2 * T + T + t] = t < len && t >= len / 2 ? 1 : 0;
    }
    labels[i] = inputs[i * 2 * T] % 3;
  }
  return { inputs, labels, count, sampleShape: [2, T], numClasses: 3, inputDtype: 'int32' };
}

/** Largest weight difference between two models of the same architecture. */
function weightDiff(a: BlockModel, b: BlockModel): number {
  const wa = a.namedWeights();
  const wb = b.namedWeights();
  expect(Object.keys(wb)).toEqual(Object.keys(wa));
  return Math.max(...Object.keys(wa).map((k) => maxAbsDiff(wa[k], wb[k])));
}

/** `steps` single-thread steps vs `steps` data-parallel steps on `workers` threads, same batches. */
async function compare(
  workers: number,
  steps: number,
  hooks: boolean,
  make: () => BlockModel = () => createMixer(cfg),
  data: ArrayDataset = images,
): Promise<{ weights: number; loss: number; grads: number }> {
  const ref = make();
  const par = make();
  if (hooks) {
    await attachHookSpecs(ref, spec);
    await attachHookSpecs(par, spec);
  }
  const optA = new AdamW();
  const optB = new AdamW();
  const pool = await DataParallelPool.start(par, { workers, maxBatch: 16, data, hookSpecs: hooks ? spec : [], labelSmoothing: 0.1 });
  let lossDiff = 0;
  let gradDiff = 0;
  const workerTensors: string[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const idx = Int32Array.from({ length: 16 }, (_, i) => (s * 16 + i) % data.count);
      ref.hooks.step(s);
      par.hooks.step(s);
      const { x, y } = makeBatch(data, idx);
      const a = trainStep(ref, optA, x, y, { lr: 1e-2, labelSmoothing: 0.1, clipNorm: 1 });
      tf.dispose([x, y]);
      const { loss, grads, workerTensors: live } = await pool.gradients(par, data, idx, s);
      workerTensors.push(live.join());
      if (s === 0) {
        // Same weights on both sides at step 0: compare the summed shard gradients with the full-batch ones.
        const { x: x0, y: y0 } = makeBatch(data, idx);
        const full = lossAndGradients(par, x0, y0, { labelSmoothing: 0.1 });
        expect(Object.keys(grads).sort()).toEqual(Object.keys(full.grads).sort()); // same parameters get gradients
        gradDiff = Math.max(...Object.keys(full.grads).map((k) => maxAbsDiff(full.grads[k], grads[k])));
        tf.dispose([x0, y0, full.value, ...Object.values(full.grads)]);
      }
      const b = applyStepGradients(par, optB, loss, grads, { lr: 1e-2, labelSmoothing: 0.1, clipNorm: 1 }, () => true);
      tf.dispose(Object.values(grads));
      lossDiff = Math.max(lossDiff, Math.abs(a.loss - b.loss));
    }
    expect(new Set(workerTensors).size).toBe(1); // no tensor growth inside the workers
    return { weights: weightDiff(ref, par), loss: lossDiff, grads: gradDiff };
  } finally {
    await pool.dispose();
    [ref, par, optA, optB].forEach((m) => m.dispose());
  }
}

describe('data-parallel training', () => {
  beforeAll(useWasm);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('splits rows evenly and resolves the workers option', () => {
    expect(shardRows(10, 3)).toEqual([{ offset: 0, count: 4 }, { offset: 4, count: 3 }, { offset: 7, count: 3 }]);
    expect(shardRows(1, 2)).toEqual([{ offset: 0, count: 1 }, { offset: 1, count: 0 }]);
    expect(resolveWorkers(undefined, 64)).toBe(0);
    expect(resolveWorkers(3, 2)).toBe(2);
    expect(() => resolveWorkers(-1, 8)).toThrow(TrainingError);
    expect(() => resolveWorkers(1.5, 8)).toThrow(/workers/);
    expect(() => checkHookSpecs([{ module: './hooks.ts' }])).toThrow(/relative/);
    expect(() => checkHookSpecs([{ module: '/x.js', options: { f: () => 1 } }])).toThrow(/plain data/);
  });

  it('one worker is bit-for-bit the single-thread step (with a step-scheduled hook)', async () => {
    const tensors = tf.memory().numTensors;
    const { weights, loss, grads } = await compare(1, 3, true);
    expect(weights).toBe(0);
    expect(loss).toBe(0);
    expect(grads).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('two workers equal the single-thread step within float tolerance', async () => {
    const { weights, loss, grads } = await compare(2, 3, true);
    expect(grads).toBeLessThan(1e-6);
    expect(loss).toBeLessThan(1e-5);
    // AdamW normalises each coordinate (m/√v), so a float-rounding difference in a near-zero
    // gradient can move that weight by up to 2·lr per step; the bound is that, not rounding.
    expect(weights).toBeLessThan(2 * 1e-2 * 3);
  });

  for (const [name, make, ds] of [
    ['ViT', () => createVit(vitCfg), images],
    ['BERT (token ids, segments, padding mask, unused masked-LM head)', () => createBert(bertCfg), tokens],
  ] as const) {
    it(`${name}: one worker is bit-for-bit the single-thread step, two workers within float tolerance`, async () => {
      const tensors = tf.memory().numTensors;
      const one = await compare(1, 2, false, make, ds);
      expect(one).toEqual({ weights: 0, loss: 0, grads: 0 });
      const two = await compare(2, 2, false, make, ds);
      expect(two.grads).toBeLessThan(1e-6);
      expect(two.loss).toBeLessThan(1e-5);
      expect(two.weights).toBeLessThan(2 * 1e-2 * 2);
      expect(tf.memory().numTensors).toBe(tensors);
    });
  }

  it('train({ workers: 2 }) trains a BERT on token ids without falling back', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      const m = createBert(bertCfg);
      const r = await train(m, tokens, { epochs: 1, batchSize: 16, lr: 1e-2, progress: 'none', seed: 1, workers: 2 });
      expect(r.workers).toBe(2);
      expect(r.steps).toBe(3);
      expect(Number.isFinite(r.history[0].trainLoss)).toBe(true);
      expect(warn).not.toHaveBeenCalled();
      m.dispose();
    } finally {
      warn.mockRestore();
    }
  });

  it('train({ workers: 2 }) with hooks, checkpoint and resume equals the uninterrupted run bit for bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acn-dp-'));
    dirs.push(dir);
    const opts = { epochs: 2, batchSize: 16, lr: 1e-2, progress: 'none' as const, seed: 4, clipNorm: 1 };
    const ref = createMixer(cfg);
    await attachHookSpecs(ref, spec);
    const whole = await train(ref, data, { ...opts, workers: 2, workerHooks: spec });
    expect(whole.workers).toBe(2);
    const par = createMixer(cfg);
    await attachHookSpecs(par, spec);
    const first = await train(par, data, { ...opts, workers: 2, workerHooks: spec, checkpointDir: dir, stopAfterEpoch: 1 });
    expect(first.workers).toBe(2);
    par.dispose();
    const resumed = createMixer(cfg);
    await attachHookSpecs(resumed, spec);
    const second = await train(resumed, data, { ...opts, workers: 2, workerHooks: spec, checkpointDir: dir, resume: true });
    expect(second.workers).toBe(2);
    expect(second.steps).toBe(6);
    expect(weightDiff(ref, resumed)).toBe(0);
    expect(second.history.map((h) => h.trainLoss)).toEqual(whole.history.map((h) => h.trainLoss));
    ref.dispose();
    resumed.dispose();
  });

  it('falls back to the main thread with a message when workers cannot start or an option cannot cross threads', async () => {
    const logs: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((m: string) => void logs.push(m));
    try {
      const m = createMixer(cfg);
      await attachHookSpecs(m, spec); // hooks attached, but no workerHooks: replicas cannot match
      const r = await train(m, data, { epochs: 1, batchSize: 16, progress: 'none', workers: 2 });
      expect(r.workers).toBe(0);
      expect(r.steps).toBe(3);
      expect(logs.join('\n')).toMatch(/could not start 2 worker.*differ from the main model/s);
      const bad = await train(m, data, { epochs: 1, batchSize: 16, progress: 'none', workers: 2, workerHooks: [{ module: fixture, export: 'notAFunction' }] });
      expect(bad.workers).toBe(0);
      expect(logs.join('\n')).toMatch(/no function export 'notAFunction'/);
      const extra = await train(m, data, { epochs: 1, batchSize: 16, progress: 'none', workers: 2, workerHooks: spec, extraLoss: (o) => tf.mul(tf.mean(o.logits), 0) });
      expect(extra.workers).toBe(0);
      expect(logs.join('\n')).toMatch(/extraLoss/);
      // A view with a shadowed forward (e.g. direct-gradient-only training) would lose that forward
      // in the workers' replicas, which are rebuilt from the config: it must stay on the main thread.
      const plain = createMixer(cfg);
      const view = Object.create(plain) as typeof plain;
      Object.defineProperty(view, 'forward', { value: (x: tf.Tensor, o: Parameters<typeof plain.forward>[1] = {}) => plain.forward(x, { ...o, detachInputs: true }) });
      const viewed = await train(view, data, { epochs: 1, batchSize: 16, progress: 'none', workers: 2 });
      expect(viewed.workers).toBe(0);
      expect(logs.join('\n')).toMatch(/own forward/);
      plain.dispose();
      const tensors = tf.memory().numTensors;
      await expect(train(m, data, { epochs: 1, batchSize: 16, progress: 'none', workers: -1 })).rejects.toThrow(TrainingError);
      expect(tf.memory().numTensors).toBe(tensors);
      m.dispose();
    } finally {
      warn.mockRestore();
    }
  });
});
