import { describe, expect, it } from 'vitest';
import { MNIST_CLASS_NAMES } from './class-names';
import type { IdxArray } from './idx';
import { imageDatasetFromIdx } from './idx-dataset';
import { expectDatasetError } from './test-support/expect-error';

const images = (n: number, h = 2, w = 2): IdxArray => ({
  dtype: 'uint8',
  dims: [n, h, w],
  data: Uint8Array.from({ length: n * h * w }, (_, i) => (i * 51) % 256),
});
const labels = (values: number[]): IdxArray => ({ dtype: 'uint8', dims: [values.length], data: Uint8Array.from(values) });
const opts = { classNames: MNIST_CLASS_NAMES, imagesSource: 'imgs', labelsSource: 'labs' };

describe('imageDatasetFromIdx', () => {
  it('builds an NHWC dataset with pixels scaled to [0, 1]', () => {
    const ds = imageDatasetFromIdx(images(3), labels([4, 0, 9]), opts);
    expect([ds.count, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual([3, 2, 2, 1, 10]);
    expect(ds.images).toBeInstanceOf(Float32Array);
    expect(ds.images.length).toBe(12);
    expect(ds.images[0]).toBe(0);
    expect(ds.images[5]).toBe(1); // 5 * 51 = 255
    expect(ds.images[1]).toBeCloseTo(51 / 255, 7);
    expect(Array.from(ds.labels)).toEqual([4, 0, 9]);
    expect(ds.labels).toBeInstanceOf(Int32Array);
  });

  it('reads the channel count from a 4-dimensional image file', () => {
    const img: IdxArray = { dtype: 'uint8', dims: [1, 2, 2, 3], data: new Uint8Array(12) };
    const ds = imageDatasetFromIdx(img, labels([1]), opts);
    expect(ds.channels).toBe(3);
  });

  it('keeps only the first `limit` images', () => {
    const ds = imageDatasetFromIdx(images(3), labels([4, 0, 9]), { ...opts, limit: 2 });
    expect(ds.count).toBe(2);
    expect(ds.images.length).toBe(8);
    expect(Array.from(ds.labels)).toEqual([4, 0]);
    expect(imageDatasetFromIdx(images(3), labels([4, 0, 9]), { ...opts, limit: 99 }).count).toBe(3);
    expectDatasetError(() => imageDatasetFromIdx(images(3), labels([4, 0, 9]), { ...opts, limit: -1 }), 'BAD_ARGUMENT');
  });

  it('rejects an image/label count mismatch, naming both files and counts', () => {
    expectDatasetError(
      () => imageDatasetFromIdx(images(3), labels([1, 2]), opts),
      'COUNT_MISMATCH',
      'imgs has 3 images',
      'labs has 2 labels',
    );
  });

  it('rejects swapped image and label files', () => {
    expectDatasetError(() => imageDatasetFromIdx(labels([1, 2]), images(2), opts), 'BAD_MAGIC', 'imgs', 'expected an image file');
    expectDatasetError(() => imageDatasetFromIdx(images(2), images(2), opts), 'BAD_MAGIC', 'labs', 'expected a label file');
  });

  it('rejects a label outside the class range', () => {
    expectDatasetError(() => imageDatasetFromIdx(images(2), labels([3, 10]), opts), 'BAD_LABEL', 'label 10 at index 1');
  });

  it('rejects non-uint8 pixels', () => {
    const img: IdxArray = { dtype: 'float32', dims: [1, 1, 1], data: new Float32Array(1) };
    expectDatasetError(() => imageDatasetFromIdx(img, labels([0]), opts), 'UNSUPPORTED_DTYPE', 'float32');
  });
});
