/**
 * `@acn/onnx`: export `@acn/core` models, with every baked compressed form, to ONNX, and run them
 * on onnxruntime (Node or web), including per-sample early exit.
 *
 * @example
 * ```ts
 * import { exportOnnx, loadOnnxRuntime } from '@acn/onnx';
 * model.hooks.bakeAll();
 * const { bytes, sizes } = exportOnnx(model, { quantized: exportQuantized(model).weights });
 * const ort = await loadOnnxRuntime('node');
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export { exportOnnx } from './export';
export type { ExportOnnxOptions, OnnxExport, OnnxIo, OnnxSizes } from './export';
export type { QuantForms, WeightReport } from './emit-context';
export type { OnnxQuantizedWeight } from './quant-info';
export { OnnxError } from './errors';
export type { OnnxErrorCode } from './errors';
export { WIRING } from './wiring';
export type { OnnxWiring } from './wiring';
export { IR_VERSION, OPSETS } from './build';
export { decodeModelProto, encodeModelProto } from './proto';
export type { OnnxModelObject } from './proto';
export { loadOnnxRuntime } from './runtime';
export type { OrtFlavor, OrtModule, OrtSession, OrtTensor } from './runtime';
export { exportOnnxSegments } from './segments';
export type { ExportSegmentsOptions, OnnxSegment, OnnxSegments } from './segments';
export { OnnxEarlyExitRunner, createEarlyExitRunner } from './early-exit-runner';
export type { OnnxEarlyExitResult, OnnxExitInput, OnnxExitPolicy } from './early-exit-runner';
export { onnxSummary } from './summary';
export type { OnnxSummary } from './summary';
