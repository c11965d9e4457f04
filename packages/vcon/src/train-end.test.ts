import { compressorHook, createMlp, HookError, tf, train, type ArrayDataset } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { halveCompressor, maskCompressor, useWasm } from './compressors.test-helper';
import { vcon } from './vcon';

// 16 samples of 6 features, 3 classes; batch 8 → 2 steps per epoch.
const data: ArrayDataset = {
  inputs: Float32Array.from({ length: 16 * 6 }, (_, i) => Math.sin(i)),
  labels: Int32Array.from({ length: 16 }, (_, i) => i % 3),
  count: 16,
  sampleShape: [6],
  numClasses: 3,
};
const snapshot = (m: ReturnType<typeof createMlp>) => Object.fromEntries(Object.entries(m.namedWeights()).map(([k, v]) => [k, Array.from(v.dataSync())]));

describe('VCON and the end of training', () => {
  beforeAll(useWasm);

  it('after train() the hook holds β(N) = 0 for Q = N, and bakes with no extra call by the user', async () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 4 });
    const hook = vcon(maskCompressor(0.5), { Q: 4 });
    const h = m.hooks.attach(hook);
    const { steps } = await train(m, data, { epochs: 2, batchSize: 8, progress: 'none' });
    expect(steps).toBe(4);
    expect(hook.step).toBe(4);
    expect(hook.beta).toBe(0);
    const x = tf.randomUniform([3, 6], -1, 1, 'float32', 1);
    const attached = m.predict(x);
    h.bake();
    const baked = m.predict(x);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(attached, baked)))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, attached, baked]);
    m.dispose();
  });

  it('bakeAll at β > 0 refuses before any hook writes a weight, naming the VCON hook and β', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 5 });
    const other = m.hooks.attach(compressorHook(halveCompressor())); // would be baked first
    const h = m.hooks.attach(vcon(maskCompressor(0.5), { Q: 20 }));
    m.hooks.step(10);
    const before = snapshot(m);
    expect(() => m.hooks.bakeAll()).toThrow(HookError);
    expect(() => m.hooks.bakeAll()).toThrow(/cannot bake 'acn:vcon\(test:mask\(0\.5\)\)': bake refused: β = 0\.5 at step 10 .*nothing was written/);
    expect(snapshot(m)).toEqual(before);
    expect(other.active && h.active).toBe(true);
    m.hooks.step(20);
    m.hooks.bakeAll();
    expect(m.hooks.attached).toHaveLength(0);
    m.dispose();
  });
});
