import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_SHA256, sha256File } from './checksum';
import { embeddedFashionMnistDir, loadEmbeddedFashionMnist } from './embedded-subset';
import { classCounts } from './image-dataset';
import { loadFashionMnist } from './mnist';
import { HAS_SHARED_FASHION, NEEDS_SHARED, SHARED_FASHION } from './test-support/shared-data';

describe('embedded Fashion-MNIST subset', () => {
  it('is found next to the package, with its 4 files', () => {
    const dir = embeddedFashionMnistDir();
    expect(dir.endsWith(join('datasets', 'data', 'fashion-mnist-subset'))).toBe(true);
    for (const name of Object.keys(KNOWN_SHA256['fashion-mnist-subset']).filter((n) => n.endsWith('.gz'))) {
      expect(existsSync(join(dir, name))).toBe(true);
    }
  });

  it('matches the sha256 table byte for byte', async () => {
    const dir = embeddedFashionMnistDir();
    for (const [name, sum] of Object.entries(KNOWN_SHA256['fashion-mnist-subset'])) {
      if (name.endsWith('.gz')) expect(await sha256File(join(dir, name))).toBe(sum);
    }
  });

  it.each([
    ['train', 6000, [560, 643, 608, 612, 584, 594, 590, 617, 590, 602]],
    ['test', 1000, [107, 105, 111, 93, 115, 87, 97, 95, 95, 95]],
  ] as const)('%s split: %i images of 28x28x1, pixels in [0,1], labels 0..9 with the documented balance', async (split, count, balance) => {
    const ds = await loadEmbeddedFashionMnist({ split });
    expect([ds.count, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual([count, 28, 28, 1, 10]);
    expect(ds.images.length).toBe(count * 784);
    expect(ds.labels.length).toBe(count);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    for (const l of ds.labels) expect(l >= 0 && l <= 9).toBe(true);
    expect(Array.from(classCounts(ds))).toEqual(balance);
    expect(ds.classNames[9]).toBe('Ankle boot');
  });

  it('honours limit', async () => {
    const ds = await loadEmbeddedFashionMnist({ split: 'test', limit: 10 });
    expect(ds.count).toBe(10);
    expect(ds.images.length).toBe(7840);
  });

  it.runIf(HAS_SHARED_FASHION)(`holds the first images of the real files in original order ${NEEDS_SHARED}`, async () => {
    const [subTrain, subTest, realTest] = await Promise.all([
      loadEmbeddedFashionMnist({ split: 'train', limit: 1 }),
      loadEmbeddedFashionMnist({ split: 'test' }),
      loadFashionMnist(SHARED_FASHION, { split: 'test', limit: 1000 }),
    ]);
    expect(subTrain.labels[0]).toBe(9); // the first Fashion-MNIST training image is an ankle boot
    expect(Array.from(subTest.labels)).toEqual(Array.from(realTest.labels));
    expect(Buffer.from(subTest.images.buffer).equals(Buffer.from(realTest.images.buffer))).toBe(true);
  });

  it.runIf(HAS_SHARED_FASHION)(`first train label equals the first label of the real train file ${NEEDS_SHARED}`, async () => {
    const [sub, real] = await Promise.all([
      loadEmbeddedFashionMnist({ split: 'train', limit: 6000 }),
      loadFashionMnist(SHARED_FASHION, { split: 'train', limit: 6000 }),
    ]);
    expect(sub.labels[0]).toBe(real.labels[0]);
    expect(Array.from(sub.labels)).toEqual(Array.from(real.labels));
    expect(Buffer.from(sub.images.buffer).equals(Buffer.from(real.images.buffer))).toBe(true);
  });
});
