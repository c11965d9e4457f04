/**
 * `@acn/onnx/runner`: the browser-safe part of `@acn/onnx` (no `@acn/core`, no tfjs): load
 * onnxruntime and run exit segments with per-sample early exit. Pages that only run exported
 * models import this entry.
 *
 * @example
 * ```ts
 * import { createEarlyExitRunner } from '@acn/onnx/runner';
 * import * as ort from 'onnxruntime-web';
 * const runner = await createEarlyExitRunner(ort, segments);
 * ```
 */
export { OnnxEarlyExitRunner, createEarlyExitRunner } from './early-exit-runner';
export type { OnnxEarlyExitResult, OnnxExitInput, OnnxExitPolicy } from './early-exit-runner';
export { loadOnnxRuntime } from './runtime';
export type { OrtFlavor, OrtModule, OrtSession, OrtTensor } from './runtime';
export { OnnxError } from './errors';
export type { OnnxErrorCode } from './errors';
export type { OnnxSegment, OnnxSegments } from './segments';
