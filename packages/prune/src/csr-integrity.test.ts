/**
 * CSR import refuses what `toCsr` never writes (issue 12 §2) and `loadSparse` validates every
 * weight before it writes any.
 */
import { tf } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { importSparse, toCsr, type SparseWeight } from './csr';
import { exportSparse, loadSparse } from './sparse-export';
import { SparseFormatError } from './sparse-error';
import { tinyMlp, useWasm, values } from './test-helpers';

const base = (): SparseWeight => toCsr(new Float32Array([0, 2, 0, 3, 0, -4]), [2, 3]); // rows [0,2,0], [3,0,-4]

function code(fn: () => unknown): string {
  const before = tf.memory().numTensors;
  try {
    const t = fn() as { dispose?: () => void };
    t?.dispose?.();
  } catch (e) {
    expect(e).toBeInstanceOf(SparseFormatError);
    expect(tf.memory().numTensors).toBe(before);
    return (e as SparseFormatError).code;
  }
  return 'none';
}

describe('CSR import integrity', () => {
  beforeAll(useWasm);

  it('refuses negative, NaN, fractional, out-of-range, duplicate and unsorted column indices', () => {
    const bad = (cols: number[]) => ({ ...base(), colIndices: Float64Array.from(cols) as unknown as Uint32Array });
    expect(code(() => importSparse(bad([1, -1, 2])))).toBe('INVALID_INDEX'); // -1 would land in row 0
    expect(code(() => importSparse(bad([1, Number.NaN, 2])))).toBe('INVALID_INDEX');
    expect(code(() => importSparse(bad([1, 0.5, 2])))).toBe('INVALID_INDEX');
    expect(code(() => importSparse(bad([1, 0, 3])))).toBe('INVALID_INDEX');
    expect(code(() => importSparse(bad([1, 2, 2])))).toBe('INVALID_INDEX'); // duplicate entry
    expect(code(() => importSparse(bad([1, 2, 0])))).toBe('INVALID_INDEX'); // unsorted
  });

  it('refuses bad rowPtr, values, shapes and types', () => {
    expect(code(() => importSparse({ ...base(), rowPtr: new Uint32Array([0, 2, 1]) }))).toBe('INVALID_STRUCTURE');
    expect(code(() => importSparse({ ...base(), rowPtr: Float64Array.from([0, 0.5, 3]) as unknown as Uint32Array }))).toBe('INVALID_STRUCTURE');
    expect(code(() => importSparse({ ...base(), values: new Float32Array([2, Number.NaN, -4]) }))).toBe('INVALID_VALUE');
    expect(code(() => importSparse({ ...base(), shape: [2, -3] }))).toBe('INVALID_SHAPE');
    expect(code(() => importSparse({ ...base(), shape: [65536, 65536] }))).toBe('INVALID_SHAPE');
    expect(code(() => importSparse({ ...base(), values: null as unknown as Float32Array }))).toBe('INVALID_STRUCTURE');
    expect(code(() => importSparse(null as unknown as SparseWeight))).toBe('INVALID_STRUCTURE');
    expect(values(importSparse(base()))).toEqual([0, 2, 0, 3, 0, -4]);
  });

  it('loadSparse leaves the model untouched when any weight of the export is bad', () => {
    const m = tinyMlp(3);
    const exp = exportSparse(m);
    const before = Object.fromEntries(Object.entries(m.namedWeights()).map(([k, v]) => [k, values(v)]));
    const weights = { ...exp.weights };
    const last = Object.keys(weights).at(-1)!;
    weights[last] = { ...weights[last], colIndices: Float64Array.from(weights[last].colIndices, (c, i) => (i === 0 ? -1 : c)) as unknown as Uint32Array };
    expect(code(() => loadSparse(m, { ...exp, weights }))).toBe('INVALID_INDEX');
    for (const [k, v] of Object.entries(m.namedWeights())) expect(values(v)).toEqual(before[k]);
    m.dispose();
  });
});
