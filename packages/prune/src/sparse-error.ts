/**
 * Why a CSR sparse weight was refused by `importSparse` / `loadSparse`.
 *
 * - `INVALID_SHAPE`: the dense shape is not a list of positive integers (or too large).
 * - `INVALID_STRUCTURE`: array types or lengths, `rowPtr` not starting at 0, decreasing, or not
 *   ending at the number of values.
 * - `INVALID_INDEX`: a column index that is not an integer in `[0, cols)`, or not strictly
 *   increasing within its row (a duplicate entry).
 * - `INVALID_VALUE`: a stored value that is NaN or infinite.
 * - `MISMATCH`: the export does not fit the model (unknown weight, other shape).
 *
 * @example
 * ```ts
 * const code: SparseFormatErrorCode = 'INVALID_INDEX';
 * ```
 */
export type SparseFormatErrorCode = 'INVALID_SHAPE' | 'INVALID_STRUCTURE' | 'INVALID_INDEX' | 'INVALID_VALUE' | 'MISMATCH';

/**
 * Thrown for a malformed CSR export; the message names the row, index and value involved.
 *
 * @example
 * ```ts
 * try { loadSparse(model, exp); } catch (e) { if (e instanceof SparseFormatError) console.error(e.code, e.message); }
 * ```
 */
export class SparseFormatError extends Error {
  constructor(
    readonly code: SparseFormatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SparseFormatError';
  }
}
