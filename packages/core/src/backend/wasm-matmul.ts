import { tf } from '../tf';
import { backendState } from './global-state';
import { canLoopBatchedMatMul, loopBatchedMatMul } from './wasm-batched-matmul';

/**
 * Switch for the batched-matmul loop route (wasm-batched-matmul.ts), for A/B benchmarks and tests:
 * `wasmBatchedLoop.enabled = false` (or env `ACN_WASM_BATCHED_LOOP=0` at load, which reaches the
 * bench's child processes) sends batched matmuls back to the stock scalar kernel. Not exported
 * from the package entry point.
 *
 * @example
 * ```ts
 * wasmBatchedLoop.enabled = false; // stock kernel for batched matmuls
 * ```
 */
export const wasmBatchedLoop = {
  enabled: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ACN_WASM_BATCHED_LOOP !== '0',
};

/*
 * Fast paths for matmul on the tfjs `wasm` backend (platform.md §2 and Appendix A).
 *
 * Why: tfjs-backend-wasm 4.22 uses XNNPACK (~25-30 GFLOP/s) only when a matmul is a plain 2-D
 * `A@B`: no transposeA/transposeB and batch 1 on both sides. Every other case (A@Bᵀ, Aᵀ@B, batched
 * [B,M,K]@[K,N]) runs a scalar loop at ~2.3 GFLOP/s, and every matmul gradient is transposed.
 *
 * This module re-registers the wasm `BatchMatMul` and `_FusedMatMul` kernels with a wrapper that
 * 1. materialises transposes with the wasm Transpose kernel (~7 ms per 2M floats),
 * 2. folds A's batch into its rows when B has batch 1 ([B,M,K]@[K,N] -> [1,B·M,K]@[1,K,N]),
 * then calls the original kernel, which now takes its XNNPACK branch.
 * 3. When both operands are batched with the same batch dims (attention's q·kᵀ and a·v, forward and
 *    backward) and the matmul is not fused, runs one XNNPACK 2-D matmul per batch entry on views of
 *    the wasm heap (wasm-batched-matmul.ts; 1.4–3× faster than the scalar loop, see perf2 notes).
 * Other cases (broadcast batch dims, fused batched, tiny matrices) go to the original kernel.
 *
 * It also fixes a stock `_FusedMatMul` bug: the scalar loop indexes a rank-1 bias with
 * `min(i*N + j, size-1)`, so a length-N bias is wrong for every row but the first (e.g.
 * `fused.matMul({a, b, transposeB: true, bias})` differs from cpu by ~1). On the scalar path the bias
 * is tiled to [M·N]; on the XNNPACK path a length-1 bias is tiled to [N] (XNNPACK reads N values).
 *
 * Why folding is valid for _FusedMatMul: the bias is per output column (rank-1, length N or 1) and
 * PReLU weights are applied by flat index modulo their size (xnn prelu over [size/C, C]); both are
 * unchanged by reshaping [B,M,N] <-> [B·M,N] since the memory layout is identical.
 *
 * The kernel registry is global and the engine looks kernels up on every call (no per-backend
 * cache), so (un)registering works before or after `setBackend('wasm')`. The wrapper keeps the
 * original `setupFunc`, so a backend initialised after registration still sets up the original
 * kernel's wasm bindings, which the wrapper calls.
 */

const KERNEL_NAMES = ['BatchMatMul', '_FusedMatMul'] as const;
type MatMulKernelName = (typeof KERNEL_NAMES)[number];

/**
 * Original wasm kernel configs (captured on first registration, restored by unregister) and our
 * wrapper kernel functions (identity tells whether a wrapper is registered). Process-wide, so the
 * ESM and CJS builds of core agree and never wrap each other's wrappers (see global-state.ts).
 */
const { wasmOriginals: originals, wasmWrappers: wrappers } = backendState();

type Backend = tf.KernelBackend;
type Info = tf.TensorInfo;

const sizeOf = (shape: number[]): number => shape.reduce((s, v) => s * v, 1);

/** Runs another registered wasm kernel directly (no engine bookkeeping, no tape). */
function runWasmKernel(name: string, inputs: tf.NamedTensorInfoMap, backend: Backend, attrs: tf.NamedAttrMap): Info {
  const config = tf.getKernel(name, 'wasm');
  if (config == null) throw new Error(`wasm fast paths: kernel '${name}' is not registered for backend 'wasm'`);
  return config.kernelFunc({ inputs, backend, attrs }) as Info;
}

function makeWrapper(name: MatMulKernelName, original: tf.KernelConfig): tf.KernelFunc {
  const fused = name === '_FusedMatMul';
  return ({ inputs, backend: anyBackend, attrs: maybeAttrs }) => {
    // KernelFunc types the backend as `{}`; on 'wasm' it is the wasm KernelBackend.
    const backend = anyBackend as Backend;
    const attrs: tf.NamedAttrMap = maybeAttrs ?? {};
    const a = inputs.a as Info;
    const b = inputs.b as Info;
    // Non-float matmuls: let the original kernel throw its own error.
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original.kernelFunc({ inputs, backend, attrs });
    }
    const transposeA = Boolean(attrs.transposeA);
    const transposeB = Boolean(attrs.transposeB);
    const bias = fused ? (inputs.bias as Info | undefined) : undefined;

    // Logical sizes after transposition: a is [...batchA, M, K], b is [...batchB, K, N].
    const rA = a.shape.length;
    const rB = b.shape.length;
    const M = transposeA ? a.shape[rA - 1] : a.shape[rA - 2];
    const K = transposeA ? a.shape[rA - 2] : a.shape[rA - 1];
    const N = transposeB ? b.shape[rB - 2] : b.shape[rB - 1];
    const batchA = sizeOf(a.shape.slice(0, -2));
    const batchB = sizeOf(b.shape.slice(0, -2));
    const biasSize = bias == null ? 0 : sizeOf(bias.shape);

    // Already XNNPACK-eligible, or a bias that is not rank-1 of length 1 or N (the original kernel
    // throws its own message or computes what it always did): no change.
    const alreadyFast = !transposeA && !transposeB && batchA === 1 && batchB === 1 && (biasSize === 0 || biasSize === N);
    const oddBias = bias != null && (bias.shape.length !== 1 || (biasSize !== 1 && biasSize !== N));
    if (alreadyFast || oddBias) {
      return original.kernelFunc({ inputs, backend, attrs });
    }

    const tmp: Info[] = [];
    const run = (kernel: string, ins: tf.NamedTensorInfoMap, at: tf.NamedAttrMap): Info => {
      const y = runWasmKernel(kernel, ins, backend, at);
      tmp.push(y);
      return y;
    };
    const reshape = (x: Info, shape: number[]): Info => run('Reshape', { x }, { shape });
    /**
     * Repeats a rank-1 bias of length `biasSize` to length `length` (a multiple of it). Tile on the
     * rank-1 tensor directly: the fused kernel checks the rank stored for the dataId, so a reshape
     * of a [M, N] tile would be rejected as rank 2.
     */
    const tileBias = (x: Info, length: number): Info => run('Tile', { x }, { reps: [length / biasSize] });
    try {
      if (batchB > 1) {
        // Truly batched (attention-like), same batch on both sides, no fusion: one XNNPACK 2-D
        // matmul per batch entry on heap views (wasm-batched-matmul.ts).
        if (!fused && wasmBatchedLoop.enabled && canLoopBatchedMatMul(a, b, M, K, N)) {
          return loopBatchedMatMul(a, b, transposeA, transposeB, backend, (x) => {
            const r = x.shape.length;
            const perm = x.shape.map((_, i) => (i === r - 1 ? r - 2 : i === r - 2 ? r - 1 : i));
            return runWasmKernel('Transpose', { x }, backend, { perm });
          });
        }
        // Otherwise keep the original kernel (it handles transposes by strides), only fixing the
        // bias indexing bug described above.
        if (bias != null && biasSize > 1 && M > 1) {
          const fixedBias = tileBias(bias, M * biasSize);
          return original.kernelFunc({ inputs: { ...inputs, bias: fixedBias }, backend, attrs });
        }
        return original.kernelFunc({ inputs, backend, attrs });
      }

      // batchB === 1: make both operands plain row-major, fold A's batch into rows.
      const swapLast = (x: Info): Info => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        perm[r - 1] = r - 2;
        perm[r - 2] = r - 1;
        return run('Transpose', { x }, { perm });
      };
      const aRowMajor = transposeA ? swapLast(a) : a; // [...batchA, M, K]
      const bRowMajor = transposeB ? swapLast(b) : b; // [...1, K, N]
      const a3 = reshape(aRowMajor, [1, batchA * M, K]);
      const b3 = reshape(bRowMajor, [1, K, N]);
      const newInputs: tf.NamedTensorInfoMap = { ...inputs, a: a3, b: b3 };
      if (bias != null && biasSize !== N) newInputs.bias = tileBias(bias, N); // length-1 bias -> [N]
      // o: [1, batchA·M, N], computed by XNNPACK.
      const o = original.kernelFunc({
        inputs: newInputs,
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      }) as Info;
      tmp.push(o);
      // Output batch dims broadcast like the original kernel: [...broadcast(batchA, batchB), M, N].
      const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      return runWasmKernel('Reshape', { x: o }, backend, { shape: [...outBatch, M, N] });
    } finally {
      // Reshape outputs share their input's dataId (refcounted), so disposing them only drops a ref.
      for (const t of tmp) backend.disposeData(t.dataId);
    }
  };
}

/**
 * Replaces the wasm `BatchMatMul` and `_FusedMatMul` kernels with the XNNPACK-routing wrapper
 * (transposed and B-batch-1 matmuls become 10-12x faster). Idempotent. Callable before or after
 * `tf.setBackend('wasm')`, but `@tensorflow/tfjs-backend-wasm` must have been imported (it registers
 * the kernels); `initBackend('wasm')` does both.
 *
 * @throws Error when the wasm kernels are not registered.
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerWasmFastPaths();
 * await tf.setBackend('wasm');
 * tf.matMul(a, b, false, true); // runs on XNNPACK
 * ```
 */
export function registerWasmFastPaths(): void {
  for (const name of KERNEL_NAMES) {
    const current = tf.getKernel(name, 'wasm');
    if (current == null) {
      throw new Error(
        `registerWasmFastPaths: kernel '${name}' is not registered for backend 'wasm'. ` +
          `Import '@tensorflow/tfjs-backend-wasm' first (initBackend('wasm') does it).`,
      );
    }
    if (current.kernelFunc === wrappers.get(name)) continue; // already ours
    // Capture whatever is registered now as "original" (it may be a fresh registration if the wasm
    // package was re-imported), so unregister restores exactly what we replaced.
    originals.set(name, current);
    const wrapper = makeWrapper(name, current);
    wrappers.set(name, wrapper);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...current, kernelFunc: wrapper });
  }
}

/**
 * Restores the original wasm `BatchMatMul` / `_FusedMatMul` kernels (e.g. to benchmark both in one
 * process). Idempotent; a no-op when the fast paths are not registered.
 *
 * @example
 * ```ts
 * unregisterWasmFastPaths();
 * const slow = time(() => tf.matMul(a, b, false, true).dataSync());
 * registerWasmFastPaths();
 * ```
 */
export function unregisterWasmFastPaths(): void {
  for (const name of KERNEL_NAMES) {
    const current = tf.getKernel(name, 'wasm');
    const original = originals.get(name);
    if (current == null || original == null || current.kernelFunc !== wrappers.get(name)) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original);
  }
}

/**
 * Whether the wasm matmul fast paths are currently registered (for both kernels).
 *
 * @example
 * ```ts
 * registerWasmFastPaths();
 * wasmFastPathsActive(); // true
 * ```
 */
export function wasmFastPathsActive(): boolean {
  return KERNEL_NAMES.every((name) => {
    const current = tf.getKernel(name, 'wasm');
    return current != null && current.kernelFunc === wrappers.get(name);
  });
}
