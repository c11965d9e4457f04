import { describe, expect, it } from 'vitest';
import { channelStats, classCounts, filterClasses, normalizeImages, scalePixels, subset, type ImageDataset } from './image-dataset';
import { expectDatasetError } from './test-support/expect-error';

// 5 one-pixel, two-channel images: image i has pixels [i/10, 1 - i/10] and label i % 3.
function toy(): ImageDataset {
  const count = 5;
  return {
    images: Float32Array.from({ length: count * 2 }, (_, k) => (k % 2 === 0 ? k / 2 / 10 : 1 - (k - 1) / 2 / 10)),
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    count,
    height: 1,
    width: 1,
    channels: 2,
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
  };
}

describe('image-dataset helpers', () => {
  it('scalePixels maps 0..255 onto [0, 1] exactly at the ends', () => {
    const out = scalePixels(Uint8Array.from([0, 51, 255]));
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(0.2, 7);
    expect(out[2]).toBe(1);
  });

  it('subset copies the chosen images and labels in order', () => {
    const ds = toy();
    const s = subset(ds, [4, 1, 1]);
    expect(s.count).toBe(3);
    expect(Array.from(s.labels)).toEqual([1, 1, 1]);
    expect(Array.from(s.images)).toEqual([ds.images[8], ds.images[9], ds.images[2], ds.images[3], ds.images[2], ds.images[3]]);
    s.images[0] = 42; // a copy, not a view
    expect(ds.images[8]).not.toBe(42);
    expectDatasetError(() => subset(ds, [5]), 'BAD_ARGUMENT', 'index 5');
    expectDatasetError(() => subset(ds, [1.5]), 'BAD_ARGUMENT');
  });

  it('filterClasses keeps the listed classes and relabels them in the given order', () => {
    const ds = toy(); // labels 0 1 2 0 1
    const f = filterClasses(ds, [1, 0]);
    expect(f.count).toBe(4);
    expect(Array.from(f.labels)).toEqual([1, 0, 1, 0]); // images 0 1 3 4 with 1→0, 0→1
    expect(f.numClasses).toBe(2);
    expect(f.classNames).toEqual(['b', 'a']);
    expect(f.images[2]).toBe(ds.images[2]);
    expectDatasetError(() => filterClasses(ds, []), 'BAD_ARGUMENT', 'empty');
    expectDatasetError(() => filterClasses(ds, [0, 0]), 'BAD_ARGUMENT', 'twice');
    expectDatasetError(() => filterClasses(ds, [3]), 'BAD_ARGUMENT', 'outside 0..2');
  });

  it('classCounts counts labels per class', () => {
    expect(Array.from(classCounts(toy()))).toEqual([2, 2, 1]);
  });

  it('channelStats and normalizeImages give zero mean, unit std per channel', () => {
    const ds = toy();
    const stats = channelStats(ds);
    expect(stats.mean[0]).toBeCloseTo(0.2, 6);
    expect(stats.mean[1]).toBeCloseTo(0.8, 6);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(0.02), 6);
    const x = normalizeImages(ds, stats);
    const again = channelStats({ ...ds, images: x });
    expect(again.mean[0]).toBeCloseTo(0, 5);
    expect(again.mean[1]).toBeCloseTo(0, 5);
    expect(again.std[0]).toBeCloseTo(1, 5);
    expect(again.std[1]).toBeCloseTo(1, 5);
    expect(ds.images[0]).toBe(0); // the dataset is left unchanged
    expectDatasetError(() => normalizeImages(ds, { mean: [0], std: [1] }), 'BAD_ARGUMENT', 'need 2');
    expectDatasetError(() => normalizeImages(ds, { mean: [0, 0], std: [1, 0] }), 'BAD_ARGUMENT', '> 0');
  });
});
