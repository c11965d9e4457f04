import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, readIdx, readIdxFile, type IdxArray } from './idx';
import { isGzip } from './gzip';
import { expectDatasetError, expectDatasetErrorAsync } from './test-support/expect-error';
import { useTmpDir } from './test-support/tmp-dir';

const tmp = useTmpDir('idx');

// 3 images of 2x4 with every byte distinct, so any offset error shows up.
const images: IdxArray = { dtype: 'uint8', dims: [3, 2, 4], data: Uint8Array.from({ length: 24 }, (_, i) => i * 10 + 5) };

describe('readIdx / encodeIdx', () => {
  it('round-trips uint8 images raw, with the big-endian header the format specifies', () => {
    const raw = encodeIdx(images);
    expect(Array.from(raw.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4]);
    expect(raw.length).toBe(16 + 24);
    expect(isGzip(raw)).toBe(false);
    const back = readIdx(raw);
    expect(back.dtype).toBe('uint8');
    expect(back.dims).toEqual([3, 2, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(images.data));
  });

  it('round-trips gzipped bytes and detects gzip from the magic, not a name', () => {
    const gz = encodeIdx(images, { gzip: true });
    expect(isGzip(gz)).toBe(true);
    const back = readIdx(gz);
    expect(back.dims).toEqual([3, 2, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(images.data));
  });

  it('writes reproducible gzip: identical bytes, MTIME 0, OS byte 255', () => {
    const a = encodeIdx(images, { gzip: true });
    const b = encodeIdx(images, { gzip: true });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Array.from(a.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(a[9]).toBe(255);
  });

  it('round-trips labels (magic 0x00000801)', () => {
    const raw = encodeIdx({ dtype: 'uint8', dims: [5], data: Uint8Array.from([9, 0, 0, 3, 0]) });
    expect(Array.from(raw.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0, 5]);
    expect(Array.from(readIdx(raw).data)).toEqual([9, 0, 0, 3, 0]);
  });

  it.each([
    ['int8', Int8Array.from([-128, -1, 0, 127])],
    ['int16', Int16Array.from([-32768, -2, 258, 32767])],
    ['int32', Int32Array.from([-(2 ** 31), -3, 65536 + 7, 2 ** 31 - 1])],
    ['float32', Float32Array.from([-1.5, 0, 3.25, 1e-7])],
    ['float64', Float64Array.from([-Math.PI, 0, Math.E, 1e300])],
  ] as const)('round-trips %s big-endian', (dtype, data) => {
    const raw = encodeIdx({ dtype, dims: [2, 2], data });
    const back = readIdx(raw);
    expect(back.dtype).toBe(dtype);
    expect(back.data).toBeInstanceOf(data.constructor);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('reads gzipped and raw files from disk', async () => {
    writeFileSync(join(tmp, 'a.gz'), encodeIdx(images, { gzip: true }));
    writeFileSync(join(tmp, 'a.raw'), encodeIdx(images));
    for (const name of ['a.gz', 'a.raw']) {
      const back = await readIdxFile(join(tmp, name));
      expect(back.dims).toEqual([3, 2, 4]);
      expect(back.data[23]).toBe(235);
    }
  });

  it('rejects a truncated file, naming expected and actual byte counts', () => {
    const raw = encodeIdx(images).subarray(0, 16 + 20);
    expectDatasetError(() => readIdx(raw, 'imgs.idx'), 'TRUNCATED', 'imgs.idx', 'expected 40 bytes', 'got 36', '4 missing');
  });

  it('rejects a file truncated inside its header', () => {
    expectDatasetError(() => readIdx(encodeIdx(images).subarray(0, 10), 'h'), 'TRUNCATED', 'expected a 16-byte header', 'got 10 bytes');
    expectDatasetError(() => readIdx(new Uint8Array([0, 0]), 'h'), 'TRUNCATED', 'got 2');
  });

  it('rejects a truncated gzipped file (header count larger than the data)', () => {
    // Valid gzip whose IDX content is short: the TRUNCATED check runs after inflating.
    const short = encodeIdx({ dtype: 'uint8', dims: [4], data: new Uint8Array(4) }).subarray(0, 10);
    expectDatasetError(() => readIdx(gzipSync(short), 'l.gz'), 'TRUNCATED', 'expected 12 bytes', 'got 10');
  });

  it('rejects trailing bytes after the declared data', () => {
    const raw = new Uint8Array([...encodeIdx(images), 1, 2]);
    expectDatasetError(() => readIdx(raw, 'x'), 'TRAILING_DATA', 'expected 40 bytes', 'got 42');
  });

  it('rejects a bad magic', () => {
    const raw = encodeIdx(images);
    raw[0] = 0x12;
    expectDatasetError(() => readIdx(raw, 'bad.idx'), 'BAD_MAGIC', 'bad.idx', '0x12000803');
    // Zero dimensions is not a valid IDX file either.
    expectDatasetError(() => readIdx(new Uint8Array([0, 0, 8, 0]), 'z'), 'BAD_MAGIC', '0x00000800');
    // A PNG, say, is not IDX.
    expectDatasetError(() => readIdx(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])), 'BAD_MAGIC');
  });

  it('rejects an unknown dtype byte', () => {
    const raw = encodeIdx(images);
    raw[2] = 0x0a;
    expectDatasetError(() => readIdx(raw, 'd'), 'UNSUPPORTED_DTYPE', '0xa');
  });

  it('wraps a corrupted gzip (bad CRC) as CORRUPT_GZIP naming the file, keeping the zlib error as cause', async () => {
    const gz = encodeIdx(images, { gzip: true });
    gz[gz.length - 6] ^= 0xff; // inside the CRC32 trailer
    const path = join(tmp, 'crc.gz');
    writeFileSync(path, gz);
    const err = await expectDatasetErrorAsync(readIdxFile(path), 'CORRUPT_GZIP', path, 'corrupted gzip');
    expect(err.path).toBe(path);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('wraps a cut-off gzip stream as CORRUPT_GZIP (sync and async paths)', async () => {
    const gz = encodeIdx(images, { gzip: true });
    const cut = gz.subarray(0, gz.length - 12);
    expectDatasetError(() => readIdx(cut, 'cut.gz'), 'CORRUPT_GZIP', 'cut.gz');
    const path = join(tmp, 'cut.gz');
    writeFileSync(path, cut);
    await expectDatasetErrorAsync(readIdxFile(path), 'CORRUPT_GZIP', path);
  });

  it('reports a missing file as FILE_NOT_FOUND', async () => {
    await expectDatasetErrorAsync(readIdxFile(join(tmp, 'nope.gz')), 'FILE_NOT_FOUND', 'nope.gz');
  });

  it('encodeIdx rejects data that does not match the dims', () => {
    expectDatasetError(() => encodeIdx({ dtype: 'uint8', dims: [2, 3], data: new Uint8Array(5) }), 'BAD_ARGUMENT', 'need 6 elements');
  });
});
