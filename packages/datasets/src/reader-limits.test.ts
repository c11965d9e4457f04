/**
 * Reader limits and odd files (issue 12 §2): gzip output bounded by what the trailer announces
 * and by a hard cap, CIFAR-10 empty / partial / cut files, SST-2 index overflow, IDX zero
 * dimensions, directories instead of files, a byte-order mark shown in the message.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES, loadCifar10, readCifar10Batch } from './cifar10';
import { maybeGunzip, maybeGunzipSync } from './gzip';
import { readIdx, readIdxFile } from './idx';
import { loadSst2, parseSst2 } from './text/sst2';
import { loadVocab } from './text/vocab-file';
import { makeCifar10Bytes } from './test-support/cifar10-fixture';
import { expectDatasetError, expectDatasetErrorAsync } from './test-support/expect-error';
import { useTmpDir } from './test-support/tmp-dir';

const tmp = useTmpDir('limits');

/** A gzip stream whose trailer lies about the inflated size (announces `announced` bytes). */
function lyingGzip(payload: Uint8Array, announced: number): Uint8Array {
  const gz = gzipSync(payload);
  new DataView(gz.buffer, gz.byteOffset, gz.byteLength).setUint32(gz.length - 4, announced, true);
  return gz;
}

describe('reader limits', () => {
  it('gzip inflation stops at the size the trailer announces (a bomb does not allocate)', async () => {
    const bomb = lyingGzip(new Uint8Array(64 << 20), 1000); // 64 MiB of zeros, ~65 KB gzipped, announcing 1000 bytes
    const t0 = performance.now();
    const rss0 = process.memoryUsage().rss;
    expectDatasetError(() => maybeGunzipSync(bomb, 'bomb.gz'), 'CORRUPT_GZIP', 'bomb.gz', 'inflates past the 1000 bytes');
    await expectDatasetErrorAsync(maybeGunzip(bomb, 'bomb.gz'), 'CORRUPT_GZIP', 'inflates past');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(32 << 20);
    // An honest trailer above the hard cap is refused before inflating.
    expectDatasetError(() => maybeGunzipSync(gzipSync(new Uint8Array(4096)), 'big.gz', 1024), 'TOO_LARGE', 'big.gz', '4096 bytes');
    // A trailer announcing more than the stream holds is corrupt too.
    expectDatasetError(() => maybeGunzipSync(lyingGzip(new Uint8Array(10), 20), 'short.gz'), 'CORRUPT_GZIP', 'short.gz');
    // A cut file's last 4 bytes are no trailer: an impossible size is named as truncation.
    const cut = gzipSync(new Uint8Array(4096).map((_, i) => (i * 7919) % 251)).subarray(0, 40);
    expectDatasetError(() => maybeGunzipSync(cut, 'cut.gz'), 'CORRUPT_GZIP', 'cut.gz');
    expect(Array.from(maybeGunzipSync(gzipSync(new Uint8Array([1, 2, 3])), 'ok.gz'))).toEqual([1, 2, 3]);
  });

  it('CIFAR-10: empty file, partial batch, file cut at a record boundary or at an odd size', async () => {
    expectDatasetError(() => readCifar10Batch(new Uint8Array(0), { source: 'empty.bin' }), 'TRUNCATED', 'empty.bin', 'empty file');
    expectDatasetError(() => readCifar10Batch(makeCifar10Bytes([1, 2, 3]).subarray(0, 2 * CIFAR10_RECORD_BYTES + 17), { source: 'cut.bin' }), 'BAD_LENGTH', 'cut.bin');
    expectDatasetError(() => readCifar10Batch(makeCifar10Bytes([1, 2, 3]), { source: 'p.bin', records: 4 }), 'COUNT_MISMATCH', '3 CIFAR-10 records, expected 4');
    const dir = join(tmp, 'cifar');
    mkdirSync(dir, { recursive: true });
    for (const name of [...CIFAR10_FILES.train, ...CIFAR10_FILES.test]) writeFileSync(join(dir, name), makeCifar10Bytes([1, 2]));
    writeFileSync(join(dir, CIFAR10_FILES.train[2]), makeCifar10Bytes([1])); // cut at a record boundary
    await expectDatasetErrorAsync(loadCifar10(dir, { recordsPerFile: 2 }), 'COUNT_MISMATCH', 'data_batch_3.bin', '1 CIFAR-10 records, expected 2');
    // The default expects the official 10,000 records per file.
    await expectDatasetErrorAsync(loadCifar10(dir), 'COUNT_MISMATCH', 'expected 10000');
  });

  it('SST-2 test indices must fit int32; a BOM is named, not invisible', () => {
    expectDatasetError(() => parseSst2('index\tsentence\n2147483648\tx\n'), 'BAD_LABEL', 'index "2147483648" is not an integer in [0, 2147483647]');
    expect(parseSst2('index\tsentence\n2147483647\tx\n').indices![0]).toBe(2147483647);
    const e = expectDatasetError(() => parseSst2('\uFEFFsentence\tlabel\nx\t1\n'), 'BAD_MAGIC', '"\\ufeffsentence', 'byte-order mark U+FEFF');
    expect(e.message).not.toContain('\uFEFF');
  });

  it('IDX: a zero dimension is refused', () => {
    const bytes = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    expectDatasetError(() => readIdx(bytes, 'zero.idx'), 'BAD_LENGTH', 'zero.idx', 'dimension 1 is 0');
  });

  it('a directory where a file is expected is a coded error', async () => {
    const dir = join(tmp, 'dirs');
    mkdirSync(join(dir, 'vocab.txt'), { recursive: true });
    expectDatasetError(() => loadVocab(join(dir, 'vocab.txt')), 'NOT_A_FILE', 'is a directory');
    mkdirSync(join(dir, 'dev.tsv'));
    expectDatasetError(() => loadSst2(dir, 'dev'), 'NOT_A_FILE', 'dev.tsv');
    await expectDatasetErrorAsync(readIdxFile(dir), 'NOT_A_FILE', 'is a directory');
  });
});
