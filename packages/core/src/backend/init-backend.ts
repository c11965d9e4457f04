import { tf } from '../tf';
import { BackendError, type BackendAttempt } from './backend-error';
import { backendState } from './global-state';
import { registerWasmElementwiseKernels, wasmFusedElementwise } from './wasm-elementwise';
import { registerWasmFastPaths, unregisterWasmFastPaths, wasmFastPathsActive } from './wasm-matmul';
import { registerZeroGradients } from './zero-gradients';

/**
 * Which tfjs backend to use.
 * - `'auto'`: the fastest that loads: tfjs-node-gpu, tfjs-node, wasm, then cpu.
 * - `'tensorflow'`: native libtensorflow via `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`.
 * - `'wasm'`: `@tensorflow/tfjs-backend-wasm` (SIMD; the fast choice on CPU-only machines).
 * - `'cpu'`: pure-JS reference backend (~30x slower than wasm for matmul).
 */
export type BackendKind = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** What {@link initBackend} ended up with. */
export interface BackendInfo {
  /** The active tfjs backend name (`tf.getBackend()`): `'tensorflow'`, `'wasm'` or `'cpu'`. */
  name: string;
  /** The kind that was asked for. */
  requested: BackendKind;
  /** Whether the wasm matmul fast paths are active (always false off wasm). */
  fastPaths: boolean;
  /** True when the backend is `tensorflow` loaded from `@tensorflow/tfjs-node-gpu` (CUDA build). */
  gpu: boolean;
  /** Every attempt in order; failed ones carry `error`. */
  tried: BackendAttempt[];
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Register the wasm matmul fast paths when the backend is wasm (default true). */
  wasmFastPaths?: boolean;
  /**
   * Use core's wasm SIMD kernels (fused GELU and LayerNorm in `geluFused` / `layerNormFused`, the
   * last-two-axes transpose, the zero-copy clone). They round differently from the tfjs ops, so
   * `false` reproduces values recorded before them. Default: leave the current setting (on, unless
   * the environment variable `ACN_WASM_FUSED_ELEMENTWISE=0` was set at load).
   */
  wasmFusedKernels?: boolean;
  /**
   * Where `'auto'` reports its choice: one line naming the backend and, on the slow cpu fallback,
   * what to install. Default: written to stderr. `false` silences it; a function receives the line
   * (e.g. your logger). Explicit kinds never log (you chose them).
   */
  log?: false | ((line: string) => void);
}

const KINDS: readonly BackendKind[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The optional native packages, best first. */
const NATIVE_PACKAGES = [
  { kind: 'tfjs-node-gpu', specifier: '@tensorflow/tfjs-node-gpu', gpu: true },
  { kind: 'tfjs-node', specifier: '@tensorflow/tfjs-node', gpu: false },
] as const;

const INSTALL_HINT: Record<Exclude<BackendKind, 'auto'>, string> = {
  tensorflow: 'install @tensorflow/tfjs-node-gpu (needs CUDA) or @tensorflow/tfjs-node',
  wasm: 'install @tensorflow/tfjs-backend-wasm',
  cpu: 'install @tensorflow/tfjs (it bundles the cpu backend)',
};

// The result of the last successful initBackend (for currentBackend) and the queue that serialises
// calls live in backendState(): one per process, shared by the ESM and CJS builds of core.

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/**
 * Imports an optional package. The specifier is a variable so that TypeScript and bundlers
 * (tsup/esbuild, vite) do not try to resolve packages that are usually not installed.
 */
async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

/**
 * Makes `name` the active backend. tfjs returns false (or throws) when a backend fails to
 * initialise and may silently stay on another backend, so both the result and `tf.getBackend()`
 * are checked.
 */
async function activate(name: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`tf.setBackend('${name}') threw: ${errorText(e)}`);
  }
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`tf.setBackend('${name}') returned ${ok}; active backend is '${tf.getBackend()}'`);
  }
}

/** Records of one selection run: the public attempt list plus whether any package imported. */
interface Attempts {
  tried: BackendAttempt[];
  /** True once some package imported but tfjs could not switch to it (INIT_FAILED vs LOAD_FAILED). */
  loadedButFailed: boolean;
}

/**
 * One attempt: `load` imports the package (failure = LOAD_FAILED), then the backend `name` is
 * activated (failure = INIT_FAILED). Never throws; returns whether the backend is now active.
 */
async function attempt(log: Attempts, kind: string, name: string, load: () => Promise<unknown>): Promise<boolean> {
  try {
    await load();
  } catch (e) {
    // Any load error counts: not installed, or installed without its native binary.
    log.tried.push({ kind, error: `import failed: ${errorText(e)}` });
    return false;
  }
  try {
    await activate(name);
  } catch (e) {
    log.loadedButFailed = true;
    log.tried.push({ kind, error: errorText(e) });
    return false;
  }
  log.tried.push({ kind });
  return true;
}

/** Tries tfjs-node-gpu then tfjs-node; returns whether the GPU build loaded, or null. */
async function tryNative(log: Attempts): Promise<{ gpu: boolean } | null> {
  for (const { kind, specifier, gpu } of NATIVE_PACKAGES) {
    if (await attempt(log, kind, 'tensorflow', () => importOptional(specifier))) return { gpu };
  }
  return null;
}

function tryWasm(log: Attempts, fastPaths: boolean): Promise<boolean> {
  return attempt(log, 'wasm', 'wasm', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    // The kernel registry is global, so (un)registering before setBackend('wasm') is fine.
    if (fastPaths) registerWasmFastPaths();
    else unregisterWasmFastPaths();
    registerWasmElementwiseKernels(); // GELU/LayerNorm kernels + SIMD transpose (wasm-elementwise.ts)
  });
}

function tryCpu(log: Attempts): Promise<boolean> {
  // The cpu backend ships with the @tensorflow/tfjs union package that ../tf imports.
  return attempt(log, 'cpu', 'cpu', async () => undefined);
}

function info(requested: BackendKind, log: Attempts, nativeGpu: boolean): BackendInfo {
  backendState().last = { requested, tried: log.tried, nativeGpu };
  return currentBackend() as BackendInfo;
}

/**
 * The one line `'auto'` reports: the chosen backend, and on cpu what to install to be faster (the
 * cpu backend was about 13x slower than wasm for a Mixer on a 2-core machine).
 *
 * @example
 * ```ts
 * describeAutoChoice(currentBackend()!); // "@acn/core: tfjs backend 'wasm' (auto; matmul fast paths on)"
 * ```
 */
export function describeAutoChoice(info: BackendInfo): string {
  const head = `@acn/core: tfjs backend '${info.name}'`;
  switch (info.name) {
    case 'tensorflow':
      return `${head} (auto; native libtensorflow${info.gpu ? ' with CUDA, @tensorflow/tfjs-node-gpu' : ', @tensorflow/tfjs-node'})`;
    case 'wasm':
      return `${head} (auto; WebAssembly${info.fastPaths ? ', matmul fast paths on' : ''})`;
    case 'cpu':
      return `${head} (auto): the slow pure-JS fallback; npm i @tensorflow/tfjs-backend-wasm to run ~13x faster (or @tensorflow/tfjs-node for native speed)`;
    default:
      return `${head} (auto)`;
  }
}

/** Sends the 'auto' report to the user's logger, or to stderr by default. */
function report(line: string, log: InitBackendOptions['log']): void {
  if (log === false) return;
  if (typeof log === 'function') {
    log(line);
    return;
  }
  const g = globalThis as { process?: { stderr?: { write?: (s: string) => unknown } } };
  if (typeof g.process?.stderr?.write === 'function') g.process.stderr.write(`${line}\n`);
  else console.warn(line); // browsers: the console is the stderr
}

const describeAttempts = (tried: BackendAttempt[]): string => tried.map((t) => `${t.kind}: ${t.error ?? 'ok'}`).join('; ');

function fail(kind: Exclude<BackendKind, 'auto'>, log: Attempts): never {
  throw new BackendError(
    log.loadedButFailed ? 'INIT_FAILED' : 'LOAD_FAILED',
    `Backend '${kind}' is not available: ${INSTALL_HINT[kind]}. Tried: ${describeAttempts(log.tried)}`,
    log.tried,
  );
}

async function initBackendNow(kind: BackendKind, fastPaths: boolean): Promise<BackendInfo> {
  if (!KINDS.includes(kind)) {
    throw new BackendError('UNKNOWN_KIND', `Unknown backend kind '${String(kind)}'; expected one of ${KINDS.join(', ')}`);
  }
  registerZeroGradients();
  const log: Attempts = { tried: [], loadedButFailed: false };
  switch (kind) {
    case 'tensorflow': {
      const native = await tryNative(log);
      if (native == null) fail(kind, log);
      return info(kind, log, native.gpu);
    }
    case 'wasm':
      if (!(await tryWasm(log, fastPaths))) fail(kind, log);
      return info(kind, log, false);
    case 'cpu':
      if (!(await tryCpu(log))) fail(kind, log);
      return info(kind, log, false);
    default: {
      const native = await tryNative(log);
      if (native != null) return info(kind, log, native.gpu);
      if ((await tryWasm(log, fastPaths)) || (await tryCpu(log))) return info(kind, log, false);
      throw new BackendError('INIT_FAILED', `No tfjs backend could be initialised. Tried: ${describeAttempts(log.tried)}`, log.tried);
    }
  }
}

/**
 * Selects and initialises the tfjs backend, registers the zero gradients of comparison ops and
 * (on wasm, by default) the matmul fast paths. Idempotent: calling it again re-selects the
 * backend cheaply; concurrent calls run one after another.
 *
 * @param kind which backend to use (default `'auto'`: tfjs-node-gpu, tfjs-node, wasm, cpu).
 * @param options `wasmFastPaths` (default true): register the wasm matmul wrapper on wasm; false
 *   restores the stock kernels. `wasmFusedKernels`: switch core's wasm SIMD kernels (fused
 *   GELU/LayerNorm, transpose, clone) on or off; left as is when omitted. `log` (default: stderr): where `'auto'` reports the backend it
 *   chose in one line (on cpu, with what to install to be faster); `false` silences it, a function
 *   receives the line.
 * @throws BackendError for an explicit kind that cannot be loaded; the message names the npm
 *   package to install.
 * @example
 * ```ts
 * const info = await initBackend();            // e.g. { name: 'wasm', fastPaths: true, ... }
 * // stderr: @acn/core: tfjs backend 'wasm' (auto; WebAssembly, matmul fast paths on)
 * await initBackend('auto', { log: false });    // the same, silently
 * await initBackend('cpu');                     // reference backend for checks
 * ```
 */
export function initBackend(kind: BackendKind = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  const fastPaths = options.wasmFastPaths ?? true;
  if (options.wasmFusedKernels !== undefined && typeof options.wasmFusedKernels !== 'boolean') {
    return Promise.reject(new TypeError(`initBackend: options.wasmFusedKernels must be a boolean, got ${typeof options.wasmFusedKernels}`));
  }
  if (options.wasmFusedKernels !== undefined) wasmFusedElementwise.enabled = options.wasmFusedKernels;
  if (options.log !== undefined && options.log !== false && typeof options.log !== 'function') {
    return Promise.reject(new TypeError(`initBackend: options.log must be false or a function, got ${typeof options.log}`));
  }
  const state = backendState();
  const run = state.queue.then(async () => {
    const info = await initBackendNow(kind, fastPaths);
    if (kind === 'auto') report(describeAutoChoice(info), options.log);
    return info;
  });
  state.queue = run.catch(() => undefined);
  return run;
}

/**
 * The backend as of now: the live `tf.getBackend()` name and fast-path state, with the request and
 * attempts of the last successful {@link initBackend}. Null before any successful call.
 *
 * @example
 * ```ts
 * await initBackend('wasm');
 * currentBackend()?.name; // 'wasm'
 * ```
 */
export function currentBackend(): BackendInfo | null {
  const last = backendState().last;
  if (last == null) return null;
  const name = tf.getBackend();
  return {
    name,
    requested: last.requested,
    fastPaths: name === 'wasm' && wasmFastPathsActive(),
    gpu: name === 'tensorflow' && last.nativeGpu,
    tried: last.tried.map((t) => ({ ...t })),
  };
}
