import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMixer, type MixerConfigInput } from '../models/mixer';
import { createMlp } from '../models/mlp';
import { leakedTensors, maxAbsDiff, useWasm } from '../testing/helpers';
import { quadrantDataset } from '../testing/synthetic';
import { TrainingError } from './errors';
import { evaluate } from './evaluate';
import { makeBatch } from '../data/array-dataset';
import { Rng } from '../random';
import { tf } from '../tf';
import { AdamW } from './adamw';
import { createProgress } from './progress';
import { warmupCosine } from './schedule';
import { trainStep } from './train-step';
import { train } from './trainer';

const cfg: MixerConfigInput = { inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 3, seed: 11 };
const data = quadrantDataset(256, 1);
const test = quadrantDataset(128, 2);
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'acn-train-'));
  dirs.push(d);
  return d;
};

describe('train', () => {
  beforeAll(useWasm);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each([
    { connectivity: 'residual' as const, epochs: 4, lr: 3e-3, minAccuracy: 0.9 },
    // ACNs train slower (acn.md §7): more steps and a higher rate for the same small task.
    { connectivity: 'acn' as const, epochs: 6, lr: 1e-2, minAccuracy: 0.6 },
  ])('$connectivity Mixer learns a small task with AdamW + warm-up/cosine + smoothing + clipping', async ({ connectivity, epochs, lr, minAccuracy }) => {
    const m = createMixer({ ...cfg, connectivity });
    const before = evaluate(m, test);
    const { history, steps } = await train(m, data, { epochs, batchSize: 32, lr, warmupEpochs: 1, labelSmoothing: 0.1, clipNorm: 1, evalData: test, progress: 'none' });
    expect(steps).toBe(epochs * 8);
    expect(history).toHaveLength(epochs);
    expect(history[epochs - 1].trainLoss).toBeLessThan(history[0].trainLoss - 0.2);
    expect(history[epochs - 1].eval!.accuracy).toBeGreaterThan(minAccuracy);
    expect(before.accuracy).toBeLessThan(0.5);
    m.dispose();
  });

  it('emits step, gradient and epoch events; gradients are keyed by parameter path', async () => {
    const m = createMlp({ inputShape: [8, 8, 1], numClasses: 4, depth: 2, hiddenDim: 8 });
    const begins: number[] = [];
    const ends: number[] = [];
    const epochs: number[] = [];
    let gradKeys: string[] = [];
    const hookSteps: number[] = [];
    m.hooks.attach({ name: 'test:steps', filter: { kind: 'head' }, onStep: (s) => hookSteps.push(s) });
    await train(m, data, {
      epochs: 2,
      batchSize: 128,
      progress: 'none',
      callbacks: {
        onStepBegin: (e) => begins.push(e.step),
        onGradients: (e) => {
          gradKeys = Object.keys(e.grads);
          expect(e.grads['blocks.1.fc.kernel'].shape).toEqual([8, 8]);
        },
        onStepEnd: (e) => {
          ends.push(e.step);
          expect(Number.isFinite(e.loss) && e.gradNorm > 0).toBe(true);
        },
        onEpochEnd: (e) => void epochs.push(e.epoch),
      },
    });
    expect(begins).toEqual([0, 1, 2, 3]);
    expect(ends).toEqual([0, 1, 2, 3]);
    expect(epochs).toEqual([1, 2]);
    expect(hookSteps).toEqual([0, 0, 1, 2, 3, 4]); // attach signals the current step, then every step, then N = 4 at the end
    expect(gradKeys.sort()).toEqual(Object.keys(m.namedWeights()).sort());
    m.dispose();
  });

  it('resuming from a checkpoint reproduces the uninterrupted run exactly', async () => {
    const opts = { epochs: 3, batchSize: 64, lr: 2e-3, warmupEpochs: 1, seed: 5, progress: 'none' as const, labelSmoothing: 0.1 };
    const full = createMixer(cfg);
    const a = await train(full, data, { ...opts, checkpointDir: join(tmp(), 'ck') });
    const dir = join(tmp(), 'ck');
    const part = createMixer(cfg);
    await train(part, data, { ...opts, checkpointDir: dir, stopAfterEpoch: 1 });
    part.dispose();
    const resumed = createMixer({ ...cfg, seed: cfg.seed }); // fresh weights, overwritten by the checkpoint
    const b = await train(resumed, data, { ...opts, checkpointDir: dir, resume: true });
    expect(b.steps).toBe(a.steps);
    expect(b.history.map((h) => h.trainLoss)).toEqual(a.history.map((h) => h.trainLoss));
    const wa = full.namedWeights();
    const wb = resumed.namedWeights();
    for (const k of Object.keys(wa)) expect(maxAbsDiff(wa[k], wb[k])).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'model.safetensors', 'optimizer.safetensors']);
    full.dispose();
    resumed.dispose();
    a.optimizer.dispose();
    b.optimizer.dispose();
  });

  it('a hand-written loop with the public pieces reproduces train() exactly', async () => {
    const opts = { epochs: 2, batchSize: 64, lr: 2e-3, warmupEpochs: 1, seed: 3, labelSmoothing: 0.1, clipNorm: 1 };
    const a = createMixer(cfg);
    const ra = await train(a, data, { ...opts, progress: 'none' });
    // The same run, by hand: seeded order, schedule, hook step signal, trainStep.
    const b = createMixer(cfg);
    const opt = new AdamW();
    const steps = Math.ceil(data.count / opts.batchSize);
    const lr = warmupCosine({ peakLr: opts.lr, warmupSteps: steps, totalSteps: steps * opts.epochs, minLr: 1e-6 });
    const rng = new Rng(opts.seed);
    let step = 0;
    for (let e = 0; e < opts.epochs; e++) {
      const order = rng.permutation(data.count);
      for (let s = 0; s < steps; s++) {
        const { x, y } = makeBatch(data, order.subarray(s * opts.batchSize, (s + 1) * opts.batchSize));
        b.hooks.step(step);
        trainStep(b, opt, x, y, { lr: lr(step), labelSmoothing: opts.labelSmoothing, clipNorm: opts.clipNorm });
        tf.dispose([x, y]);
        step += 1;
      }
    }
    const wa = a.namedWeights();
    const wb = b.namedWeights();
    for (const k of Object.keys(wa)) expect(maxAbsDiff(wa[k], wb[k])).toBe(0);
    ra.optimizer.dispose();
    opt.dispose();
    a.dispose();
    b.dispose();
  });

  it('progress: plain lines when not on a terminal', () => {
    const lines: string[] = [];
    const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const p = createProgress('auto', out);
    p.epochStart(1, 2, 10);
    p.step(0, { loss: 1, lr: 0.1 });
    p.epochEnd('epoch 1/2 | train loss 1.0000');
    p.stop();
    expect(lines).toEqual(['epoch 1/2 | train loss 1.0000\n']);
  });

  it('stops on a non-finite loss naming the step and the cause', async () => {
    const m = createMlp({ inputShape: [8, 8, 1], numClasses: 4, depth: 1, hiddenDim: 4 });
    const poisoned = { ...data, inputs: data.inputs.slice() };
    poisoned.inputs.fill(Number.NaN, 0, 64 * 3); // the first three samples
    await expect(train(m, poisoned, { epochs: 1, batchSize: 256, progress: 'none' })).rejects.toThrow(
      /non-finite loss \(NaN\) at step 0 \(epoch 1\): the input batch contains NaN or Inf values/,
    );
    await expect(train(m, data, { epochs: 1, batchSize: 64, lr: 1e12, progress: 'none', optimizer: { epsilon: 1e-30 } })).rejects.toThrow(TrainingError);
    m.dispose();
  });

  it('rejects invalid options and datasets', async () => {
    const m = createMlp({ inputShape: [8, 8, 1], numClasses: 4, depth: 1, hiddenDim: 4 });
    await expect(train(m, data, { epochs: 0 })).rejects.toThrow(/epochs: must be an integer >= 1 \(got 0\)/);
    await expect(train(m, data, { epochs: 1, labelSmoothing: 1.5 })).rejects.toThrow(/labelSmoothing/);
    await expect(train(m, data, { epochs: 1, resume: true })).rejects.toThrow(/needs checkpointDir/);
    const badLabels = { ...data, labels: data.labels.map((l, i) => (i === 7 ? 9 : l)) };
    await expect(train(m, badLabels, { epochs: 1 })).rejects.toThrow(/label 9 at index 7 is outside \[0, 4\)/);
    await expect(train(m, { ...data, count: 300 }, { epochs: 1 })).rejects.toThrow(/inputs has 16384 values, expected count 300/);
    m.dispose();
  });

  it('leaves no tensors behind after training (optimizer disposed)', async () => {
    const m = createMixer(cfg);
    const leaked = await leakedTensors(async () => {
      const r = await train(m, data, { epochs: 1, batchSize: 64, progress: 'none', clipNorm: 1, evalData: test, evalProbes: true });
      r.optimizer.dispose();
    });
    expect(leaked).toBe(0);
    m.dispose();
  });

  it('evaluate with probes returns L+1 accuracies whose last equals the model accuracy', () => {
    const m = createMixer(cfg);
    const r = evaluate(m, test, { probes: true, batchSize: 50 });
    expect(r.probeAccuracy).toHaveLength(4);
    expect(r.probeAccuracy![3]).toBe(r.accuracy);
    expect(r.probeLoss![3]).toBeCloseTo(r.loss, 6);
    expect(r.count).toBe(128);
    m.dispose();
  });
});
