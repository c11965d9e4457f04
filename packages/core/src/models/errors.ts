/**
 * Thrown for an invalid model configuration or an input that does not fit the model. The message
 * names the field (or the tensor), what was expected and what was given.
 *
 * @example
 * ```ts
 * try { createMixer({ ...cfg, depth: 0 }); } catch (e) { if (e instanceof ConfigError) console.error(e.message); }
 * ```
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Thrown when a tensor given to a model has the wrong shape or dtype.
 *
 * @example
 * ```ts
 * model.forward(tf.zeros([2, 28, 28])); // InputError: expected [B, 28, 28, 1] float32, got [2, 28, 28] float32
 * ```
 */
export class InputError extends Error {
  /**
   * What went wrong, for programs: `invalid-input` (shape, dtype, values: the default),
   * `not-a-tensor` (null, an array, ...), `input-disposed`, `model-disposed`, `non-finite-input`.
   */
  readonly code: InputErrorCode;

  constructor(message: string, code: InputErrorCode = 'invalid-input') {
    super(message);
    this.name = 'InputError';
    this.code = code;
  }
}

/**
 * Codes of `InputError`.
 *
 * @example
 * ```ts
 * try { model.forward(null as never); } catch (e) { if (e instanceof InputError && e.code === 'not-a-tensor') ... }
 * ```
 */
export type InputErrorCode = 'invalid-input' | 'not-a-tensor' | 'input-disposed' | 'model-disposed' | 'non-finite-input';
