/**
 * Machine-readable reasons a checkpoint could not be read or written.
 *
 * Why codes and not only messages: callers (resume-from-checkpoint, CLI tools) branch on the kind
 * of failure, e.g. fall back to an older checkpoint on `TRUNCATED` but abort on `INVALID_TENSOR`,
 * and messages are free to improve without breaking them.
 *
 * - `TRUNCATED`: the file is shorter than the 8-byte header-size prefix.
 * - `HEADER_TOO_LARGE`: the declared header size exceeds the bytes that follow the prefix.
 * - `INVALID_HEADER`: the header is not UTF-8 JSON of the expected shape.
 * - `UNKNOWN_DTYPE`: a dtype this reader does not support.
 * - `INVALID_OFFSETS`: `data_offsets` out of range, reversed, overlapping or leaving a gap.
 * - `SIZE_MISMATCH`: a tensor's byte range does not equal `prod(shape) × sizeof(dtype)`.
 * - `TRAILING_BYTES`: bytes after the last tensor's data.
 * - `VALUE_OUT_OF_RANGE`: an `I64` value that does not fit the in-memory `Int32Array`.
 * - `INVALID_TENSOR`: a tensor passed to the encoder is malformed (shape, data length, array type, name).
 * - `UNSUPPORTED_DTYPE`: a `tf.Tensor` dtype with no safetensors equivalent here (string, complex64).
 * - `INVALID_FILE_NAME`: a file name given to `writeDirAtomic` is not a plain name.
 * - `NOT_A_DIRECTORY`: `writeDirAtomic` target exists but is not a directory.
 * - `RESTORE_FAILED`: a directory swap failed and the previous directory could not be put back.
 * - `MISSING_FILE`: the checkpoint directory or one of its files does not exist.
 * - `CHECKSUM_MISMATCH`: a file's sha256 differs from the one recorded when it was written (corruption).
 * - `CONFIG_MISMATCH`: the checkpoint was saved from a model with another configuration.
 * - `SHAPE_MISMATCH`: a stored tensor's shape (or the set of tensor names) does not match the model.
 * - `INVALID_MANIFEST`: `checkpoint.json` is not valid JSON of the expected shape or format version.
 * - `RECOVERY_FAILED`: the checkpoint directory is missing and no copy left by an interrupted save is complete.
 * - `INCOMPATIBLE_STATE`: saved optimizer or trainer state does not fit the model or the run.
 *
 * @example
 * ```ts
 * const code: CheckpointErrorCode = 'TRUNCATED';
 * ```
 */
export type CheckpointErrorCode =
  | 'TRUNCATED'
  | 'HEADER_TOO_LARGE'
  | 'INVALID_HEADER'
  | 'UNKNOWN_DTYPE'
  | 'INVALID_OFFSETS'
  | 'SIZE_MISMATCH'
  | 'TRAILING_BYTES'
  | 'VALUE_OUT_OF_RANGE'
  | 'INVALID_TENSOR'
  | 'UNSUPPORTED_DTYPE'
  | 'INVALID_FILE_NAME'
  | 'NOT_A_DIRECTORY'
  | 'RESTORE_FAILED'
  | 'MISSING_FILE'
  | 'CHECKSUM_MISMATCH'
  | 'CONFIG_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'INVALID_MANIFEST'
  | 'RECOVERY_FAILED'
  | 'INCOMPATIBLE_STATE';

/**
 * Thrown when checkpoint bytes or files are malformed or cannot be written safely. The message
 * names the tensor or path involved and the expected vs actual numbers.
 *
 * @example
 * ```ts
 * try {
 *   decodeSafetensors(bytes);
 * } catch (e) {
 *   if (e instanceof CheckpointError && e.code === 'TRUNCATED') console.warn('partial file');
 *   else throw e;
 * }
 * ```
 */
export class CheckpointError extends Error {
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}
