/**
 * Backend selection and backend-level patches: {@link initBackend} (tfjs-node-gpu → tfjs-node →
 * wasm → cpu), the wasm matmul fast paths, and zero gradients for comparison ops.
 */
export { BackendError, type BackendAttempt, type BackendErrorCode } from './backend-error';
export {
  currentBackend,
  initBackend,
  type BackendInfo,
  type BackendKind,
  type InitBackendOptions,
} from './init-backend';
export { registerWasmFastPaths, unregisterWasmFastPaths, wasmFastPathsActive } from './wasm-matmul';
export { COMPARISON_KERNELS, registerZeroGradients } from './zero-gradients';
