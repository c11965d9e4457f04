import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_SHA256 } from './checksum';
import { encodeIdx } from './idx';
import { classCounts } from './image-dataset';
import { loadFashionMnist, loadMnist } from './mnist';
import { expectDatasetErrorAsync } from './test-support/expect-error';
import { HAS_SHARED_FASHION, HAS_SHARED_MNIST, NEEDS_SHARED, SHARED_DATA, SHARED_FASHION, SHARED_MNIST } from './test-support/shared-data';
import { useTmpDir } from './test-support/tmp-dir';

const tmp = useTmpDir('mnist');

// A fake 4-image test split with the standard names: loadable only with verify: false.
function writeFakeSplit(dir: string, gzip: boolean): void {
  mkdirSync(dir, { recursive: true });
  const ext = gzip ? '.gz' : '';
  const pixels = Uint8Array.from({ length: 4 * 28 * 28 }, (_, i) => i % 256);
  writeFileSync(join(dir, `t10k-images-idx3-ubyte${ext}`), encodeIdx({ dtype: 'uint8', dims: [4, 28, 28], data: pixels }, { gzip }));
  writeFileSync(join(dir, `t10k-labels-idx1-ubyte${ext}`), encodeIdx({ dtype: 'uint8', dims: [4], data: Uint8Array.from([3, 1, 4, 1]) }, { gzip }));
}

describe('loadMnist / loadFashionMnist on generated files', () => {
  it('reads gzipped and ungzipped standard names when verification is off', async () => {
    for (const gzip of [true, false]) {
      const dir = join(tmp, gzip ? 'gz' : 'raw');
      writeFakeSplit(dir, gzip);
      const ds = await loadMnist(dir, { split: 'test', verify: false });
      expect([ds.count, ds.height, ds.width, ds.channels]).toEqual([4, 28, 28, 1]);
      expect(Array.from(ds.labels)).toEqual([3, 1, 4, 1]);
      expect(ds.images[255]).toBe(1);
      expect(ds.classNames[3]).toBe('3');
    }
  });

  it('verifies by default, so files that are not the real dataset are rejected', async () => {
    const dir = join(tmp, 'fake-default');
    writeFakeSplit(dir, true);
    await expectDatasetErrorAsync(loadMnist(dir, { split: 'test' }), 'CHECKSUM_MISMATCH', dir, KNOWN_SHA256.mnist['t10k-images-idx3-ubyte.gz'].slice(0, 16));
  });

  it('looks in the dataset subfolder (dir/fashion-mnist) and honours limit', async () => {
    const root = join(tmp, 'root');
    writeFakeSplit(join(root, 'fashion-mnist'), true);
    const ds = await loadFashionMnist(root, { split: 'test', verify: false, limit: 2 });
    expect(ds.count).toBe(2);
    expect(Array.from(ds.labels)).toEqual([3, 1]);
    expect(ds.classNames[3]).toBe('Dress');
  });

  it('names the missing files and the folders it searched', async () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir);
    await expectDatasetErrorAsync(loadFashionMnist(dir, { split: 'train' }), 'FILE_NOT_FOUND', 'train-images-idx3-ubyte.gz', join(dir, 'fashion-mnist'));
    const half = join(tmp, 'half');
    writeFakeSplit(half, true);
    const { rmSync } = await import('node:fs');
    rmSync(join(half, 't10k-labels-idx1-ubyte.gz'));
    await expectDatasetErrorAsync(loadMnist(half, { split: 'test', verify: false }), 'FILE_NOT_FOUND', 't10k-labels-idx1-ubyte.gz', half);
  });

  it('rejects an unknown split', async () => {
    await expectDatasetErrorAsync(loadMnist(tmp, { split: 'valid' as 'test' }), 'BAD_ARGUMENT', 'valid');
  });
});

describe('real datasets', () => {
  it.runIf(HAS_SHARED_FASHION)(`loads full Fashion-MNIST with checksum verification: 60000/10000 balanced ${NEEDS_SHARED}`, async () => {
    const [train, test] = await Promise.all([
      loadFashionMnist(SHARED_FASHION, { split: 'train', verify: true }),
      loadFashionMnist(SHARED_DATA, { split: 'test' }), // via the fashion-mnist/ subfolder
    ]);
    expect([train.count, train.height, train.width, train.channels]).toEqual([60000, 28, 28, 1]);
    expect(test.count).toBe(10000);
    expect(Array.from(classCounts(train))).toEqual(new Array(10).fill(6000));
    expect(Array.from(classCounts(test))).toEqual(new Array(10).fill(1000));
    expect(train.images.length).toBe(60000 * 784);
    let min = Infinity;
    let max = -Infinity;
    for (const v of test.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it.runIf(HAS_SHARED_MNIST)(`loads full MNIST with checksum verification, label histograms as published ${NEEDS_SHARED}`, async () => {
    const [train, test] = await Promise.all([loadMnist(SHARED_MNIST, { split: 'train' }), loadMnist(SHARED_DATA, { split: 'test' })]);
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(Array.from(classCounts(train))).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(Array.from(classCounts(test))).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it.runIf(HAS_SHARED_FASHION && HAS_SHARED_MNIST)(`rejects MNIST files passed as Fashion-MNIST (same names, different sums) ${NEEDS_SHARED}`, async () => {
    await expectDatasetErrorAsync(loadFashionMnist(SHARED_MNIST, { split: 'test' }), 'CHECKSUM_MISMATCH', SHARED_MNIST);
  });

  it.runIf(HAS_SHARED_FASHION)(`rejects a tampered label file in a temp copy, naming that file ${NEEDS_SHARED}`, async () => {
    const dir = join(tmp, 'tampered');
    mkdirSync(dir);
    copyFileSync(join(SHARED_FASHION, 't10k-images-idx3-ubyte.gz'), join(dir, 't10k-images-idx3-ubyte.gz'));
    const labels = readFileSync(join(SHARED_FASHION, 't10k-labels-idx1-ubyte.gz'));
    labels[labels.length - 20] ^= 0x40;
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), labels);
    const expected = KNOWN_SHA256['fashion-mnist']['t10k-labels-idx1-ubyte.gz'];
    const err = await expectDatasetErrorAsync(loadFashionMnist(dir, { split: 'test' }), 'CHECKSUM_MISMATCH', 't10k-labels-idx1-ubyte.gz', expected);
    expect(err.path).toBe(join(dir, 't10k-labels-idx1-ubyte.gz'));
    // With verification off the corruption still surfaces, as a gzip error.
    await expectDatasetErrorAsync(loadFashionMnist(dir, { split: 'test', verify: false }), 'CORRUPT_GZIP', 't10k-labels-idx1-ubyte.gz');
  });
});
