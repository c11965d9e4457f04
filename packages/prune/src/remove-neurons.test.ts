import { compressorHook, createMixer, createMlp, tf, type DenseLayer, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { magnitudePruning } from './magnitude-pruning';
import { removeNeurons, removePrunedNeurons } from './remove-neurons';
import { maxAbsDiff, useWasm, values } from './test-helpers';

// The conformance zoo's Mixer: D = 16, channel MLP 16 → 32 → 16, 5 tokens (4 patches + CLS), token MLP 5 → 8 → 5.
const mixer = () => createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 2, seed: 7 });
const rowPrune = (path: RegExp) => compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path } }));
const shapes = (m: ReturnType<typeof mixer>, path: string) => Object.fromEntries(Object.entries(m.layer(path).weights).map(([k, v]) => [k, v.shape]));

describe('removeNeurons', () => {
  beforeAll(useWasm);

  it('after row pruning + bake, resizes the channel MLP in the model: same logits, smaller weights, structure records it', () => {
    const m = mixer();
    const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 5);
    m.hooks.attach(rowPrune(/^blocks\.0\.channelMlp\.fc1$/)).bake();
    const dense = m.predict(x);
    const before = tf.memory().numTensors;
    const r = removeNeurons(m, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2');
    expect(tf.memory().numTensors).toBe(before); // old variables freed, new ones in their place
    expect(r).toMatchObject({ hiddenDimBefore: 32, hiddenDim: 16, exact: true });
    expect(r.kept).toHaveLength(16);
    expect(r.removed).toHaveLength(16);
    expect(r.maxAbsError).toBeLessThan(1e-5);
    expect(r.flopsPerRow).toEqual({ before: 2 * 16 * 32 + 32 + 2 * 32 * 16 + 16, after: 2 * 16 * 16 + 16 + 2 * 16 * 16 + 16 });
    expect(r.params).toEqual({ before: 16 * 32 + 32 + 32 * 16 + 16, after: 16 * 16 + 16 + 16 * 16 + 16 });
    expect(shapes(m, 'blocks.0.channelMlp.fc1')).toEqual({ kernel: [16, 16], bias: [16] });
    expect(shapes(m, 'blocks.0.channelMlp.fc2')).toEqual({ kernel: [16, 16], bias: [16] });
    expect(m.structure()).toEqual({ factorized: {}, resized: { 'blocks.0.channelMlp.fc1': [16, 16], 'blocks.0.channelMlp.fc2': [16, 16] } });
    const shrunk = m.predict(x);
    expect(maxAbsDiff(dense, shrunk)).toBeLessThan(1e-5);
    // The removed units' bias matters: without folding act(b_A)·B into b_B the logits change.
    const fc2 = m.layer('blocks.0.channelMlp.fc2') as DenseLayer;
    const folded = fc2.weights.bias.clone();
    const fc1Bias = (m.layer('blocks.0.channelMlp.fc1') as DenseLayer).weights.bias;
    expect(values(fc1Bias).length).toBe(16);
    tf.tidy(() => fc2.weights.bias.assign(tf.zeros([16])));
    const unfolded = m.predict(x);
    expect(maxAbsDiff(dense, unfolded)).toBeGreaterThan(1e-4);
    fc2.weights.bias.assign(folded);
    tf.dispose([x, dense, shrunk, unfolded, folded]);
    m.dispose();
  });

  it('refuses while un-baked hooks are attached to either layer, naming them, and changes nothing', () => {
    const m = mixer();
    const h = m.hooks.attach(rowPrune(/^blocks\.1\.tokenMix\.mlp\.fc1$/));
    const before = tf.memory().numTensors;
    expect(() => removeNeurons(m, 'blocks.1.tokenMix.mlp.fc1', 'blocks.1.tokenMix.mlp.fc2')).toThrow(
      /layer A 'blocks\.1\.tokenMix\.mlp\.fc1' has un-baked hooks attached \('acn:prune\/magnitude'\); bake them/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const q = m.hooks.attach({ name: 'test:scale-fc2', filter: { path: /^blocks\.1\.tokenMix\.mlp\.fc2$/ }, parametrize: { kernel: (w) => w.mul(2) } });
    h.bake(); // frees the mask
    const afterBake = tf.memory().numTensors;
    expect(() => removeNeurons(m, 'blocks.1.tokenMix.mlp.fc1', 'blocks.1.tokenMix.mlp.fc2')).toThrow(/layer B 'blocks\.1\.tokenMix\.mlp\.fc2' has un-baked hooks attached \('test:scale-fc2'\)/);
    expect(tf.memory().numTensors).toBe(afterBake);
    expect(m.structure()).toEqual({ factorized: {} });
    q.bake();
    // Once baked, the token MLP (acting on the token axis) shrinks 8 → 4 with the same logits.
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 6);
    const dense = m.predict(x);
    const r = removeNeurons(m, 'blocks.1.tokenMix.mlp.fc1', 'blocks.1.tokenMix.mlp.fc2');
    expect(r.hiddenDim).toBe(4);
    const shrunk = m.predict(x);
    expect(maxAbsDiff(dense, shrunk)).toBeLessThan(1e-5);
    tf.dispose([x, dense, shrunk]);
    m.dispose();
  });

  it('explicit keep (indices or mask) of non-zero units: exact = false, the kept columns move over', () => {
    const m1 = mixer();
    const m2 = mixer();
    const oldA = values(m1.layer('blocks.0.channelMlp.fc1').weights.kernel); // [16, 32] row-major
    const r1 = removeNeurons(m1, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2', { keep: [3, 0, 7, 7, 12] });
    const mask = Array.from({ length: 32 }, (_, j) => [0, 3, 7, 12].includes(j));
    const r2 = removeNeurons(m2, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2', { keep: mask });
    expect(r1.kept).toEqual([0, 3, 7, 12]);
    expect(r1.exact).toBe(false);
    expect(r1.hiddenDim).toBe(4);
    expect(r1.maxAbsError).toBeLessThan(1e-5);
    expect(values(m1.layer('blocks.0.channelMlp.fc2').weights.bias)).toEqual(values(m2.layer('blocks.0.channelMlp.fc2').weights.bias));
    // Column j of A' is column kept[j] of A.
    const newA = m1.layer('blocks.0.channelMlp.fc1').weights.kernel as Tensor;
    const col = (v: number[], width: number, j: number) => v.filter((_, i) => i % width === j);
    expect(col(values(newA), 4, 2)).toEqual(col(oldA, 32, 7));
    expect(r2.hiddenDim).toBe(4);
    m1.dispose();
    m2.dispose();
  });

  it('removePrunedNeurons shrinks every matching mlp layer and skips those with nothing to remove', () => {
    const m = mixer();
    m.hooks.attach(rowPrune(/channelMlp\.fc1$/)).bake();
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 8);
    const dense = m.predict(x);
    const rs = removePrunedNeurons(m);
    expect(rs.map((r) => [r.pathA, r.hiddenDim])).toEqual([
      ['blocks.0.channelMlp.fc1', 16],
      ['blocks.1.channelMlp.fc1', 16],
    ]);
    const shrunk = m.predict(x);
    expect(maxAbsDiff(dense, shrunk)).toBeLessThan(1e-5);
    expect(Object.keys(m.structure().resized ?? {})).toHaveLength(4);
    tf.dispose([x, dense, shrunk]);
    m.dispose();
  });

  it('bad inputs give clear errors and leave the model unchanged', () => {
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
    expect(() => removeNeurons(m, fc1, fc2, { keep: [0, 1], activation: rowNorm })).toThrow(/differs from the pruned dense computation.*the model was not changed/);
    expect(tf.memory().numTensors).toBe(before);
    expect(shapes(m, fc1)).toEqual({ kernel: [16, 32], bias: [32] });
    m.dispose();
  });

  it('works on a plain dense pair with an explicit activation (MLP blocks 0 → 1)', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 3 });
    const r = removeNeurons(m, 'blocks.0.fc', 'blocks.1.fc', { keep: [0, 1, 2], activation: 'gelu', verify: false });
    expect(Number.isNaN(r.maxAbsError)).toBe(true);
    expect(m.layer('blocks.0.fc').weights.kernel.shape).toEqual([8, 3]);
    m.dispose();
  });
});
