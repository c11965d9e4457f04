/*
 * Compressed sparse row (CSR) storage of one weight: what a pruned kernel costs once exported in a
 * sparse format, and the exact round trip back to a dense tensor.
 *
 * Layout: a weight of shape `[d0, d1, ...]` is viewed as a matrix `[rows = d0, cols = d1·...]`
 * (rank 0 and 1: one row). For a dense kernel `[in, out]` a row is one input unit, so `x·K` can be
 * computed row by row: `y[col] += x[row]·value`.
 *
 * - `values`: float32, the non-zeros in row-major order (`nnz`)
 * - `colIndices`: column of each value; `Uint16Array` when `cols ≤ 65536`, else `Uint32Array`
 * - `rowPtr`: `Uint32Array` `[rows + 1]`; row r's values are `values[rowPtr[r] .. rowPtr[r+1])`
 *
 * Bytes = `4·nnz + (2 or 4)·nnz + 4·(rows + 1)`. With 16-bit indices CSR is smaller than dense
 * float32 only below ~2/3 density (sparsity above ~1/3).
 */
import { tf, type Tensor } from '@acn/core';
import { SparseFormatError, type SparseFormatErrorCode } from './sparse-error';

/**
 * One weight in CSR form; structured-clone / `postMessage` serialisable (typed arrays + numbers).
 *
 * @example
 * ```ts
 * const s: SparseWeight = exportSparseLayer(tf.tensor2d([[0, 2], [3, 0]]));
 * s.values; // Float32Array [2, 3]; s.colIndices: Uint16Array [1, 0]; s.rowPtr: Uint32Array [0, 1, 2]
 * ```
 */
export interface SparseWeight {
  readonly format: 'csr';
  /** The dense shape, restored by `importSparse`. */
  readonly shape: readonly number[];
  readonly values: Float32Array;
  readonly colIndices: Uint16Array | Uint32Array;
  readonly rowPtr: Uint32Array;
  /** Bytes of the three arrays (`values` + `colIndices` + `rowPtr`). */
  readonly sparseBytes: number;
}

/** `[rows, cols]` of the CSR view of a shape. */
export function csrView(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [1, shape[0]];
  return [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
}

/**
 * Bytes of the CSR form of a weight with `nnz` non-zeros (see the module comment).
 *
 * @param valueBytes bytes per stored value; 4 for float32 (default)
 * @example
 * ```ts
 * csrBytes([128, 512], 6554); // 6554·4 + 6554·2 + 129·4 = 39840 (dense: 262144)
 * ```
 */
export function csrBytes(shape: readonly number[], nnz: number, valueBytes = 4): number {
  const [rows, cols] = csrView(shape);
  const indexBytes = cols <= 65536 ? 2 : 4;
  return nnz * valueBytes + nnz * indexBytes + 4 * (rows + 1);
}

/**
 * The CSR form of row-major values of a given shape (exact zeros are dropped, `-0` included).
 *
 * @example
 * ```ts
 * toCsr(new Float32Array([0, 2, 3, 0]), [2, 2]).rowPtr; // [0, 1, 2]
 * ```
 */
export function toCsr(data: ArrayLike<number>, shape: readonly number[]): SparseWeight {
  const [rows, cols] = csrView(shape);
  if (data.length !== rows * cols) throw new Error(`toCsr: ${data.length} values do not fit shape ${JSON.stringify(shape)}`);
  let nnz = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nnz++;
  const values = new Float32Array(nnz);
  const colIndices = cols <= 65536 ? new Uint16Array(nnz) : new Uint32Array(nnz);
  const rowPtr = new Uint32Array(rows + 1);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    rowPtr[r] = at;
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c];
      if (v !== 0) {
        values[at] = v;
        colIndices[at] = c;
        at++;
      }
    }
  }
  rowPtr[rows] = at;
  return { format: 'csr', shape: [...shape], values, colIndices, rowPtr, sparseBytes: values.byteLength + colIndices.byteLength + rowPtr.byteLength };
}

/**
 * Row-major dense values of a CSR weight (zeros where nothing is stored). Checks the structure,
 * so a truncated or corrupted export fails loudly instead of loading wrong weights.
 *
 * @example
 * ```ts
 * fromCsr(toCsr(new Float32Array([0, 2, 3, 0]), [2, 2])); // Float32Array [0, 2, 3, 0]
 * ```
 */
export function fromCsr(s: SparseWeight): Float32Array {
  const fail = (code: SparseFormatErrorCode, msg: string): never => {
    throw new SparseFormatError(code, `importSparse: ${msg}`);
  };
  if (s === null || typeof s !== 'object' || s.format !== 'csr') return fail('INVALID_STRUCTURE', `expected a CSR weight (format 'csr'), got ${JSON.stringify((s as { format?: unknown } | null)?.format)}`);
  const shape = s.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) return fail('INVALID_SHAPE', `shape must be positive integers, got ${JSON.stringify(shape)}`);
  const [rows, cols] = csrView(shape);
  // Refuse before allocating the dense output: 2^28 float32 = 1 GiB is past any layer we make.
  if (!(rows * cols <= 2 ** 28)) fail('INVALID_SHAPE', `shape ${JSON.stringify(shape)} has ${rows * cols} elements, more than 2^28`);
  const isArr = (a: unknown): a is ArrayLike<number> => ArrayBuffer.isView(a) || Array.isArray(a);
  if (!isArr(s.values) || !isArr(s.colIndices) || !isArr(s.rowPtr)) return fail('INVALID_STRUCTURE', 'values, colIndices and rowPtr must be arrays');
  const nnz = s.values.length;
  if (s.rowPtr.length !== rows + 1 || s.colIndices.length !== nnz || s.rowPtr[0] !== 0 || s.rowPtr[rows] !== nnz) {
    fail(
      'INVALID_STRUCTURE',
      `malformed CSR for shape ${JSON.stringify(s.shape)}: rowPtr length ${s.rowPtr.length} (want ${rows + 1}), ${nnz} values, ${s.colIndices.length} indices, rowPtr starts at ${s.rowPtr[0]} and ends at ${s.rowPtr[rows]}`,
    );
  }
  // Validate everything before writing anything: a -1 or fractional column would otherwise move a
  // value into another row, a repeated one silently keep the last.
  for (let r = 0; r < rows; r++) {
    const begin = s.rowPtr[r];
    const end = s.rowPtr[r + 1];
    if (!(Number.isInteger(end) && end >= begin)) fail('INVALID_STRUCTURE', `rowPtr decreases or is not an integer at row ${r} (${begin} → ${end})`);
    let prev = -1;
    for (let k = begin; k < end; k++) {
      const c = s.colIndices[k];
      if (!(Number.isInteger(c) && c >= 0 && c < cols)) fail('INVALID_INDEX', `column index ${c} at entry ${k} (row ${r}) is not an integer in [0, ${cols})`);
      if (c <= prev) fail('INVALID_INDEX', `column index ${c} at entry ${k} (row ${r}) does not increase (after ${prev}): duplicate or unsorted entry`);
      if (!Number.isFinite(s.values[k])) fail('INVALID_VALUE', `value ${s.values[k]} at entry ${k} (row ${r}, column ${c}) is not finite`);
      prev = c;
    }
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let k = s.rowPtr[r]; k < s.rowPtr[r + 1]; k++) out[r * cols + s.colIndices[k]] = s.values[k];
  }
  return out;
}

/**
 * Exports one weight tensor (e.g. a baked, pruned kernel) to CSR. Reads the values once
 * (`dataSync`); the tensor is not disposed.
 *
 * @example
 * ```ts
 * const s = exportSparseLayer(model.layer('blocks.0.fc').weights.kernel);
 * console.log(s.sparseBytes, s.values.length);
 * ```
 */
export function exportSparseLayer(weight: Tensor): SparseWeight {
  if (weight.dtype !== 'float32') throw new Error(`exportSparseLayer: only float32 weights are supported, got ${weight.dtype} ${JSON.stringify(weight.shape)}`);
  return toCsr(weight.dataSync() as Float32Array, weight.shape);
}

/**
 * Rebuilds the dense float32 tensor of a CSR weight exactly (every value equal; a `-0` comes back
 * as `0`). The caller disposes it.
 *
 * @example
 * ```ts
 * const w = importSparse(exportSparseLayer(kernel)); // equal to kernel
 * ```
 */
export function importSparse(sparse: SparseWeight): Tensor {
  return tf.tensor(fromCsr(sparse), [...sparse.shape], 'float32');
}
