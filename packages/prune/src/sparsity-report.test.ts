import { compressorHook, createMixer, tf } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { magnitudePruning } from './magnitude-pruning';
import { sparsityReport } from './sparsity-report';
import { tinyMlp, useWasm } from './test-helpers';

describe('sparsityReport', () => {
  beforeAll(useWasm);

  it('MLP: non-zeros of the effective kernels, dense vs sparse FLOPs, dense vs CSR bytes', () => {
    const m = tinyMlp();
    const h = m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.75, filter: { kind: 'dense', path: /^blocks\./ } })));
    const before = tf.memory().numTensors;
    const r = sparsityReport(m);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.layers.map((l) => l.path)).toEqual(['embedding.proj', 'blocks.0.fc', 'blocks.1.fc', 'head.fc']);
    const b0 = r.layers[1];
    expect(b0).toEqual({
      path: 'blocks.0.fc',
      shape: [8, 8],
      params: 64,
      nonZero: 16,
      sparsity: 0.75,
      denseFlops: 2 * 64 + 8, // one row per sample: matmul + bias
      sparseFlops: 2 * 16 + 8,
      denseBytes: 256,
      csrBytes: 16 * 4 + 16 * 2 + 9 * 4,
    });
    expect(r.layers[0].sparsity).toBe(0); // not pruned: sparse estimate = dense
    expect(r.layers[0].sparseFlops).toBe(r.layers[0].denseFlops);
    expect(r.layers[3].denseFlops).toBe(2 * 24 + 3);
    expect(r.total.params).toBe(3 * 64 + 24);
    expect(r.total.nonZero).toBe(64 + 16 + 16 + 24);
    expect(r.total.denseFlops).toBe(136 * 3 + 51);
    h.bake(); // baked zeros read the same
    expect(sparsityReport(m).layers[1].nonZero).toBe(16);
    m.dispose();
  });

  it('Mixer: rows per sample come from the traced forward (5 tokens for the channel MLP)', () => {
    const m = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 1, seed: 7 });
    const h = m.hooks.attach(compressorHook(magnitudePruning({ granularity: 'nm', n: 2, m: 4, filter: { kind: 'dense', path: /channelMlp/ } })));
    const fc1 = sparsityReport(m, { filter: { kind: 'dense', path: /channelMlp\.fc1$/ } }).layers;
    expect(fc1).toHaveLength(1);
    expect(fc1[0].nonZero).toBe(256); // 2:4 of [16, 32]
    expect(fc1[0].denseFlops).toBe(5 * (2 * 16 * 32 + 32));
    expect(fc1[0].sparseFlops).toBe(5 * (2 * 256 + 32));
    h.dispose();
    m.dispose();
  });
});
