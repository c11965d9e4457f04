import type { tf } from '../tf';

/*
 * Truly batched matmul ([batch, M, K] @ [batch, K, N], both sides batched: attention's q·kᵀ and
 * a·v, forward and backward) on XNNPACK for the tfjs `wasm` backend.
 *
 * Why: tfjs-backend-wasm 4.22 takes its XNNPACK branch only for batch 1 on both sides; a batched
 * matmul runs a scalar loop at ~2 GFLOP/s (platform.md §2), which dominates ViT/BERT training
 * steps. Looping over the batch at the op level costs one tfjs op (and slice copy) per matrix.
 * Instead we loop inside the kernel, without copies: for every batch entry we register three
 * temporary tensor ids with the wasm runtime that point *into* the heap buffers of the operands and
 * of the output (`registerTensor(id, size, byteOffset)`, the same call tfjs uses for every tensor),
 * and call the wasm `BatchMatMul` function on those [1, M, K] @ [1, K, N] views, which is the 2-D
 * XNNPACK path. The temporary ids are then unregistered on the wasm side only (`tfjs.disposeData`
 * does not free memory: tfjs frees with `_free` in JS); unregistering also deletes the XNNPACK
 * operator that the C side cached under the B id (its packed weights), so no stale cache survives.
 * Ids come from the backend's own counter, so they never collide with real tensors.
 *
 * Transposed operands are first materialised with the wasm Transpose kernel (one pass over the
 * whole batch), so every per-entry call is a plain row-major product.
 */

type Info = tf.TensorInfo;

/** The parts of tfjs-backend-wasm's `BackendWasm` (4.22) this module uses. */
interface WasmBackendInternals {
  wasm: {
    cwrap: (name: string, ret: null, args: string[]) => WasmBatchMatMul;
    tfjs: { registerTensor: (id: number, size: number, offset: number) => void; disposeData: (id: number) => void };
  };
  dataIdMap: { get: (dataId: object) => { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  makeOutput: (shape: number[], dtype: 'float32') => Info;
  disposeData: (dataId: object) => boolean;
}

/** `BatchMatMul(aId, aShape, aRank, bId, bShape, bRank, transposeA, transposeB, outId)`. */
type WasmBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: number,
  transposeB: number,
  outId: number,
) => void;

/** One cwrap per wasm module instance (a re-initialised backend has a new module). */
const wrapped = new WeakMap<object, WasmBatchMatMul>();

const BYTES = 4; // float32

/**
 * Below this many multiply-adds per matrix, the per-entry cost (XNNPACK operator creation, weight
 * packing, three id registrations) eats what XNNPACK saves over the scalar loop. Measured on wasm
 * (`bench/batched-matmul.bench.ts`, fwd+bwd, B·H = 256): T = 8, dh = 16 (1024) 0.64×; T = 10 (1600)
 * 0.89×; T = 8, dh = 32 (2048) 1.06×; T = 12, dh = 16 (2304) 1.22×; T = 17, dh = 16 (4624) 1.4–1.6×.
 */
export const MIN_MACS_PER_MATRIX = 2048;

/** Whether the batched-loop route applies: float32, same batch shape on both sides, big enough. */
export function canLoopBatchedMatMul(a: Info, b: Info, M: number, K: number, N: number): boolean {
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  return (
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    batchA.length === batchB.length &&
    batchA.every((d, i) => d === batchB[i]) &&
    batchA.reduce((s, d) => s * d, 1) > 1 &&
    M * K * N >= MIN_MACS_PER_MATRIX
  );
}

/**
 * Computes `a @ b` (after the given transposes) for `a: [...batch, M, K]`, `b: [...batch, K, N]`
 * (same batch dims on both sides, checked by {@link canLoopBatchedMatMul}) as one XNNPACK 2-D
 * matmul per batch entry on views of the wasm heap. Returns a new `[...batch, M, N]` tensor info
 * owned by the caller (the kernel output).
 *
 * @param transpose runs the wasm Transpose kernel on a tensor info (swaps the last two axes);
 *   its result is disposed here.
 * @example
 * ```ts
 * // inside a wasm kernel function:
 * const out = loopBatchedMatMul(a, b, true, false, backend, swapLast);
 * ```
 */
export function loopBatchedMatMul(
  a: Info,
  b: Info,
  transposeA: boolean,
  transposeB: boolean,
  anyBackend: tf.KernelBackend,
  transpose: (x: Info) => Info,
): Info {
  const backend = anyBackend as unknown as WasmBackendInternals;
  const rA = a.shape.length;
  const rB = b.shape.length;
  const M = transposeA ? a.shape[rA - 1] : a.shape[rA - 2];
  const K = transposeA ? a.shape[rA - 2] : a.shape[rA - 1];
  const N = transposeB ? b.shape[rB - 2] : b.shape[rB - 1];
  const batchShape = a.shape.slice(0, -2);
  const batch = batchShape.reduce((s, d) => s * d, 1);

  let fn = wrapped.get(backend.wasm);
  if (fn == null) {
    fn = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    wrapped.set(backend.wasm, fn);
  }

  const owned: Info[] = [];
  try {
    // Row-major operands: aR [batch, M, K], bR [batch, K, N].
    const aR = transposeA ? transpose(a) : a;
    if (transposeA) owned.push(aR);
    const bR = transposeB ? transpose(b) : b;
    if (transposeB) owned.push(bR);
    const out = backend.makeOutput([...batchShape, M, N], 'float32');

    const offsetOf = (x: Info): number => {
      const d = backend.dataIdMap.get(x.dataId);
      if (d == null) throw new Error('wasm batched matmul: operand has no wasm data');
      return d.memoryOffset;
    };
    const aOff = offsetOf(aR);
    const bOff = offsetOf(bR);
    const oOff = offsetOf(out);
    const aShape = new Uint8Array(new Int32Array([1, M, K]).buffer);
    const bShape = new Uint8Array(new Int32Array([1, K, N]).buffer);
    const { registerTensor, disposeData } = backend.wasm.tfjs;
    for (let i = 0; i < batch; i++) {
      const aId = backend.dataIdNextNumber++;
      const bId = backend.dataIdNextNumber++;
      const oId = backend.dataIdNextNumber++;
      registerTensor(aId, M * K, aOff + i * M * K * BYTES);
      registerTensor(bId, K * N, bOff + i * K * N * BYTES);
      registerTensor(oId, M * N, oOff + i * M * N * BYTES);
      try {
        fn(aId, aShape, 3, bId, bShape, 3, 0, 0, oId);
      } finally {
        // Wasm-side unregistration only (no free): these ids alias the real tensors' memory.
        disposeData(aId);
        disposeData(bId);
        disposeData(oId);
      }
    }
    return out;
  } finally {
    for (const t of owned) backend.disposeData(t.dataId);
  }
}
