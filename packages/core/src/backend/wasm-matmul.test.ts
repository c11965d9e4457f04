import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { registerWasmFastPaths, unregisterWasmFastPaths, wasmFastPathsActive } from './wasm-matmul';

/** One matmul case; `run` builds its inputs from fixed seeds, so cpu and wasm see the same data. */
interface Case {
  name: string;
  run: () => tf.Tensor;
  /** The stock wasm kernel gets this case wrong (bias bug), so skip it when fast paths are off. */
  stockBroken?: boolean;
}

const rn = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
const fusedRelu = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor =>
  tf.fused.matMul({ a, b, bias, transposeA, transposeB, activation: 'relu' });

const CASES: Case[] = [
  { name: 'plain 2-D', run: () => tf.matMul(rn([6, 5], 1), rn([5, 7], 2)) },
  { name: 'A@Bᵀ', run: () => tf.matMul(rn([6, 5], 1), rn([7, 5], 2), false, true) },
  { name: 'Aᵀ@B', run: () => tf.matMul(rn([5, 6], 1), rn([5, 7], 2), true, false) },
  { name: 'Aᵀ@Bᵀ', run: () => tf.matMul(rn([5, 6], 1), rn([7, 5], 2), true, true) },
  { name: '[4,M,K]@[K,N] (fold)', run: () => tf.matMul(rn([4, 6, 5], 1), rn([5, 7], 2)) },
  { name: '[4,M,K]@[1,K,N]ᵀ (fold + transpose)', run: () => tf.matMul(rn([4, 6, 5], 1), rn([1, 7, 5], 2), false, true) },
  { name: '[2,3,K,M]ᵀ@[K,N] (rank 4 fold)', run: () => tf.matMul(rn([2, 3, 5, 6], 1), rn([5, 7], 2), true, false) },
  { name: '[4,M,K]@[4,K,N] (both batched)', run: () => tf.matMul(rn([4, 6, 5], 1), rn([4, 5, 7], 2)) },
  { name: '[4,M,K]@[4,N,K]ᵀ (both batched)', run: () => tf.matMul(rn([4, 6, 5], 1), rn([4, 7, 5], 2), false, true) },
  { name: '[M,K]@[4,K,N] (A broadcast)', run: () => tf.matMul(rn([6, 5], 1), rn([4, 5, 7], 2)) },
  { name: 'fused bias+relu', run: () => fusedRelu(rn([6, 5], 1), rn([5, 7], 2), rn([7], 3)) },
  { name: 'fused bias+relu A@Bᵀ', run: () => fusedRelu(rn([6, 5], 1), rn([7, 5], 2), rn([7], 3), false, true), stockBroken: true },
  { name: 'fused bias+relu Aᵀ@Bᵀ', run: () => fusedRelu(rn([5, 6], 1), rn([7, 5], 2), rn([7], 3), true, true), stockBroken: true },
  { name: 'fused bias+relu [4,M,K]@[K,N]', run: () => fusedRelu(rn([4, 6, 5], 1), rn([5, 7], 2), rn([7], 3)), stockBroken: true },
  { name: 'fused bias+relu both batched', run: () => fusedRelu(rn([4, 6, 5], 1), rn([4, 5, 7], 2), rn([7], 3)), stockBroken: true },
  { name: 'fused scalar-like bias [1] A@Bᵀ', run: () => fusedRelu(rn([6, 5], 1), rn([7, 5], 2), rn([1], 3), false, true) },
  {
    name: 'fused prelu [4,M,K]@[K,N]',
    run: () => tf.fused.matMul({ a: rn([4, 6, 5], 1), b: rn([5, 7], 2), activation: 'prelu', preluActivationWeights: tf.fill([7], 0.2) }),
  },
  {
    // Backprop of matmul is all transposed matmuls (dA = dy@Bᵀ, dB = Aᵀ@dy).
    // (tfjs 4.22's BatchMatMul gradient cannot broadcast batch dims, so no [B,M,K]@[K,N] here.)
    name: 'matMul gradients (2-D and both batched)',
    run: () => {
      const loss = (x: tf.Tensor, y: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), r));
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(x, y, rn([6, 7], 3)))([rn([6, 5], 1), rn([5, 7], 2)]);
      const [dA, dB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(x, y, rn([4, 6, 7], 3)))([rn([4, 6, 5], 1), rn([4, 5, 7], 2)]);
      return tf.concat([da, db, dA, dB].map((t) => t.flatten()));
    },
  },
];

/** Runs every case on the current backend and reads results back (outside tidy: no big typed arrays). */
function runAll(cases: Case[]): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const c of cases) {
    const t = tf.tidy(c.run);
    out.set(c.name, { shape: t.shape, data: t.dataSync() as Float32Array });
    t.dispose();
  }
  return out;
}

/** max|got − want| / max(1, max|want|): a relative error robust to small entries. */
function relErr(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

describe('wasm matmul fast paths', () => {
  let reference: Map<string, { shape: number[]; data: Float32Array }>;
  let stockKernels: tf.KernelFunc[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    reference = runAll(CASES);
    await import('@tensorflow/tfjs-backend-wasm');
    stockKernels = ['BatchMatMul', '_FusedMatMul'].map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    // Registered BEFORE the wasm backend initialises: the wrapper must keep the original setupFunc.
    registerWasmFastPaths();
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
  });
  afterAll(async () => {
    registerWasmFastPaths();
    await tf.setBackend('cpu');
  });

  const expectAgree = (cases: Case[]): void => {
    const got = runAll(cases);
    for (const c of cases) {
      const want = reference.get(c.name)!;
      const g = got.get(c.name)!;
      expect(g.shape, c.name).toEqual(want.shape);
      expect(relErr(g.data, want.data), c.name).toBeLessThanOrEqual(1e-4);
    }
  };

  it('agrees with cpu on every case with fast paths on', () => {
    expect(wasmFastPathsActive()).toBe(true);
    expectAgree(CASES);
  });

  it('is idempotent and leaks neither tensors nor backend buffers', () => {
    registerWasmFastPaths();
    registerWasmFastPaths();
    expect(wasmFastPathsActive()).toBe(true);
    // IS_TEST makes the engine check every kernel call for leaked data ids (throws on a leak).
    const wasTest = tf.env().getBool('IS_TEST');
    tf.env().set('IS_TEST', true);
    try {
      runAll(CASES); // warm-up: lazily created tensors (e.g. cached scalars) are not leaks
      const before = tf.memory();
      runAll(CASES);
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numDataBuffers).toBe(before.numDataBuffers);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      tf.env().set('IS_TEST', wasTest);
    }
  });

  it('unregister restores the stock kernels (still correct) and re-register works', () => {
    unregisterWasmFastPaths();
    unregisterWasmFastPaths(); // idempotent
    expect(wasmFastPathsActive()).toBe(false);
    expect(['BatchMatMul', '_FusedMatMul'].map((k) => tf.getKernel(k, 'wasm').kernelFunc)).toEqual(stockKernels);
    expectAgree(CASES.filter((c) => !c.stockBroken));
    // Documents the stock bias bug that the fast path fixes (if tfjs fixes it, drop stockBroken).
    const broken = runAll(CASES.filter((c) => c.stockBroken));
    expect(relErr(broken.get('fused bias+relu A@Bᵀ')!.data, reference.get('fused bias+relu A@Bᵀ')!.data)).toBeGreaterThan(1e-2);

    // Re-register after the backend is initialised.
    registerWasmFastPaths();
    expect(wasmFastPathsActive()).toBe(true);
    expectAgree(CASES);
  });
});
