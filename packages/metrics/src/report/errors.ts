/**
 * Errors of the report stack. `code` says what went wrong so callers can branch on it.
 */

/**
 * What a {@link ReportError} is about. `MISSING_PEER`: an optional peer dependency needed for
 * this report (vega, vega-lite) is not installed.
 */
export type ReportErrorCode = 'MISSING_PEER';

/**
 * Thrown by the report functions; the message names the problem and the fix.
 *
 * @example
 * ```ts
 * try {
 *   await renderHtmlReport(results, { title: 'run' });
 * } catch (e) {
 *   if (e instanceof ReportError && e.code === 'MISSING_PEER') console.error(e.message); // npm i vega vega-lite
 * }
 * ```
 */
export class ReportError extends Error {
  constructor(
    readonly code: ReportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}
