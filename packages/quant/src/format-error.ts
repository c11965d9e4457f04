/**
 * Why a packed quantized kernel or an ACNQ file was refused.
 *
 * - `TRUNCATED`: fewer bytes than the fixed parts of the format need.
 * - `BAD_MAGIC`: not an ACNQ file.
 * - `UNSUPPORTED_VERSION`: a format version this reader does not know.
 * - `CHECKSUM_MISMATCH`: the bytes changed after they were written (bit flip, truncation, edit).
 * - `INVALID_HEADER`: the JSON header is malformed (types, duplicates, unknown formats).
 * - `OUT_OF_BOUNDS`: an array lies outside the payload.
 * - `INVALID_VALUE`: a value no quantizer produces (NaN or negative scale, zero point outside the
 *   code range, invalid code), or an array of the wrong length.
 *
 * @example
 * ```ts
 * const code: QuantFormatErrorCode = 'CHECKSUM_MISMATCH';
 * ```
 */
export type QuantFormatErrorCode = 'TRUNCATED' | 'BAD_MAGIC' | 'UNSUPPORTED_VERSION' | 'CHECKSUM_MISMATCH' | 'INVALID_HEADER' | 'OUT_OF_BOUNDS' | 'INVALID_VALUE';

/**
 * Thrown by `deserializeQuantized`, `loadQuantized` and `unpackKernel` for malformed input.
 *
 * @example
 * ```ts
 * try { deserializeQuantized(bytes); } catch (e) { if (e instanceof QuantFormatError && e.code === 'CHECKSUM_MISMATCH') refetch(); }
 * ```
 */
export class QuantFormatError extends Error {
  constructor(
    readonly code: QuantFormatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'QuantFormatError';
  }
}
