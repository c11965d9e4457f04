/**
 * Every failure this package detects in a data file, as a stable string code. Callers can branch
 * on `code` instead of parsing messages (e.g. re-download on `CHECKSUM_MISMATCH`).
 *
 * @example
 * ```ts
 * const retryable: DatasetErrorCode[] = ['CHECKSUM_MISMATCH', 'CORRUPT_GZIP', 'TRUNCATED'];
 * ```
 */
export type DatasetErrorCode =
  | 'FILE_NOT_FOUND'
  | 'DATA_DIR_NOT_FOUND'
  | 'TRUNCATED'
  | 'TRAILING_DATA'
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_DTYPE'
  | 'CORRUPT_GZIP'
  | 'COUNT_MISMATCH'
  | 'BAD_LABEL'
  | 'BAD_LENGTH'
  | 'CHECKSUM_MISMATCH'
  | 'BAD_ARGUMENT'
  | 'TOO_LARGE'
  | 'NOT_A_FILE';

/**
 * The one error class thrown by `@acn/datasets` for bad input data or arguments.
 *
 * @example
 * ```ts
 * try {
 *   await loadFashionMnist('/data/fashion-mnist', { split: 'train' });
 * } catch (err) {
 *   if (err instanceof DatasetError && err.code === 'CHECKSUM_MISMATCH') console.error(err.message);
 *   else throw err;
 * }
 * ```
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  /** What went wrong, as a stable code. */
  readonly code: DatasetErrorCode;
  /** The file the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(code: DatasetErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}
