import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionCore } from '../nn/attention-layer';
import { tf } from '../tf';
import { canLoopBatchedMatMul, loopBatchedMatMul } from './wasm-batched-matmul';
import { registerWasmFastPaths, wasmBatchedLoop } from './wasm-matmul';

const rn = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Attention-shaped batched matmuls (rank 3 and rank 4, every transpose combination). */
const MATMULS: Array<{ name: string; a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
  { name: 'q kᵀ rank 3', a: [6, 17, 16], b: [6, 17, 16], tA: false, tB: true },
  { name: 'a v rank 3', a: [6, 17, 17], b: [6, 17, 16], tA: false, tB: false },
  { name: 'aᵀ dy rank 3 (dV)', a: [6, 17, 17], b: [6, 17, 16], tA: true, tB: false },
  { name: 'aᵀ bᵀ rank 3', a: [6, 16, 17], b: [6, 9, 16], tA: true, tB: true },
  { name: 'q kᵀ rank 4 [B, H, T, dh]', a: [2, 3, 9, 32], b: [2, 3, 13, 32], tA: false, tB: true },
];

/** Gradient of a scalar through attention (projected q, k, v), as one flat array. */
function attentionGrads(seed: number, mask?: tf.Tensor): tf.Tensor {
  const q = rn([2, 17, 32], seed);
  const k = rn([2, 17, 32], seed + 1);
  const v = rn([2, 17, 32], seed + 2);
  const r = rn([2, 17, 32], seed + 3);
  const f = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor): tf.Tensor => tf.sum(tf.mul(attentionCore(qq, kk, vv, 2, { mask }), r));
  return tf.concat(tf.grads(f)([q, k, v]).map((g) => g.flatten()));
}

function read(run: () => tf.Tensor): Float32Array {
  const t = tf.tidy(run);
  const d = t.dataSync() as Float32Array;
  t.dispose();
  return d;
}

function maxRelErr(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

describe('wasm batched matmul loop (XNNPACK per batch entry)', () => {
  const ref = new Map<string, Float32Array>();
  const mask = (): tf.Tensor => tf.tensor2d([Array.from({ length: 17 }, (_, i) => (i < 12 ? 1 : 0)), Array(17).fill(1)]);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const m of MATMULS) ref.set(m.name, read(() => tf.matMul(rn(m.a, 1), rn(m.b, 2), m.tA, m.tB)));
    ref.set('attention grads', read(() => attentionGrads(5)));
    ref.set('attention grads masked', read(() => attentionGrads(9, mask())));
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmFastPaths();
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    wasmBatchedLoop.enabled = true;
    await tf.setBackend('cpu');
  });

  it('routes attention shapes (same batch on both sides, big enough) and nothing else', () => {
    const info = (shape: number[]): tf.TensorInfo => ({ dataId: {}, shape, dtype: 'float32' });
    expect(canLoopBatchedMatMul(info([6, 17, 16]), info([6, 16, 17]), 17, 16, 17)).toBe(true);
    expect(canLoopBatchedMatMul(info([2, 3, 9, 32]), info([2, 3, 32, 13]), 9, 32, 13)).toBe(true);
    expect(canLoopBatchedMatMul(info([6, 4, 4]), info([6, 4, 4]), 4, 4, 4)).toBe(false); // tiny (< MIN_MACS_PER_MATRIX): scalar loop
    expect(canLoopBatchedMatMul(info([1, 17, 16]), info([6, 16, 17]), 17, 16, 17)).toBe(false); // broadcast
    expect(canLoopBatchedMatMul(info([2, 3, 17, 16]), info([3, 2, 16, 17]), 17, 16, 17)).toBe(false); // other batch dims
    expect(canLoopBatchedMatMul({ ...info([6, 17, 16]), dtype: 'int32' }, info([6, 16, 17]), 17, 16, 17)).toBe(false);
  });

  it('loopBatchedMatMul itself equals the cpu backend for every transpose combination', () => {
    const backend = tf.backend();
    for (const m of MATMULS) {
      const got = read(() => {
        const a = rn(m.a, 1);
        const b = rn(m.b, 2);
        const swap = (x: tf.TensorInfo): tf.TensorInfo => {
          const r = x.shape.length;
          const perm = x.shape.map((_, i) => (i === r - 1 ? r - 2 : i === r - 2 ? r - 1 : i));
          return tf.getKernel('Transpose', 'wasm').kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
        };
        const out = loopBatchedMatMul(a, b, m.tA, m.tB, backend, swap);
        return tf.engine().makeTensorFromTensorInfo(out);
      });
      expect(maxRelErr(got, ref.get(m.name)!), m.name).toBeLessThanOrEqual(1e-5);
    }
  });

  it('tf.matMul through the fast-path kernel equals cpu, and matches the stock kernel', () => {
    for (const m of MATMULS) {
      wasmBatchedLoop.enabled = true;
      const fast = read(() => tf.matMul(rn(m.a, 1), rn(m.b, 2), m.tA, m.tB));
      wasmBatchedLoop.enabled = false;
      const stock = read(() => tf.matMul(rn(m.a, 1), rn(m.b, 2), m.tA, m.tB));
      expect(maxRelErr(fast, ref.get(m.name)!), m.name).toBeLessThanOrEqual(1e-5);
      expect(maxRelErr(fast, stock), m.name).toBeLessThanOrEqual(1e-5);
    }
    wasmBatchedLoop.enabled = true;
  });

  it('attention gradients are unchanged vs the stock path and equal cpu (with and without mask)', () => {
    for (const [name, run] of [
      ['attention grads', () => attentionGrads(5)],
      ['attention grads masked', () => attentionGrads(9, mask())],
    ] as const) {
      wasmBatchedLoop.enabled = true;
      const fast = read(run);
      wasmBatchedLoop.enabled = false;
      const stock = read(run);
      wasmBatchedLoop.enabled = true;
      expect(maxRelErr(fast, stock), name).toBeLessThanOrEqual(1e-5);
      expect(maxRelErr(fast, ref.get(name)!), name).toBeLessThanOrEqual(1e-4);
    }
  });

  it('leaks neither tensors nor wasm buffers', () => {
    const wasTest = tf.env().getBool('IS_TEST');
    tf.env().set('IS_TEST', true); // the engine then throws on data ids leaked by a kernel
    try {
      const runAll = (): void => {
        for (const m of MATMULS) read(() => tf.matMul(rn(m.a, 1), rn(m.b, 2), m.tA, m.tB));
        read(() => attentionGrads(5));
      };
      runAll(); // warm-up (cached scalars are not leaks)
      const before = tf.memory();
      runAll();
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numDataBuffers).toBe(before.numDataBuffers);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      tf.env().set('IS_TEST', wasTest);
    }
  });
});
