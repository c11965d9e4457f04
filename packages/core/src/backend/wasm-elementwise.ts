import { tf } from '../tf';
import { fusedElementwiseFor, wasmApi, type FusedElementwiseExports } from './fused-elementwise-wasm';
import { backendState } from './global-state';

/*
 * Core's wasm SIMD kernels for the tfjs `wasm` backend: GELU (value and derivative in one pass)
 * and LayerNorm forward/backward, each one pass of wasm SIMD code (fused-elementwise.wat) over
 * the tensors in the tfjs heap, plus wrappers of tfjs-wasm's Transpose and Identity kernels.
 *
 * Why: built from tfjs ops, GELU costs erf + 4 multiplies/adds forward and exp + 6 more ops
 * backward, each a separate pass over memory, and tfjs-wasm's Erf/Exp are scalar libm calls
 * (~15 and ~6 ns per float). LayerNorm is ~9 ops forward and ~10 backward. In the platform.md
 * Mixer step these took about a quarter of the kernel time (tf.profile, perf notes).
 *
 * Kernels (registered for backend 'wasm' only; the ops in ../ops use them only there):
 * - `AcnGelu`: x → [y = x·Φ(x), d = Φ(x) + x·φ(x)]. The backward is `dy·d`, one XNNPACK multiply,
 *   so no gradient kernel is needed, and only d is kept for backprop (not x and Φ(x)).
 * - `AcnLayerNorm` (attr eps): x [..., D], gamma [D], beta [D] → [y, xhat (both [..., D]),
 *   rstd [..., 1]].
 * - `AcnLayerNormGrad`: dy, xhat, rstd, gamma → [dx [..., D], dgamma [D], dbeta [D]].
 * - `Transpose` (tfjs's own kernel, wrapped): when the permutation swaps the last two axes (size-1
 *   axes ignored) of 4-byte data, a blocked SIMD transpose; anything else goes to tfjs's kernel.
 *   tfjs-wasm's generic transpose moves ~1 value per 3-10 ns, and the Mixer step transposes ~77 M
 *   values (token mixing, and the matmul fast paths materialise `xᵀ` for every weight gradient),
 *   which was a third of its time.
 * - `Identity` (tfjs's own kernel, wrapped): shares the input's memory (reference count + 1, as the
 *   cpu backend and tfjs-wasm's own Reshape do) instead of copying it, unless the input is a
 *   reshaped view (its buffer's stored shape differs; then tfjs's copy keeps kernels that read the
 *   stored shape correct). tfjs clones every tensor a customGrad saves for backprop, so each fused
 *   op's saved activations were copied once per step.
 *   Safe because tfjs tensors are immutable (a variable's assign swaps its dataId).
 *
 * Like wasm-batched-matmul.ts, this relies on tfjs-backend-wasm 4.22 internals (`dataIdMap`,
 * `makeOutput`, the emscripten module's `asm.memory` and `HEAPF32`), typed by a local interface;
 * the tests call the kernels directly, so a tfjs upgrade that changes them fails loudly.
 */

/** Kernel names (prefixed so they never clash with tfjs kernels). */
export const GELU_KERNEL = 'AcnGelu';
export const LAYER_NORM_KERNEL = 'AcnLayerNorm';
export const LAYER_NORM_GRAD_KERNEL = 'AcnLayerNormGrad';
const KERNELS = [GELU_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL] as const;

/**
 * Switch for everything in this module, for A/B benchmarks and tests: `enabled = false` (or env
 * `ACN_WASM_FUSED_ELEMENTWISE=0` at load, which reaches the bench's child processes; or the public
 * `initBackend('wasm', { wasmFusedKernels: false })`) makes `geluFused` / `layerNormFused` use
 * their tfjs-op implementations and the Transpose/Identity wrappers call tfjs's kernels. Not
 * exported from the package entry point.
 *
 * @example
 * ```ts
 * wasmFusedElementwise.enabled = false; // tfjs ops for geluFused / layerNormFused
 * ```
 */
export const wasmFusedElementwise = {
  // Kept in the process-wide backend state, so the ESM and CJS copies of core agree (the kernels
  // and wrappers registered by one copy read the switch that the other copy's initBackend sets).
  get enabled(): boolean {
    const state = backendState();
    state.wasmFusedElementwise ??= (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ACN_WASM_FUSED_ELEMENTWISE !== '0';
    return state.wasmFusedElementwise;
  },
  set enabled(on: boolean) {
    backendState().wasmFusedElementwise = on;
  },
};

type Info = tf.TensorInfo;

/** The parts of tfjs-backend-wasm's `BackendWasm` (4.22) used here. */
interface WasmBackendInternals {
  wasm: { asm: { memory: object }; HEAPF32: Float32Array }; // memory: the module's WebAssembly.Memory
  dataIdMap: { get: (dataId: object) => { memoryOffset: number; shape: number[] } | undefined };
  makeOutput: (shape: number[], dtype: 'float32') => Info;
  incRef: (dataId: object) => void;
}

const sizeOf = (shape: number[]): number => shape.reduce((s, v) => s * v, 1);

function internals(backend: unknown): WasmBackendInternals {
  return backend as WasmBackendInternals;
}

function moduleOf(b: WasmBackendInternals): FusedElementwiseExports {
  const k = fusedElementwiseFor(b.wasm.asm.memory);
  if (k == null) throw new Error('fused elementwise kernels: wasm SIMD module unavailable in this runtime');
  return k;
}

function offsetOf(b: WasmBackendInternals, x: Info, name: string): number {
  const d = b.dataIdMap.get(x.dataId);
  if (d == null) throw new Error(`fused elementwise kernels: ${name} has no wasm data`);
  return d.memoryOffset;
}

function checkFloat(kernel: string, inputs: Record<string, Info>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t == null) throw new Error(`${kernel}: input '${name}' is missing`);
    if (t.dtype !== 'float32') throw new Error(`${kernel}: input '${name}' must be float32, got ${t.dtype}`);
  }
}

/** Checks `t` is `[D]` (gamma/beta) with D the last dim of `x`. */
function checkVector(kernel: string, name: string, t: Info, d: number, x: Info): void {
  if (t.shape.length !== 1 || t.shape[0] !== d) {
    throw new Error(`${kernel}: ${name} must have shape [${d}] (last dim of [${x.shape}]), got [${t.shape}]`);
  }
}

const geluKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as Info;
  checkFloat(GELU_KERNEL, { x });
  const b = internals(backend);
  const y = b.makeOutput(x.shape, 'float32');
  const d = b.makeOutput(x.shape, 'float32');
  const n = sizeOf(x.shape);
  if (n > 0) moduleOf(b).gelu_fwd(offsetOf(b, x, 'x'), offsetOf(b, y, 'y'), offsetOf(b, d, 'd'), n);
  return [y, d];
};

const layerNormKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<string, Info>;
  checkFloat(LAYER_NORM_KERNEL, { x, gamma, beta });
  if (x.shape.length < 1) throw new Error(`${LAYER_NORM_KERNEL}: x must have rank >= 1, got a scalar`);
  const dim = x.shape[x.shape.length - 1];
  checkVector(LAYER_NORM_KERNEL, 'gamma', gamma, dim, x);
  checkVector(LAYER_NORM_KERNEL, 'beta', beta, dim, x);
  const eps = Number((attrs as { eps?: number } | undefined)?.eps ?? 1e-5);
  const b = internals(backend);
  const y = b.makeOutput(x.shape, 'float32'); // [..., D]
  const xhat = b.makeOutput(x.shape, 'float32'); // [..., D]
  const rstd = b.makeOutput([...x.shape.slice(0, -1), 1], 'float32'); // [..., 1]
  const rows = dim === 0 ? 0 : sizeOf(x.shape) / dim;
  if (rows > 0 && dim > 0) {
    moduleOf(b).layer_norm_fwd(
      offsetOf(b, x, 'x'), offsetOf(b, gamma, 'gamma'), offsetOf(b, beta, 'beta'),
      offsetOf(b, y, 'y'), offsetOf(b, xhat, 'xhat'), offsetOf(b, rstd, 'rstd'), rows, dim, eps,
    );
  }
  return [y, xhat, rstd];
};

const layerNormGradKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, xhat, rstd, gamma } = inputs as Record<string, Info>;
  checkFloat(LAYER_NORM_GRAD_KERNEL, { dy, xhat, rstd, gamma });
  const dim = xhat.shape[xhat.shape.length - 1];
  checkVector(LAYER_NORM_GRAD_KERNEL, 'gamma', gamma, dim, xhat);
  if (dy.shape.join() !== xhat.shape.join()) {
    throw new Error(`${LAYER_NORM_GRAD_KERNEL}: dy [${dy.shape}] must have the shape of xhat [${xhat.shape}]`);
  }
  const b = internals(backend);
  const dx = b.makeOutput(xhat.shape, 'float32');
  const dgamma = b.makeOutput([dim], 'float32');
  const dbeta = b.makeOutput([dim], 'float32');
  const rows = dim === 0 ? 0 : sizeOf(xhat.shape) / dim;
  if (sizeOf(rstd.shape) !== rows) throw new Error(`${LAYER_NORM_GRAD_KERNEL}: rstd [${rstd.shape}] must hold one value per row (${rows})`);
  if (dim > 0) {
    const gOff = offsetOf(b, dgamma, 'dgamma');
    const bOff = offsetOf(b, dbeta, 'dbeta');
    // makeOutput memory is uninitialised; the kernel accumulates into these. Read HEAPF32 after
    // the allocations above (a heap growth replaces the view).
    b.wasm.HEAPF32.fill(0, gOff / 4, gOff / 4 + dim);
    b.wasm.HEAPF32.fill(0, bOff / 4, bOff / 4 + dim);
    if (rows > 0) {
      moduleOf(b).layer_norm_bwd(
        offsetOf(b, dy, 'dy'), offsetOf(b, xhat, 'xhat'), offsetOf(b, rstd, 'rstd'), offsetOf(b, gamma, 'gamma'),
        offsetOf(b, dx, 'dx'), gOff, bOff, rows, dim,
      );
    }
  }
  return [dx, dgamma, dbeta];
};

const KERNEL_FUNCS: Record<(typeof KERNELS)[number], tf.KernelFunc> = {
  [GELU_KERNEL]: geluKernel,
  [LAYER_NORM_KERNEL]: layerNormKernel,
  [LAYER_NORM_GRAD_KERNEL]: layerNormGradKernel,
};

/**
 * `{ batch, rows, cols }` when `perm` swaps the last two axes of `shape` once size-1 axes are
 * dropped (the others keep their order), else null. E.g. `[128, 64, 128]`, `[0, 2, 1]` →
 * `{ batch: 128, rows: 64, cols: 128 }`; `[1, 8, 3]`, `[2, 1, 0]` → `{ batch: 1, rows: 8, cols: 3 }`.
 */
export function lastTwoAxesSwap(shape: readonly number[], perm: readonly number[]): { batch: number; rows: number; cols: number } | null {
  if (perm.length !== shape.length) return null;
  const kept = shape.map((_, i) => i).filter((i) => shape[i] !== 1); // axes of size > 1
  const rankOf = new Map(kept.map((axis, r) => [axis, r]));
  const reduced = perm.filter((p) => shape[p] !== 1).map((p) => rankOf.get(p)!);
  const k = reduced.length;
  if (k < 2 || reduced[k - 2] !== k - 1 || reduced[k - 1] !== k - 2) return null;
  for (let i = 0; i < k - 2; i++) if (reduced[i] !== i) return null;
  const dims = kept.map((axis) => shape[axis]);
  return { batch: sizeOf(dims.slice(0, -2)), rows: dims[k - 2], cols: dims[k - 1] };
}

function makeTransposeWrapper(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const perm = (args.attrs as { perm?: number[] } | undefined)?.perm;
    const swap = perm != null && wasmFusedElementwise.enabled && (x.dtype === 'float32' || x.dtype === 'int32') ? lastTwoAxesSwap(x.shape, perm) : null;
    const b = internals(args.backend);
    const k = swap != null ? fusedElementwiseFor(b.wasm.asm.memory) : null;
    if (swap == null || k == null) return original.kernelFunc(args);
    const out = b.makeOutput(perm!.map((p) => x.shape[p]), x.dtype as 'float32');
    if (swap.batch * swap.rows * swap.cols > 0) k.transpose_32(offsetOf(b, x, 'x'), offsetOf(b, out, 'out'), swap.batch, swap.rows, swap.cols);
    return out;
  };
}

function makeIdentityWrapper(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    if (!wasmFusedElementwise.enabled || x.dtype === 'string') return original.kernelFunc(args);
    const b = internals(args.backend);
    // A reshaped tensor shares its source's dataId, whose stored shape is the source's; some wasm
    // kernels read that stored shape (_FusedMatMul rejects a bias whose stored rank is not 1). Share
    // only when the stored shape is x's own, so the clone never inherits a foreign shape.
    const stored = b.dataIdMap.get(x.dataId)?.shape;
    if (stored == null || stored.length !== x.shape.length || stored.some((d, i) => d !== x.shape[i])) return original.kernelFunc(args);
    b.incRef(x.dataId); // the clone shares x's memory
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * Wraps tfjs-wasm's kernel `name` with `make(original)` (idempotent; the wrapper keeps the
 * original's setupFunc and falls back to the original). The originals and wrappers live in the
 * process-wide backend state (global-state.ts). No-op when the wasm package is not imported.
 */
function wrapWasmKernel(name: string, make: (original: tf.KernelConfig) => tf.KernelFunc): void {
  const { wasmOriginals: originals, wasmWrappers: wrappers } = backendState();
  const current = tf.getKernel(name, 'wasm');
  const ours = wrappers.get(name);
  if (current == null || current.kernelFunc === ours) return;
  // Someone wrapped our wrapper (a profiler, user code): leave that chain alone rather than wrap
  // it again; only a restored original gets wrapped anew.
  if (ours != null && current.kernelFunc !== originals.get(name)?.kernelFunc) return;
  originals.set(name, current);
  const wrapper = make(current);
  wrappers.set(name, wrapper);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...current, kernelFunc: wrapper });
}

/**
 * Registers the `AcnGelu`, `AcnLayerNorm` and `AcnLayerNormGrad` kernels for backend 'wasm' and
 * wraps its `Transpose` and `Identity` kernels (idempotent). Registration needs no backend instance;
 * `initBackend('wasm')` and {@link fusedElementwiseApplies} call it.
 *
 * @example
 * ```ts
 * registerWasmElementwiseKernels();
 * tf.getKernel('AcnGelu', 'wasm') != null; // true
 * ```
 */
export function registerWasmElementwiseKernels(): void {
  for (const name of KERNELS) {
    if (tf.getKernel(name, 'wasm') == null) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: KERNEL_FUNCS[name] });
  }
  wrapWasmKernel('Transpose', makeTransposeWrapper);
  wrapWasmKernel('Identity', makeIdentityWrapper);
}

/** Per backend instance: whether the SIMD module instantiates on its memory. */
const usable = new WeakMap<object, boolean>();

/**
 * Whether `geluFused` / `layerNormFused` should run the fused wasm kernels for these tensors:
 * the switch is on, the active backend is 'wasm', every tensor is float32, and the SIMD module
 * instantiates on the backend's memory (registering the kernels on first use).
 *
 * @example
 * ```ts
 * if (fusedElementwiseApplies(x)) return geluWasm(x);
 * ```
 */
export function fusedElementwiseApplies(...tensors: tf.Tensor[]): boolean {
  if (!wasmFusedElementwise.enabled || tf.getBackend() !== 'wasm') return false;
  if (!tensors.every((t) => t.dtype === 'float32')) return false;
  const backend = tf.backend();
  let ok = usable.get(backend);
  if (ok === undefined) {
    const memory = (backend as Partial<WasmBackendInternals>).wasm?.asm?.memory;
    const Memory = wasmApi()?.Memory;
    ok = memory != null && Memory != null && memory instanceof Memory && fusedElementwiseFor(memory) != null;
    usable.set(backend, ok);
  }
  if (ok) registerWasmElementwiseKernels();
  return ok;
}
