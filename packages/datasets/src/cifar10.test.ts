import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES, cifar10ToImageDataset, loadCifar10, readCifar10Batch } from './cifar10';
import { fixturePixel, makeCifar10Bytes } from './test-support/cifar10-fixture';
import { expectDatasetError, expectDatasetErrorAsync } from './test-support/expect-error';
import { useTmpDir } from './test-support/tmp-dir';

const tmp = useTmpDir('cifar');

describe('readCifar10Batch', () => {
  const bytes = makeCifar10Bytes([0, 9, 3]);

  it('has the documented record size', () => {
    expect(CIFAR10_RECORD_BYTES).toBe(3073);
    expect(bytes.length).toBe(3 * 3073);
  });

  it('moves the R, G, B planes into HWC order at the exact positions (uint8)', () => {
    const batch = readCifar10Batch(bytes, { dtype: 'uint8' });
    expect(batch.images).toBeInstanceOf(Uint8Array);
    expect(batch.shape).toEqual([3, 32, 32, 3]);
    expect(batch.count).toBe(3);
    expect(Array.from(batch.labels)).toEqual([0, 9, 3]);
    for (let n = 0; n < 3; n++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          for (let c = 0; c < 3; c++) {
            const hwc = ((n * 32 + y) * 32 + x) * 3 + c;
            if (batch.images[hwc] !== fixturePixel(n, c, y * 32 + x)) {
              throw new Error(`pixel n=${n} y=${y} x=${x} c=${c}: got ${batch.images[hwc]}`);
            }
          }
        }
      }
    }
    // Spot checks by hand: record 1, row 0, column 1, green = byte 1 + 1024 + 1 of record 1.
    expect(batch.images[(1 * 1024 + 1) * 3 + 1]).toBe(bytes[3073 + 1 + 1024 + 1]);
    // Record 2, last pixel (31, 31), blue = the record's last byte.
    expect(batch.images[3 * 3072 - 1]).toBe(bytes[3 * 3073 - 1]);
  });

  it('types the images by the requested dtype', async () => {
    // Compile-time checks (pnpm typecheck): the dtype option picks the array type.
    const u8: Uint8Array = readCifar10Batch(bytes, { dtype: 'uint8' }).images;
    const f32: Float32Array = readCifar10Batch(bytes).images;
    // @ts-expect-error a uint8 batch does not hold Float32Array images
    const wrong: Float32Array = readCifar10Batch(bytes, { dtype: 'uint8' }).images;
    expect([u8, f32, wrong].map((a) => a.constructor.name)).toEqual(['Uint8Array', 'Float32Array', 'Uint8Array']);
  });

  it('scales to [0, 1] float32 by default', () => {
    const u8 = readCifar10Batch(bytes, { dtype: 'uint8' });
    const f32 = readCifar10Batch(bytes);
    expect(f32.images).toBeInstanceOf(Float32Array);
    expect(f32.images.length).toBe(3 * 32 * 32 * 3);
    for (const i of [0, 1, 2, 500, 3071, 9215]) expect(f32.images[i]).toBe(Math.fround(u8.images[i] / 255));
  });

  it('rejects a length that is not a multiple of 3073', () => {
    expectDatasetError(() => readCifar10Batch(bytes.subarray(0, bytes.length - 1), { source: 'b.bin' }), 'BAD_LENGTH', 'b.bin', '9218 bytes', '3073');
    expectDatasetError(() => readCifar10Batch(new Uint8Array(3073 + 5)), 'BAD_LENGTH', '1 records + 5 bytes');
  });

  it('rejects a label above 9', () => {
    expectDatasetError(() => readCifar10Batch(makeCifar10Bytes([1, 10]), { source: 'b.bin' }), 'BAD_LABEL', 'record 1 has label 10');
  });

  it('refuses an empty file (no records is a broken download, not a data set)', () => {
    expect(() => readCifar10Batch(new Uint8Array(0))).toThrow(/empty file/);
  });
});

describe('loadCifar10', () => {
  // Two records per batch; labels tell the batches apart so the concatenation order is checked.
  function writeBatches(dir: string): void {
    mkdirSync(dir, { recursive: true });
    CIFAR10_FILES.train.forEach((name, b) => writeFileSync(join(dir, name), makeCifar10Bytes([b, b + 5])));
    writeFileSync(join(dir, CIFAR10_FILES.test[0]), makeCifar10Bytes([9, 4]));
  }

  it('reads data_batch_1..5 in order and test_batch from the folder itself', async () => {
    const dir = join(tmp, 'flat');
    writeBatches(dir);
    const { train, test } = await loadCifar10(dir, { dtype: 'uint8', recordsPerFile: 2 });
    expect(train.count).toBe(10);
    expect(train.shape).toEqual([10, 32, 32, 3]);
    expect(Array.from(train.labels)).toEqual([0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
    // Third training image = first record of data_batch_2, i.e. generated record index 0.
    expect(train.images[2 * 3072 + 3 * 33 + 2]).toBe(fixturePixel(0, 2, 33));
    expect(train.images[3 * 3072]).toBe(fixturePixel(1, 0, 0));
    expect(test.count).toBe(2);
    expect(Array.from(test.labels)).toEqual([9, 4]);
  });

  it('finds the cifar-10-batches-bin folder the official tarball extracts to', async () => {
    const dir = join(tmp, 'nested');
    writeBatches(join(dir, 'cifar-10-batches-bin'));
    const { train, test } = await loadCifar10(dir, { recordsPerFile: 2 });
    expect(train.images).toBeInstanceOf(Float32Array);
    expect(train.count).toBe(10);
    const ds = cifar10ToImageDataset(test);
    expect([ds.count, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual([2, 32, 32, 3, 10]);
    expect(ds.classNames[ds.labels[0]]).toBe('truck');
  });

  it('names a missing batch file', async () => {
    const dir = join(tmp, 'partial');
    writeBatches(dir);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'data_batch_4.bin'));
    await expectDatasetErrorAsync(loadCifar10(dir, { recordsPerFile: 2 }), 'FILE_NOT_FOUND', 'data_batch_4.bin');
  });
});
