import type { ImageDataset } from '@acn/datasets';
import { describe, expect, it } from 'vitest';
import { firstClasses, keepClasses, samplePerClass, splitClasses } from './data';

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
