import { compressorHook, createMixer, dense, gelu, tf, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { magnitudePruning } from './magnitude-pruning';
import { removeNeurons, type NeuronRemoval } from './remove-neurons';
import { maxAbsDiff, useWasm, values } from './test-helpers';

// The conformance zoo's Mixer: D = 16, channel MLP 16 → 32 → 16, 5 tokens (4 patches + CLS), token MLP 5 → 8 → 5.
const mixer = () => createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 2, seed: 7 });

/** `gelu(x A' + b_A') B' + b_B'`: the shrunk pair. */
function shrunkForward(r: NeuronRemoval, x: Tensor): Tensor {
  return tf.tidy(() => dense(gelu(dense(x, r.kernelA, r.biasA)), r.kernelB, r.biasB));
}

describe('removeNeurons', () => {
  beforeAll(useWasm);

  it('after row pruning + bake, the shrunk channel MLP computes exactly what the layer computes', () => {
    const m = mixer();
    const h = m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path: /channelMlp\.fc1$/ } })));
    h.bake();
    const before = tf.memory().numTensors;
    const r = removeNeurons(m, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2');
    expect(r.hiddenDim).toBe(16);
    expect(r.kept).toHaveLength(16);
    expect(r.removed).toHaveLength(16);
    expect(r.exact).toBe(true);
    expect(r.kernelA.shape).toEqual([16, 16]);
    expect(r.biasA!.shape).toEqual([16]);
    expect(r.kernelB.shape).toEqual([16, 16]);
    expect(r.biasB.shape).toEqual([16]);
    expect(r.maxAbsError).toBeLessThan(1e-5);
    expect(r.flopsPerRow).toEqual({ before: 2 * 16 * 32 + 32 + 2 * 32 * 16 + 16, after: 2 * 16 * 16 + 16 + 2 * 16 * 16 + 16 });
    // The real layer (LayerNorm'd tokens [B, T, D] in the model; any input works for the pair).
    const x = tf.randomNormal([2, 5, 16], 0, 1, 'float32', 21);
    const layerOut = tf.tidy(() => m.layer('blocks.0.channelMlp').apply(x, m.context()));
    const shrunk = shrunkForward(r, x);
    expect(maxAbsDiff(layerOut, shrunk)).toBeLessThan(1e-5);
    // The removed units' bias matters: dropping them without folding act(b_A)·B into b_B is wrong.
    const fc2Bias = m.layer('blocks.0.channelMlp.fc2').weights.bias;
    const naive = tf.tidy(() => dense(gelu(dense(x, r.kernelA, r.biasA)), r.kernelB, fc2Bias));
    expect(maxAbsDiff(layerOut, naive)).toBeGreaterThan(1e-3);
    tf.dispose([x, layerOut, shrunk, naive]);
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('works on the token-mixing MLP with the pruning hook still attached (effective weights)', () => {
    const m = mixer();
    const h = m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path: /tokenMix\.mlp\.fc1$/ } })));
    const r = removeNeurons(m, 'blocks.1.tokenMix.mlp.fc1', 'blocks.1.tokenMix.mlp.fc2');
    expect(r.hiddenDim).toBe(4); // round(8·0.5)
    expect(r.exact).toBe(true);
    const t = tf.randomNormal([2, 16, 5], 0, 1, 'float32', 22); // [B, D, T]: the token MLP acts on T
    const layerOut = tf.tidy(() => m.layer('blocks.1.tokenMix.mlp').apply(t, m.context()));
    const shrunk = shrunkForward(r, t);
    expect(maxAbsDiff(layerOut, shrunk)).toBeLessThan(1e-5);
    tf.dispose([t, layerOut, shrunk]);
    r.dispose();
    h.dispose();
    m.dispose();
  });

  it('explicit keep (indices or mask) of non-zero units: equals the computation with those columns zeroed, exact = false', () => {
    const m = mixer();
    const keepIdx = [3, 0, 7, 7, 12];
    const r1 = removeNeurons(m, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2', { keep: keepIdx });
    const mask = Array.from({ length: 32 }, (_, j) => [0, 3, 7, 12].includes(j));
    const r2 = removeNeurons(m, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2', { keep: mask });
    expect(r1.kept).toEqual([0, 3, 7, 12]);
    expect(r1.exact).toBe(false);
    expect(r1.hiddenDim).toBe(4);
    expect(r1.maxAbsError).toBeLessThan(1e-5);
    expect(values(r1.kernelB)).toEqual(values(r2.kernelB));
    expect(values(r1.biasB)).toEqual(values(r2.biasB));
    // Column j of A' is column kept[j] of A.
    const a = m.layer('blocks.0.channelMlp.fc1').weights.kernel;
    const col = (t: Tensor, j: number) => values(t).filter((_, i) => i % t.shape[1]! === j);
    expect(col(r1.kernelA, 2)).toEqual(col(a, 7));
    r1.dispose();
    r2.dispose();
    m.dispose();
  });

  it('bad inputs give clear errors', () => {
    const m = mixer();
    const before = tf.memory().numTensors;
    const fc1 = 'blocks.0.channelMlp.fc1';
    const fc2 = 'blocks.0.channelMlp.fc2';
    expect(() => removeNeurons(m, 'blocks.0.nope', fc2)).toThrow(/no layer at path 'blocks\.0\.nope' \(layer A\)/);
    expect(() => removeNeurons(m, 'blocks.0.norm1', fc2)).toThrow(/layer A 'blocks\.0\.norm1' is a norm layer/);
    expect(() => removeNeurons(m, fc1, 'head.fc')).toThrow(/outputs 32 units but head\.fc takes 16 inputs/);
    expect(() => removeNeurons(m, fc2, 'blocks.1.channelMlp.fc1')).toThrow(/not the fc1, fc2 of one mlp layer.*pass options\.activation/);
    expect(() => removeNeurons(m, fc1, fc2, { keep: [] })).toThrow(/no unit of blocks\.0\.channelMlp\.fc1 would be kept/);
    expect(() => removeNeurons(m, fc1, fc2, { keep: [0, 32] })).toThrow(/keep index 32 is out of range for blocks\.0\.channelMlp\.fc1 with 32 output units/);
    expect(() => removeNeurons(m, fc1, fc2, { keep: [true, false] })).toThrow(/keep mask has 2 entries but blocks\.0\.channelMlp\.fc1 has 32 output units/);
    // The check compares with the same activation, so it catches what breaks the folding: a non-elementwise function.
    const rowNorm = (x: Tensor) => tf.div(x, tf.add(tf.norm(x), 1));
    expect(() => removeNeurons(m, fc1, fc2, { keep: [0, 1], activation: rowNorm })).toThrow(/differs from the pruned dense computation/);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
