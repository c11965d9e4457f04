import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageDataset } from '@acn/datasets';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTinyCifar10 } from '../test-support/cifar10-files';
import { firstClasses, keepClasses, loadRunArrays, loadSplits, samplePerClass, splitClasses } from './data';

/** 1×1 "images" whose pixel value is the image index, labels as given. */
function fake(labels: number[], numClasses: number): ImageDataset {
  return {
    images: Float32Array.from(labels.map((_, i) => i)),
    labels: Int32Array.from(labels),
    count: labels.length,
    height: 1,
    width: 1,
    channels: 1,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, i) => `c${i}`),
  };
}

describe('class-subset sampler', () => {
  it('firstClasses keeps classes 0..n−1 in dataset order, labels unchanged', () => {
    const ds = fake([2, 0, 1, 0, 2, 1], 3);
    const two = firstClasses(ds, 2);
    expect(Array.from(two.images)).toEqual([1, 2, 3, 5]);
    expect(Array.from(two.labels)).toEqual([0, 1, 0, 1]);
    expect(two.numClasses).toBe(2);
    expect(() => firstClasses(ds, 4)).toThrow(/n must be an integer in 1..3, got 4/);
  });

  it('keepClasses keeps the original labels; splitClasses splits into equal consecutive tasks', () => {
    const ds = fake([2, 0, 1, 3, 2], 4);
    const k = keepClasses(ds, [2, 3]);
    expect(Array.from(k.images)).toEqual([0, 3, 4]);
    expect(Array.from(k.labels)).toEqual([2, 3, 2]);
    expect(splitClasses(10, 5)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]);
    expect(() => splitClasses(10, 3)).toThrow(/cannot be split into 3 equal tasks/);
  });
});

describe('low-data sampler', () => {
  // Class c has images at indices c, c+3, c+6, ... (10 per class).
  const ds = fake(Array.from({ length: 30 }, (_, i) => i % 3), 3);

  it('draws exactly k distinct images of every class, in dataset order', () => {
    const s = samplePerClass(ds, 4, 0);
    expect(s.count).toBe(12);
    const idx = Array.from(s.images);
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    expect(new Set(idx).size).toBe(12);
    for (let c = 0; c < 3; c++) expect(idx.filter((i) => i % 3 === c)).toHaveLength(4);
    idx.forEach((i, j) => expect(s.labels[j]).toBe(i % 3)); // labels travel with their images
  });

  it('is seeded: same seed, same subset; another seed, another subset; k = all takes everything', () => {
    expect(Array.from(samplePerClass(ds, 4, 5).images)).toEqual(Array.from(samplePerClass(ds, 4, 5).images));
    expect(Array.from(samplePerClass(ds, 4, 5).images)).not.toEqual(Array.from(samplePerClass(ds, 4, 6).images));
    expect(Array.from(samplePerClass(ds, 10, 1).images)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('refuses k larger than a class', () => {
    expect(() => samplePerClass(ds, 11, 0)).toThrow(/class 0 has only 10 images, fewer than k = 11/);
  });
});

describe('CIFAR-10 loading (--dataset cifar10)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'acn-paper-cifar-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const dir = writeTinyCifar10(join(tmp, 'ok'), 20);

  it('reads cifar-10-batches-bin/ as 32×32×3 images in [0, 1], HWC, train = the five batches in order', async () => {
    const d = await loadSplits('cifar10', dir);
    expect(d.name).toBe(`cifar10 (${dir})`);
    expect([d.train.count, d.test.count]).toEqual([100, 20]);
    expect([d.train.height, d.train.width, d.train.channels, d.train.numClasses]).toEqual([32, 32, 3, 10]);
    expect(d.train.classNames[0]).toBe('airplane');
    // Record 0 of data_batch_1: label 0, red plane 0 + p % 7 → pixel (0, 1) red = 1/255; green = (1·7 + 85) / 255.
    expect(d.train.labels[0]).toBe(0);
    expect(d.train.images[3 * 1]).toBe(Math.fround(1 / 255));
    expect(d.train.images[3 * 1 + 1]).toBe(Math.fround(92 / 255));
    // Record 3 of data_batch_2 is image 23, label 3: red of pixel 0 = 60 / 255.
    expect(d.train.labels[23]).toBe(3);
    expect(d.train.images[23 * 3072]).toBe(Math.fround(60 / 255));
  });

  it('keeps the first N images with the limits, as arrays for the trainer', async () => {
    const a = await loadRunArrays({ dataset: 'cifar10', dataDir: dir, trainLimit: 30, testLimit: 5 });
    expect([a.train.count, a.test.count, a.train.inputs.length]).toEqual([30, 5, 30 * 3072]);
    expect(a.train.sampleShape).toEqual([32, 32, 3]);
  });

  it('needs --data-dir, names the expected layout, and catches a cut batch file', async () => {
    const env = process.env.ACN_DATA_DIR;
    delete process.env.ACN_DATA_DIR;
    try {
      await expect(loadSplits('cifar10', undefined)).rejects.toThrow(/CIFAR-10 needs the binary files: pass --data-dir DIR/);
    } finally {
      if (env !== undefined) process.env.ACN_DATA_DIR = env;
    }
    await expect(loadSplits('cifar10', join(tmp, 'none'))).rejects.toThrow(/no test_batch.bin in .*none or .*cifar-10-batches-bin/);
    const cut = writeTinyCifar10(join(tmp, 'cut'), 20);
    truncateSync(join(cut, 'cifar-10-batches-bin', 'data_batch_3.bin'), 10 * 3073);
    await expect(loadSplits('cifar10', cut)).rejects.toThrow(/data_batch_3.bin: 10 CIFAR-10 records, expected 20/);
  });
});
