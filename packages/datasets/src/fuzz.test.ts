/**
 * Property-based fuzzing of every reader of this package (IDX raw and gzipped, CIFAR-10, SST-2,
 * vocab): any input either decodes to a well-formed value or throws a `DatasetError`; never a raw
 * TypeError / RangeError, never a hang, never an output larger than the stated bound.
 *
 * Runs per property: `ACN_FUZZ_RUNS` (default 200; e.g. `ACN_FUZZ_RUNS=20000` for a long run).
 * Inputs are random bytes and single/multi-byte mutations of valid files (which reach far deeper
 * into the parsers than random bytes).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeCase, FUZZ_RUNS } from '../../../fuzz.shared';
import { describe, expect, it } from 'vitest';
import { readCifar10Batch } from './cifar10';
import { DatasetError } from './errors';
import { MAX_INFLATED_BYTES } from './gzip';
import { encodeIdx, readIdx } from './idx';
import { parseSst2 } from './text/sst2';
import { parseVocab } from './text/vocab-file';
import { makeCifar10Bytes } from './test-support/cifar10-fixture';

const RUNS = FUZZ_RUNS;
const counts: Record<string, number> = {};

function property<T, V>(name: string, input: fc.Arbitrary<T>, decode: (x: T) => V, check: (v: V, x: T) => void): void {
  fc.assert(fc.property(input, decodeCase(name, decode, (e) => e instanceof DatasetError, check, counts)), { numRuns: RUNS });
}

/** Random bytes, and mutations (overwrite, cut, extend) of a valid sample. */
function around(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(valid.length + 8))
    .map(([edits, cut]) => {
      const b = new Uint8Array(Math.max(cut, 0));
      b.set(valid.subarray(0, Math.min(cut, valid.length)));
      for (const [i, v] of edits) if (i < b.length) b[i] = v;
      return b;
    });
  return fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated, mutated);
}

const idx = encodeIdx({ dtype: 'int16', dims: [3, 2, 2], data: Int16Array.from({ length: 12 }, (_, i) => i * 1000 - 5000) });
const text = (s: string) => new TextEncoder().encode(s);

describe(`fuzz: dataset readers (${RUNS} cases each)`, () => {
  it('IDX raw: value dims match the data; output no larger than the input', () => {
    property('idx', around(idx), (b) => readIdx(b, 'fuzz.idx'), (v: { dims: number[]; data: ArrayLike<number> }, b) => {
      expect(v.dims.reduce((a, d) => a * d, 1)).toBe(v.data.length);
      expect(v.data.length).toBeLessThanOrEqual(b.length);
    });
  });

  it('IDX gzipped: inflation bounded by the trailer and the hard cap', () => {
    const gz = new Uint8Array(gzipSync(idx));
    property('idx.gz', around(gz), (b) => readIdx(b, 'fuzz.idx.gz'), (v: { data: ArrayLike<number> }, b) => {
      expect(v.data.length).toBeLessThanOrEqual(Math.min(b.length * 1032 + 64, MAX_INFLATED_BYTES));
    });
  });

  it('CIFAR-10 batch: whole records, labels 0..9, pixels in [0, 1]', () => {
    property('cifar10', around(makeCifar10Bytes([3, 7])), (b) => readCifar10Batch(b, { source: 'fuzz.bin' }), (v: { count: number; labels: Uint8Array; images: Float32Array }) => {
      expect(v.count).toBeGreaterThan(0);
      expect(v.images.length).toBe(v.count * 3072);
      expect(v.labels.every((l) => l <= 9)).toBe(true);
    });
  });

  it('SST-2 (labeled and test files): labels 0/1, indices int32 >= 0', () => {
    const labeled = text('sentence\tlabel\nit is good \t1\nbad \t0\n');
    const test = text('index\tsentence\n0\tit is good\n2147483647\tbad\n');
    const decode = (b: Uint8Array) => parseSst2(new TextDecoder().decode(b), { source: 'fuzz.tsv' });
    const check = (v: { count: number; labels?: Int32Array; indices?: Int32Array; sentences: readonly string[] }) => {
      expect(v.sentences.length).toBe(v.count);
      if (v.labels) expect(v.labels.every((l) => l === 0 || l === 1)).toBe(true);
      if (v.indices) expect(v.indices.every((i) => i >= 0)).toBe(true);
    };
    property('sst2-labeled', around(labeled), decode, check);
    property('sst2-test', around(test), decode, check);
  });

  it('vocab: non-empty unique tokens without whitespace', () => {
    property('vocab', around(text('[PAD]\n[UNK]\n[CLS]\n##ing\nthe\n')), (b) => parseVocab(new TextDecoder().decode(b), 'fuzz.txt'), (v: string[]) => {
      expect(new Set(v).size).toBe(v.length);
      expect(v.every((t) => t.length > 0 && !/\s/u.test(t))).toBe(true);
    });
  });

  it('prints the case counts', () => {
    console.log(`[fuzz datasets] ${JSON.stringify(counts)}`);
  });
});
