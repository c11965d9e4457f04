import { createMixer, createMlp, tf } from '@acn/core';
import { modelCost } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { factorizeModel } from './factorize-model';
import { maxAbsDiff, useWasm } from './helpers.test-helper';
import { svdOf, truncationError } from './svd';

describe('factorizeModel', () => {
  beforeAll(useWasm);

  it('truncates every matched kernel to its rank-r SVD in one step', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 32, seed: 5 });
    const kernels = [0, 1, 2].map((i) => m.layer(`blocks.${i}.fc`).weights.kernel.dataSync().slice());
    const before = modelCost(m).total;
    const { layers } = factorizeModel(m, { rank: 4, filter: { path: /^blocks\./ } });
    expect(layers.map((l) => [l.path, l.inDim, l.outDim, l.rank])).toEqual([0, 1, 2].map((i) => [`blocks.${i}.fc`, 32, 32, 4]));
    expect(m.hooks.attached).toHaveLength(0);
    expect(m.structure().factorized).toEqual({ 'blocks.0.fc': 4, 'blocks.1.fc': 4, 'blocks.2.fc': 4 });
    for (const i of [0, 1, 2]) {
      const w = m.layer(`blocks.${i}.fc`).weights;
      const err = tf.tidy(() => tf.norm(tf.sub(tf.tensor2d(kernels[i], [32, 32]), tf.matMul(w.kernelA, w.kernelB))).dataSync()[0]);
      expect(Math.abs(err - truncationError(svdOf(kernels[i], 32, 32), 4))).toBeLessThan(1e-4);
    }
    const after = modelCost(m).total;
    // Per block: 2·32·32 = 2048 → 2·4·64 = 512 matmul FLOPs (4×), and 1024 → 256 kernel parameters.
    expect(before.flops - after.flops).toBe(3 * (2048 - 512));
    expect(before.params - after.params).toBe(3 * (1024 - 256));
    m.dispose();
  });

  it('by energy on a Mixer, rank per layer; outputs stay close when most energy is kept', () => {
    const m = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 2, connectivity: 'acn', seed: 7 });
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3);
    const dense = m.predict(x);
    const { layers } = factorizeModel(m, { rank: { energy: 0.999999 }, filter: { path: /channelMlp/ }, force: true });
    expect(layers.map((l) => l.path)).toEqual(['blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2', 'blocks.1.channelMlp.fc1', 'blocks.1.channelMlp.fc2']);
    for (const l of layers) expect(l.retainedEnergy).toBeGreaterThanOrEqual(0.999999 * (1 - 1e-12));
    const factored = m.predict(x);
    expect(maxAbsDiff(dense, factored)).toBeLessThan(1e-2);
    tf.dispose([x, dense, factored]);
    m.dispose();
  });

  it('on a refused rank, the model is left unchanged', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 1 });
    const names = Object.keys(m.namedWeights());
    const n = tf.memory().numTensors;
    expect(() => factorizeModel(m, { rank: 4 })).toThrow(/rank 4 does not reduce FLOPs for layer embedding\.proj with kernel \[6, 8\]/);
    expect(Object.keys(m.namedWeights())).toEqual(names);
    expect(m.hooks.attached).toHaveLength(0);
    expect(tf.memory().numTensors).toBe(n);
    m.dispose();
  });
});
