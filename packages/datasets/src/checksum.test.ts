import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_SHA256, knownSha256, sha256Bytes, sha256File, verifySha256 } from './checksum';
import { HAS_SHARED_FASHION, HAS_SHARED_MNIST, NEEDS_SHARED, SHARED_DATA, SHARED_FASHION } from './test-support/shared-data';
import { expectDatasetErrorAsync } from './test-support/expect-error';
import { useTmpDir } from './test-support/tmp-dir';

const tmp = useTmpDir('checksum');
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'; // FIPS 180-2 test vector

describe('sha256', () => {
  it('hashes bytes and streamed files (FIPS test vector "abc")', async () => {
    expect(sha256Bytes(new TextEncoder().encode('abc'))).toBe(ABC_SHA256);
    const path = join(tmp, 'abc.txt');
    writeFileSync(path, 'abc');
    expect(await sha256File(path)).toBe(ABC_SHA256);
  });

  it('streams files larger than one read chunk', async () => {
    const big = Buffer.alloc(3 * 65536 + 17, 7);
    const path = join(tmp, 'big.bin');
    writeFileSync(path, big);
    expect(await sha256File(path)).toBe(sha256Bytes(big));
  });

  it('verifySha256 returns the sum on a match (case-insensitive) and names file, expected and actual on a mismatch', async () => {
    const path = join(tmp, 'abc2.txt');
    writeFileSync(path, 'abc');
    expect(await verifySha256(path, ABC_SHA256.toUpperCase())).toBe(ABC_SHA256);
    writeFileSync(path, 'abd');
    const actual = sha256Bytes(new TextEncoder().encode('abd'));
    const err = await expectDatasetErrorAsync(verifySha256(path, ABC_SHA256), 'CHECKSUM_MISMATCH', path, ABC_SHA256, actual);
    expect(err.path).toBe(path);
  });

  it('reports a missing file as FILE_NOT_FOUND', async () => {
    await expectDatasetErrorAsync(sha256File(join(tmp, 'missing')), 'FILE_NOT_FOUND', 'missing');
  });
});

describe('KNOWN_SHA256', () => {
  it('has the 4 gzipped + 4 decompressed files for each dataset, as 64 lowercase hex digits', () => {
    for (const table of Object.values(KNOWN_SHA256)) {
      expect(Object.keys(table).sort()).toEqual(
        ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'].flatMap((n) => [n, `${n}.gz`]),
      );
      for (const sum of Object.values(table)) expect(sum).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('looks up by base name', () => {
    expect(knownSha256('mnist', '/x/y/train-labels-idx1-ubyte.gz')).toBe(KNOWN_SHA256.mnist['train-labels-idx1-ubyte.gz']);
    expect(knownSha256('mnist', 'other.bin')).toBeUndefined();
  });

  it('agrees with the sums in the embedded subset README', () => {
    const readme = readFileSync(new URL('../data/fashion-mnist-subset/README.md', import.meta.url), 'utf8');
    for (const [name, sum] of Object.entries(KNOWN_SHA256['fashion-mnist-subset'])) {
      expect(readme).toMatch(new RegExp(`${name.replace('.gz', '')}.*${sum}`));
    }
  });

  it.runIf(HAS_SHARED_FASHION && HAS_SHARED_MNIST)(`agrees with the .gz sums published in the shared data READMEs ${NEEDS_SHARED}`, () => {
    for (const dataset of ['mnist', 'fashion-mnist'] as const) {
      const readme = readFileSync(join(SHARED_DATA, dataset, 'README.md'), 'utf8');
      for (const [name, sum] of Object.entries(KNOWN_SHA256[dataset])) {
        if (name.endsWith('.gz')) expect(readme).toMatch(new RegExp(`\\| ${name.replace(/\./g, '\\.')} \\|[^\\n]*\\| ${sum} \\|`));
      }
    }
  });

  it.runIf(HAS_SHARED_FASHION)(`a tampered copy of a real file fails verification, naming file, expected and actual ${NEEDS_SHARED}`, async () => {
    const path = join(tmp, 't10k-labels-idx1-ubyte.gz');
    copyFileSync(join(SHARED_FASHION, 't10k-labels-idx1-ubyte.gz'), path);
    const expected = KNOWN_SHA256['fashion-mnist']['t10k-labels-idx1-ubyte.gz'];
    await verifySha256(path, expected); // the untouched copy passes
    const bytes = readFileSync(path);
    bytes[100] ^= 0x01;
    writeFileSync(path, bytes);
    await expectDatasetErrorAsync(verifySha256(path, expected), 'CHECKSUM_MISMATCH', path, expected, sha256Bytes(bytes));
  });
});
