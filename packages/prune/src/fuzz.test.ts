/**
 * Property-based fuzzing of the CSR reader (`importSparse`): any CSR-shaped object (arbitrary
 * numbers in every array, arbitrary shapes) imports to a dense tensor holding exactly its values,
 * or throws a `SparseFormatError`; never a raw error, never a leak, never a hang, never a dense
 * output over 2^28 elements.
 *
 * Runs per property: `ACN_FUZZ_RUNS` (default 200; e.g. `ACN_FUZZ_RUNS=20000` for a long run).
 */
import { tf } from '@acn/core';
import fc from 'fast-check';
import { decodeCase, FUZZ_RUNS } from '../../../fuzz.shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { importSparse, toCsr, type SparseWeight } from './csr';
import { SparseFormatError } from './sparse-error';
import { useWasm } from './test-helpers';

const RUNS = FUZZ_RUNS;
const counts: Record<string, number> = {};

/** importSparse, checking that a refusal frees everything it made. */
function importChecked(s: SparseWeight): tf.Tensor {
  const before = tf.memory().numTensors;
  try {
    return importSparse(s);
  } catch (e) {
    if (tf.memory().numTensors !== before) throw new Error(`importSparse leaked ${tf.memory().numTensors - before} tensors on ${(e as Error).message}`);
    throw e;
  }
}

/** A successful import holds exactly the stored non-zero values, within the 2^28-element bound. */
function roundTrips(t: tf.Tensor, s: SparseWeight): void {
  const dense = t.dataSync();
  t.dispose();
  expect(dense.length).toBeLessThanOrEqual(2 ** 28);
  const back = toCsr(dense, t.shape);
  expect(Array.from(back.values)).toEqual(Array.from(s.values, (v) => Math.fround(v)).filter((v) => v !== 0));
}

function property(name: string, input: fc.Arbitrary<SparseWeight>): void {
  fc.assert(fc.property(input, decodeCase(name, importChecked, (e) => e instanceof SparseFormatError, roundTrips, counts)), { numRuns: RUNS });
}

const num = fc.oneof(fc.integer({ min: -3, max: 8 }), fc.double(), fc.constant(Number.NaN));

describe(`fuzz: CSR import (${RUNS} cases each)`, () => {
  beforeAll(useWasm);

  it('arbitrary CSR objects', () => {
    const any = fc.record({
      format: fc.constantFrom('csr', 'coo'),
      shape: fc.array(fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constant(1e6)), { maxLength: 3 }),
      values: fc.array(num, { maxLength: 10 }).map((a) => Float32Array.from(a)),
      colIndices: fc.array(num, { maxLength: 10 }).map((a) => Float64Array.from(a)),
      rowPtr: fc.array(num, { maxLength: 8 }).map((a) => Float64Array.from(a)),
      sparseBytes: fc.constant(0),
    }) as unknown as fc.Arbitrary<SparseWeight>;
    property('csr-any', any);
  });

  it('mutations of valid exports (one array entry changed)', () => {
    const valid = toCsr(new Float32Array([0, 2, 0, 3, 0, -4, 0, 0, 5, 0, 0, 6]), [3, 4]);
    const mutated = fc.tuple(fc.constantFrom('values', 'colIndices', 'rowPtr'), fc.nat(12), num).map(([k, i, v]) => {
      const arrays: Record<string, Float64Array> = {
        values: Float64Array.from(valid.values),
        colIndices: Float64Array.from(valid.colIndices),
        rowPtr: Float64Array.from(valid.rowPtr),
      };
      if (i < arrays[k].length) arrays[k][i] = v;
      return { ...valid, ...arrays } as unknown as SparseWeight;
    });
    property('csr-mutated', mutated);
  });

  it('prints the case counts', () => {
    console.log(`[fuzz prune] ${JSON.stringify(counts)}`);
  });
});
