/**
 * Backend state shared by every copy of `@acn/core` in a process.
 *
 * Why: the package ships an ESM and a CommonJS build. A process that loads both (an ESM app using
 * a CommonJS dependency that requires `@acn/core`) gets two module instances, but only one tfjs
 * engine (tfjs keeps its engine on the global object too). Module-level `let`s would then diverge:
 * `currentBackend()` of one copy would return null after the other copy initialised the backend,
 * and each copy would wrap the wasm matmul kernels again. Keeping the state on a registered symbol
 * (`Symbol.for`, the same symbol in every realm-local copy) makes all copies agree.
 */
import type { tf } from '../tf';
import type { BackendAttempt } from './backend-error';
import type { BackendKind } from './init-backend';

/** What `initBackend` remembers of its last successful run. */
export interface LastBackend {
  requested: BackendKind;
  tried: BackendAttempt[];
  nativeGpu: boolean;
}

/** The shared state; bump the key's version if its shape ever changes incompatibly. */
export interface BackendGlobalState {
  /** Result of the last successful `initBackend`, for `currentBackend`. */
  last: LastBackend | null;
  /** Serialises `initBackend` calls across copies so two cannot interleave `setBackend()`. */
  queue: Promise<unknown>;
  /** Original wasm kernel configs (BatchMatMul, _FusedMatMul, Transpose), captured when first wrapped. */
  wasmOriginals: Map<string, tf.KernelConfig>;
  /** Core's wrapper kernel functions, by kernel name (identity tells whether a wrapper is registered). */
  wasmWrappers: Map<string, tf.KernelFunc>;
  /**
   * Whether core's wasm SIMD kernels are used (wasm-elementwise.ts). Optional: a state created by
   * an older copy of core lacks it (then the environment default applies).
   */
  wasmFusedElementwise?: boolean;
}

/** `Symbol.for` so that the ESM and CJS builds (and duplicate installs) find the same slot. */
export const BACKEND_STATE_KEY = Symbol.for('@acn/core:backend-state@1');

/**
 * The process-wide backend state, created on first use.
 *
 * @example
 * ```ts
 * backendState().last?.requested; // 'auto' after initBackend('auto') in any copy of @acn/core
 * ```
 */
export function backendState(): BackendGlobalState {
  const g = globalThis as typeof globalThis & { [BACKEND_STATE_KEY]?: BackendGlobalState };
  g[BACKEND_STATE_KEY] ??= { last: null, queue: Promise.resolve(), wasmOriginals: new Map(), wasmWrappers: new Map() };
  return g[BACKEND_STATE_KEY];
}
