/**
 * Thrown when training cannot go on: a non-finite loss or gradient (the message names the step,
 * epoch and cause), or an invalid trainer option.
 *
 * @example
 * ```ts
 * try { await train(model, data, opts); } catch (e) { if (e instanceof TrainingError) console.error(e.step, e.message); }
 * ```
 */
export class TrainingError extends Error {
  constructor(
    message: string,
    readonly step?: number,
    readonly epoch?: number,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}
