/**
 * Why a backend could not be used.
 * - `LOAD_FAILED`: the backend's package could not be imported (not installed, or installed without
 *   its native binary, which is common for `@tensorflow/tfjs-node*` on offline machines).
 * - `INIT_FAILED`: the package loaded but `tf.setBackend(name)` returned false / threw, or tfjs
 *   silently stayed on another backend.
 * - `UNKNOWN_KIND`: the requested kind is not one of `'auto' | 'tensorflow' | 'wasm' | 'cpu'`.
 */
export type BackendErrorCode = 'LOAD_FAILED' | 'INIT_FAILED' | 'UNKNOWN_KIND';

/** One attempt made while choosing a backend (`error` is absent for the attempt that worked). */
export interface BackendAttempt {
  /** What was tried: `'tfjs-node-gpu'`, `'tfjs-node'`, `'wasm'` or `'cpu'`. */
  kind: string;
  /** Why it failed, if it did. */
  error?: string;
}

/**
 * Error thrown by {@link initBackend} when an explicitly requested backend cannot be used. The
 * message always says which npm package to install.
 *
 * @example
 * ```ts
 * try {
 *   await initBackend('tensorflow');
 * } catch (e) {
 *   if (e instanceof BackendError && e.code === 'LOAD_FAILED') await initBackend('wasm');
 * }
 * ```
 */
export class BackendError extends Error {
  /** Machine-readable reason. */
  readonly code: BackendErrorCode;
  /** Every attempt made before giving up, in order. */
  readonly tried: BackendAttempt[];

  constructor(code: BackendErrorCode, message: string, tried: BackendAttempt[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'BackendError';
    this.code = code;
    this.tried = tried;
  }
}
