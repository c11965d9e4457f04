/**
 * What went wrong in an ONNX export or run:
 * - `unbaked-hook`: a hook is still attached (bake or dispose it first);
 * - `no-onnx-form`: a hook, weight or quantized form has no ONNX equivalent;
 * - `unsupported-layer`: the model has a layer or architecture the exporter does not know;
 * - `bad-quantization`: quantization info that does not match the model's weights;
 * - `bad-option`: an invalid option;
 * - `runtime-missing`: the optional onnxruntime package is not installed.
 *
 * @example
 * ```ts
 * const code: OnnxErrorCode = 'unbaked-hook';
 * ```
 */
export type OnnxErrorCode = 'unbaked-hook' | 'no-onnx-form' | 'unsupported-layer' | 'bad-quantization' | 'bad-option' | 'runtime-missing';

/**
 * Error of `@acn/onnx`, with a code, and the layer path and hook name when they apply.
 *
 * @example
 * ```ts
 * try { exportOnnx(model); } catch (e) { if (e instanceof OnnxError && e.code === 'unbaked-hook') console.log(e.path, e.hook); }
 * ```
 */
export class OnnxError extends Error {
  constructor(
    readonly code: OnnxErrorCode,
    message: string,
    readonly path?: string,
    readonly hook?: string,
  ) {
    super(message);
    this.name = 'OnnxError';
  }
}
