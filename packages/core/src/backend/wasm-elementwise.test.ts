/*
 * The fused wasm kernels behind geluFused / layerNormFused (wasm-elementwise.ts) against the
 * tfjs-op paths (plain `gelu` / `layerNorm` with autodiff, and the customGrad path with the
 * kernels switched off), on wasm and against the cpu backend; finite differences on the kernel
 * path; routing (the kernels really run, also inside a Mixer training step); no leaks.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMixer } from '../models/mixer';
import { finiteDifferenceCheck, switchBackend, valueAndGrads } from '../ops/grad-check.test-helper';
import { gelu, geluFused } from '../ops/gelu';
import { layerNorm, layerNormFused } from '../ops/layer-norm';
import { tf } from '../tf';
import { backendState } from './global-state';
import { initBackend } from './init-backend';
import { GELU_KERNEL, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, fusedElementwiseApplies, lastTwoAxesSwap, registerWasmElementwiseKernels, wasmFusedElementwise } from './wasm-elementwise';

/** Largest `|a - b| / (1 + |b|)`: absolute below 1, relative above. */
function maxErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i]));
    if (!(e <= m)) m = e; // NaN makes m NaN, which fails every bound
  }
  return m;
}

/** Random values with zeros and large |x| mixed in. */
function mixedInput(shape: number[], seed: number, scale = 3): tf.Tensor {
  return tf.tidy(() => {
    const n = shape.reduce((s, v) => s * v, 1);
    const v = tf.randomNormal([n], 0, scale, 'float32', seed).dataSync() as Float32Array;
    const special = [0, -0, 9, -9, 14, -14, 40, -40, 1e-8, -1e-8];
    for (let i = 0; i < n; i += 7) v[i] = special[(i / 7) % special.length];
    return tf.tensor(v, shape);
  });
}

/** Kernel names run by `f` (tf.profile). */
async function kernelsRun(f: () => void): Promise<Set<string>> {
  const info = await tf.profile(() => {
    f();
  });
  return new Set(info.kernels.map((k) => k.name));
}

const SHAPES: number[][] = [[1], [7], [3, 5], [4, 16], [2, 3, 7], [2, 2, 3, 130], [5, 0]];

describe('fused elementwise kernels on wasm', () => {
  let previous: string;
  let baseline: number;
  beforeAll(async () => {
    previous = await switchBackend('wasm');
  });
  afterAll(async () => {
    wasmFusedElementwise.enabled = true;
    await tf.setBackend(previous);
  });
  afterEach(() => {
    wasmFusedElementwise.enabled = true;
  });

  it('initBackend({ wasmFusedKernels }) switches the kernels; omitted leaves the setting; a non-boolean is rejected', async () => {
    await initBackend('wasm', { wasmFusedKernels: false });
    expect(wasmFusedElementwise.enabled).toBe(false);
    await initBackend('wasm');
    expect(wasmFusedElementwise.enabled).toBe(false);
    await initBackend('wasm', { wasmFusedKernels: true });
    expect(wasmFusedElementwise.enabled).toBe(true);
    await expect(initBackend('wasm', { wasmFusedKernels: 'no' as unknown as boolean })).rejects.toThrow(/wasmFusedKernels must be a boolean, got string/);
  });

  it('applies only on wasm, float32, with the switch on', () => {
    const x = tf.ones([2]);
    const i = tf.ones([2], 'int32');
    expect(fusedElementwiseApplies(x)).toBe(true);
    expect(fusedElementwiseApplies(x, i)).toBe(false);
    wasmFusedElementwise.enabled = false;
    expect(fusedElementwiseApplies(x)).toBe(false);
    tf.dispose([x, i]);
  });

  it('geluFused runs AcnGelu (and no Erf/Exp) when on, the tfjs ops when off', async () => {
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 1);
    const run = () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(geluFused(t)))(x).dataSync());
    const on = await kernelsRun(run);
    expect(on.has(GELU_KERNEL)).toBe(true);
    expect(on.has('Erf') || on.has('Exp')).toBe(false);
    wasmFusedElementwise.enabled = false;
    const off = await kernelsRun(run);
    expect(off.has(GELU_KERNEL)).toBe(false);
    expect(off.has('Erf')).toBe(true);
    x.dispose();
  });

  it.each(SHAPES.map((s) => [s.join('x'), s]))('geluFused (kernel) = gelu and the tfjs-op geluFused: value ≤ 1e-6, gradient ≤ 1e-5 (%s)', (_n, shape) => {
    baseline = tf.memory().numTensors;
    const x = mixedInput(shape as number[], 3);
    const kernel = valueAndGrads((t) => geluFused(t), [x]);
    const plain = valueAndGrads((t) => gelu(t), [x]);
    wasmFusedElementwise.enabled = false;
    const opsFused = valueAndGrads((t) => geluFused(t), [x]);
    expect(maxErr(kernel.value, plain.value)).toBeLessThanOrEqual(1e-6);
    expect(maxErr(kernel.grads[0], plain.grads[0])).toBeLessThanOrEqual(1e-5);
    expect(maxErr(kernel.value, opsFused.value)).toBeLessThanOrEqual(1e-6);
    expect(maxErr(kernel.grads[0], opsFused.grads[0])).toBeLessThanOrEqual(1e-5);
    x.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('geluFused (kernel) gradient matches central finite differences', () => {
    const x = tf.tensor1d([-4, -2.5, -1, -0.3, 0, 0.2, 0.7, 1.5, 3, 5]);
    const { numeric, analytic } = finiteDifferenceCheck((t) => geluFused(t), x);
    numeric.forEach((n, i) => expect(Math.abs(n - analytic[i])).toBeLessThanOrEqual(1e-2 * Math.max(1, Math.abs(analytic[i]))));
    x.dispose();
  });

  it('layerNormFused runs AcnLayerNorm / AcnLayerNormGrad when on, the tfjs ops when off', async () => {
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 1);
    const g = tf.ones([8]);
    const b = tf.zeros([8]);
    const run = () => tf.tidy(() => tf.grads((t: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(layerNormFused(t, gg, bb))))([x, g, b]).map((t) => t.dataSync()));
    const on = await kernelsRun(run);
    expect(on.has(LAYER_NORM_KERNEL) && on.has(LAYER_NORM_GRAD_KERNEL)).toBe(true);
    expect(on.has('Mean')).toBe(false);
    wasmFusedElementwise.enabled = false;
    const off = await kernelsRun(run);
    expect(off.has(LAYER_NORM_KERNEL) || off.has(LAYER_NORM_GRAD_KERNEL)).toBe(false);
    tf.dispose([x, g, b]);
  });

  it.each(SHAPES.filter((s) => s[s.length - 1] > 0).map((s) => [s.join('x'), s]))(
    'layerNormFused (kernel) = layerNorm and the tfjs-op layerNormFused: value ≤ 1e-6, grads of x, gamma, beta ≤ 1e-5 (%s)',
    (_n, shape) => {
      baseline = tf.memory().numTensors;
      const s = shape as number[];
      const d = s[s.length - 1];
      const x = tf.tidy(() => tf.add(mixedInput(s, 5, 2), 0.5));
      const gamma = tf.randomNormal([d], 1, 0.5, 'float32', 6);
      const beta = tf.randomNormal([d], 0, 0.5, 'float32', 7);
      const eps = 1e-5;
      const kernel = valueAndGrads((a, g, b) => layerNormFused(a, g, b, eps), [x, gamma, beta]);
      const plain = valueAndGrads((a, g, b) => layerNorm(a, g, b, eps), [x, gamma, beta]);
      wasmFusedElementwise.enabled = false;
      const opsFused = valueAndGrads((a, g, b) => layerNormFused(a, g, b, eps), [x, gamma, beta]);
      for (const ref of [plain, opsFused]) {
        expect(maxErr(kernel.value, ref.value)).toBeLessThanOrEqual(1e-6);
        kernel.grads.forEach((g, i) => expect(maxErr(g, ref.grads[i])).toBeLessThanOrEqual(1e-5));
      }
      tf.dispose([x, gamma, beta]);
      expect(tf.memory().numTensors).toBe(baseline);
    },
  );

  it('layerNormFused (kernel): a large mean with a small spread is as accurate as the tfjs ops (vs float64); constant rows give beta', () => {
    const d = 24;
    const x = tf.tidy(() => tf.concat([tf.add(tf.randomNormal([3, d], 0, 0.01, 'float32', 8), 100), tf.fill([2, d], 4)]));
    const gamma = tf.ones([d]);
    const beta = tf.zeros([d]);
    const xs = x.dataSync();
    const ref = new Float64Array(xs.length); // float64 LayerNorm of the same float32 inputs
    for (let r = 0; r < xs.length / d; r++) {
      const row = Array.from(xs.subarray(r * d, (r + 1) * d));
      const mean = row.reduce((a, v) => a + v, 0) / d;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
      row.forEach((v, j) => (ref[r * d + j] = (v - mean) / Math.sqrt(variance + 1e-5)));
    }
    const kernel = tf.tidy(() => layerNormFused(x, gamma, beta).dataSync());
    const plain = tf.tidy(() => layerNorm(x, gamma, beta).dataSync());
    // Centring values near 100 (float32 ulp 7.6e-6) on a spread of 0.01 loses ~3 digits in any
    // float32 summation order; the kernel's error must not be worse than the tfjs ops'.
    const errKernel = maxErr(kernel, ref);
    const errPlain = maxErr(plain, ref);
    expect(errKernel).toBeLessThanOrEqual(Math.max(1.5 * errPlain, 1e-5));
    expect(Array.from(kernel.subarray(3 * d)).every((v) => v === 0)).toBe(true); // constant rows -> beta
    tf.dispose([x, gamma, beta]);
  });

  it('layerNormFused (kernel) gradients match central finite differences (x, gamma, beta)', () => {
    const x = tf.randomNormal([3, 6], 0.3, 1.5, 'float32', 9);
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 10);
    const beta = tf.randomNormal([6], 0, 0.3, 'float32', 11);
    const check = (f: (t: tf.Tensor) => tf.Tensor, at: tf.Tensor) => {
      const { numeric, analytic } = finiteDifferenceCheck(f, at);
      numeric.forEach((n, i) => expect(Math.abs(n - analytic[i])).toBeLessThanOrEqual(2e-2 * Math.max(1, Math.abs(analytic[i]))));
    };
    check((t) => layerNormFused(t, gamma, beta), x);
    check((g) => layerNormFused(x, g, beta), gamma);
    check((b) => layerNormFused(x, gamma, b), beta);
    tf.dispose([x, gamma, beta]);
  });

  it('the kernels reject wrong inputs with a message naming the problem', () => {
    const x = tf.ones([2, 4]);
    const bad = tf.ones([3]);
    const i = tf.ones([2, 4], 'int32');
    expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: bad, beta: bad }, { eps: 1e-5 })).toThrow(/gamma must have shape \[4\]/);
    expect(() => tf.engine().runKernel(GELU_KERNEL, { x: i })).toThrow(/must be float32, got int32/);
    tf.dispose([x, bad, i]);
  });

  it('wasm kernels agree with the cpu backend (geluFused and layerNormFused, values and grads ≤ 1e-5)', async () => {
    const xs = mixedInput([3, 4, 9], 12).dataSync();
    const run = () => {
      const x = tf.tensor(xs, [3, 4, 9]);
      const g = tf.linspace(0.5, 1.5, 9);
      const b = tf.linspace(-0.2, 0.2, 9);
      const out = valueAndGrads((a, gg, bb) => geluFused(layerNormFused(a, gg, bb)), [x, g, b]);
      tf.dispose([x, g, b]);
      return out;
    };
    const wasm = run();
    await switchBackend('cpu');
    const cpu = run();
    await switchBackend('wasm');
    expect(maxErr(wasm.value, cpu.value)).toBeLessThanOrEqual(1e-5);
    wasm.grads.forEach((g, i) => expect(maxErr(g, cpu.grads[i])).toBeLessThanOrEqual(1e-5));
  });

  it('lastTwoAxesSwap recognises swaps of the last two non-unit axes only', () => {
    expect(lastTwoAxesSwap([128, 64, 128], [0, 2, 1])).toEqual({ batch: 128, rows: 64, cols: 128 });
    expect(lastTwoAxesSwap([5, 7], [1, 0])).toEqual({ batch: 1, rows: 5, cols: 7 });
    expect(lastTwoAxesSwap([1, 8, 3], [2, 1, 0])).toEqual({ batch: 1, rows: 8, cols: 3 });
    expect(lastTwoAxesSwap([2, 3, 1, 4], [0, 3, 2, 1])).toEqual({ batch: 2, rows: 3, cols: 4 });
    expect(lastTwoAxesSwap([2, 3, 4], [1, 0, 2])).toBeNull();
    expect(lastTwoAxesSwap([2, 3, 4], [2, 1, 0])).toBeNull();
    expect(lastTwoAxesSwap([2, 3, 4], [0, 1, 2])).toBeNull();
    expect(lastTwoAxesSwap([1, 1, 5], [0, 2, 1])).toBeNull();
  });

  it('tf.transpose on wasm (SIMD kernel for last-two-axes swaps, tfjs kernel otherwise) equals cpu exactly', async () => {
    registerWasmElementwiseKernels();
    expect(tf.getKernel('Transpose', 'wasm')!.kernelFunc).toBe(backendState().wasmWrappers.get('Transpose'));
    const cases: Array<[number[], number[] | undefined, 'float32' | 'int32']> = [
      [[7, 5], undefined, 'float32'],
      [[128, 64], [1, 0], 'float32'],
      [[3, 65, 130], [0, 2, 1], 'float32'],
      [[2, 3, 5, 9], [0, 1, 3, 2], 'int32'],
      [[1, 9, 1, 6], [0, 3, 2, 1], 'float32'],
      [[2, 3, 4], [1, 0, 2], 'float32'], // not a last-two swap: tfjs's kernel
      [[2, 3, 4, 5, 2, 3], [0, 1, 3, 2, 4, 5], 'float32'], // the Mixer's patch transpose
      [[4, 0, 3], [0, 2, 1], 'float32'],
    ];
    const run = () =>
      cases.map(([shape, perm, dtype]) =>
        tf.tidy(() => {
          const n = shape.reduce((a, v) => a * v, 1);
          const x = tf.tensor(Array.from({ length: n }, (_, i) => (dtype === 'int32' ? i * 7 - 50 : Math.sin(i) * 1e3)), shape, dtype);
          const y = tf.transpose(x, perm);
          return { shape: y.shape, values: Array.from(y.dataSync()) };
        }),
      );
    const before = tf.memory().numTensors;
    const names = await kernelsRun(() => void run());
    expect(names.has('Transpose')).toBe(true);
    const wasm = run();
    wasmFusedElementwise.enabled = false;
    const stock = run();
    await switchBackend('cpu');
    const cpu = run();
    await switchBackend('wasm');
    expect(wasm).toEqual(cpu);
    expect(stock).toEqual(cpu);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tf.clone on wasm shares memory (no copy) while on, copies while off; values survive disposing either', () => {
    registerWasmElementwiseKernels();
    const before = tf.memory();
    const buffers = tf.backend().numDataIds();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const c = tf.clone(x);
    expect(c.dataId).toBe(x.dataId);
    expect(tf.backend().numDataIds()).toBe(buffers + 1); // one wasm buffer for both
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4]);
    wasmFusedElementwise.enabled = false;
    const copy = tf.clone(c);
    expect(copy.dataId).not.toBe(c.dataId);
    c.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });

  it('tf.clone of a reshaped view copies (its buffer keeps the source shape); the clone works as a fused-matmul bias', () => {
    registerWasmElementwiseKernels();
    const before = tf.memory().numTensors;
    const bias4 = tf.tensor4d([1, 2, 3], [1, 1, 1, 3]);
    const bias = tf.tidy(() => tf.clone(tf.reshape(bias4, [3]))); // clone of a rank-1 view of a rank-4 buffer
    expect(bias.dataId).not.toBe(bias4.dataId);
    const y = tf.tidy(() => tf.fused.matMul({ a: tf.ones([2, 4]), b: tf.ones([4, 3]), bias }).dataSync());
    expect(Array.from(y)).toEqual([5, 6, 7, 5, 6, 7]);
    tf.dispose([bias4, bias]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a Mixer training step uses the kernels; its loss and gradients match the kernels-off step; no leaks', async () => {
    const model = createMixer({ inputShape: [8, 8, 3], numClasses: 4, patchSize: 2, hiddenDim: 12, tokenMlpDim: 6, channelMlpDim: 20, depth: 2, connectivity: 'residual', seed: 1 });
    const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 2);
    const weights = Object.values(model.namedWeights()).filter((v) => v.trainable);
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.forward(x, { training: true }).logits)) as tf.Scalar, weights);
        return [value.dataSync()[0], ...weights.map((w) => Array.from(grads[w.name].dataSync()))] as const;
      });
    const before = tf.memory().numTensors;
    let on: ReturnType<typeof step> | undefined;
    const names = await kernelsRun(() => {
      on = step();
    });
    expect([GELU_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL].every((k) => names.has(k))).toBe(true);
    wasmFusedElementwise.enabled = false;
    const off = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(on![0] - off[0]) / Math.abs(off[0])).toBeLessThan(1e-5);
    for (let i = 1; i < off.length; i++) expect(maxErr(on![i] as number[], off[i] as number[])).toBeLessThan(1e-4);
    x.dispose();
    model.dispose();
  });
});
