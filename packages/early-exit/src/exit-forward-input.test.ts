import { createMixer, createMlp, InputError, tf, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { allExitLogits, earlyExitForward } from './exit-forward';
import { sharedExits } from './exits';
import { useWasm } from './fixtures.test-helper';
import { entropyPolicy } from './policy';

describe('earlyExitForward input errors', () => {
  beforeAll(useWasm);

  it('NaN in the input throws a coded InputError naming the samples, instead of exiting at layer 0 as class 0; no leaks', () => {
    const model = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 3, seed: 7 });
    const good = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 1);
    const x = tf.tidy(() => tf.concat([good, tf.fill([1, 8, 8, 1], NaN)])); // sample 3 is NaN
    const before = tf.memory().numTensors;
    const exits = sharedExits(model);
    const run = () => earlyExitForward(model, x, { exits, policy: entropyPolicy({ tau: 10 }), returnLogits: true }); // tau 10: everyone would stop at layer 0
    expect(run).toThrow(InputError);
    expect(run).toThrow(/earlyExitForward: the input of sample\(s\) 3 holds NaN or Inf/);
    try {
      run();
    } catch (e) {
      expect((e as InputError).code).toBe('non-finite-input');
    }
    expect(tf.memory().numTensors).toBe(before);
    // NaN weights (finite input) are caught at the exit: non-finite probabilities.
    const w = model.namedWeights()['head.fc.kernel'];
    const saved = w.clone();
    tf.tidy(() => w.assign(tf.fill(w.shape, NaN)));
    expect(() => earlyExitForward(model, good, { exits, policy: entropyPolicy({ tau: 10 }) })).toThrow(/non-finite exit probabilities at layer 0 for sample\(s\) 0, 1, 2/);
    w.assign(saved);
    saved.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Finite rows alone still work.
    const r = earlyExitForward(model, good, { exits, policy: entropyPolicy({ tau: 10 }) });
    expect(Array.from(r.exitLayers)).toEqual([0, 0, 0]);
    tf.dispose([good, x]);
    model.dispose();
  });

  it('null input and a disposed model give coded InputErrors', () => {
    const model = createMlp({ inputShape: [4], numClasses: 2, depth: 2, hiddenDim: 4 });
    const exits = sharedExits(model);
    const policy = entropyPolicy({ tau: 0.5 });
    expect(() => earlyExitForward(model, null as unknown as Tensor, { exits, policy })).toThrow(expect.objectContaining({ code: 'not-a-tensor' }));
    expect(() => allExitLogits(model, null as unknown as Tensor, exits)).toThrow(expect.objectContaining({ code: 'not-a-tensor' }));
    model.dispose();
    const x = tf.zeros([1, 4]);
    expect(() => earlyExitForward(model, x, { exits, policy })).toThrow(expect.objectContaining({ code: 'model-disposed' }));
    x.dispose();
  });
});
