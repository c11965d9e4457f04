import { Rng, tf, type ArrayDataset } from '@acn/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { taskView } from '../continual/task-view';
import { fit } from './fit';
import { buildMixer, checkPatch, directGradientOnly, isForwardView, trainWorkers } from './model';
import { BASE, type PaperOptions } from './options';

/** `count` random 32×32×3 images in [0, 1] with labels cycling 0..9. */
function rgbData(count: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const inputs = new Float32Array(count * 32 * 32 * 3);
  for (let i = 0; i < inputs.length; i++) inputs[i] = rng.next();
  return { inputs, labels: Int32Array.from({ length: count }, (_, i) => i % 10), count, sampleShape: [32, 32, 3], numClasses: 10 };
}

const tiny: PaperOptions = { ...BASE, depth: 2, width: 8, tokenMlp: 8, channelMlp: 16, patch: 8, epochs: 1, warmup: 0, batch: 16 };

describe('models for the run’s images', () => {
  it('builds a Mixer for 32×32×3 images and rejects a patch that does not divide them, naming the flag', () => {
    const m = buildMixer(tiny, 'acn', rgbData(1, 0), 0);
    try {
      expect(m.config.inputShape).toEqual([32, 32, 3]);
      expect(m.config.numClasses).toBe(10);
    } finally {
      m.dispose();
    }
    expect(() => buildMixer({ ...tiny, patch: 7 }, 'acn', rgbData(1, 0), 0)).toThrow('--patch 7 does not divide the 32×32 images: use one of 1, 2, 4, 8, 16, 32');
    expect(() => checkPatch(5, 28, 28)).toThrow(/use one of 1, 2, 4, 7, 14, 28/);
  });
});

describe('--workers and model views', () => {
  afterEach(() => vi.restoreAllMocks());

  it('trainWorkers passes --workers through for a plain model, and 0 for views and extra losses', () => {
    const m = buildMixer(tiny, 'acn', rgbData(1, 0), 0);
    try {
      expect(trainWorkers({}, m)).toBe(0);
      expect(trainWorkers({ workers: 'auto' }, m)).toBe('auto');
      expect(trainWorkers({ workers: 2 }, m)).toBe(2);
      // Views shadow forward; worker replicas rebuilt from config would lose it.
      expect(isForwardView(m)).toBe(false);
      expect(isForwardView(directGradientOnly(m))).toBe(true);
      expect(isForwardView(taskView(m, [0, 1]))).toBe(true);
      expect(trainWorkers({ workers: 'auto' }, directGradientOnly(m))).toBe(0);
      expect(trainWorkers({ workers: 2 }, taskView(m, [2, 3]))).toBe(0);
      expect(trainWorkers({ workers: 2 }, m, () => tf.scalar(0))).toBe(0);
    } finally {
      m.dispose();
    }
  });

  it('fit trains a view on the main thread even with --workers 2 (no fallback warning), and still trains it', async () => {
    const warn = vi.spyOn(console, 'warn');
    const data = rgbData(32, 1);
    const m = buildMixer(tiny, 'acn', data, 0);
    try {
      // A weight of the first block: DG-only training must still move it.
      const [, before] = Object.entries(m.namedWeights()).find(([k]) => k.startsWith('blocks.0.'))!;
      const w0 = before.dataSync().slice();
      const r = await fit(m, data, data, { ...tiny, workers: 2 }, 0, { trainView: directGradientOnly(m), progress: 'none' });
      expect(r.workers).toBe(0);
      expect(Array.from(before.dataSync())).not.toEqual(Array.from(w0));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      m.dispose();
    }
  });

  it('fit passes --workers to core’s train for a plain model', async () => {
    const data = rgbData(32, 2);
    const m = buildMixer(tiny, 'residual', data, 0);
    try {
      const r = await fit(m, data, data, { ...tiny, workers: 2 }, 0, { progress: 'none' });
      expect(r.workers).toBe(2);
      expect(Number.isFinite(r.trainLoss[0])).toBe(true);
    } finally {
      m.dispose();
    }
  }, 120_000);
});
