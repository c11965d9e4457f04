import { beforeAll, describe, expect, it } from 'vitest';
import { useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { createBert } from './bert';
import { InputError } from './errors';
import { createMlp } from './mlp';

describe('forward misuse gives coded InputErrors, not raw TypeErrors', () => {
  beforeAll(useWasm);

  it('forward(null), forward(array), forward(disposed tensor)', () => {
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 2, hiddenDim: 4 });
    const before = tf.memory().numTensors;
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return [(e as InputError).code, (e as Error).message];
      }
      throw new Error('did not throw');
    };
    expect(code(() => m.forward(null as unknown as Tensor))).toEqual(['not-a-tensor', 'Mlp.forward: expected an input tensor, got null']);
    expect(code(() => m.forward([[1, 2, 3, 4]] as unknown as Tensor))[0]).toBe('not-a-tensor');
    expect(code(() => m.predict(undefined as unknown as Tensor))[0]).toBe('not-a-tensor');
    const x = tf.zeros([1, 4]);
    x.dispose();
    expect(code(() => m.forward(x))[0]).toBe('input-disposed');
    expect(code(() => m.forward(tf.zeros([1, 5])))[0]).toBe('invalid-input');
    expect(tf.memory().numTensors).toBe(before + 1); // only the wrong-shape input above
    m.dispose();
  });

  it('forward, predict and encode on a disposed model', () => {
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 2, hiddenDim: 4 });
    const x = tf.zeros([1, 4]);
    m.dispose();
    expect(() => m.forward(x)).toThrow(expect.objectContaining({ name: 'InputError', code: 'model-disposed' }));
    expect(() => m.predict(x)).toThrow(/Mlp.forward: this model was disposed/);
    const b = createBert({ vocabSize: 10, numClasses: 2, maxLength: 4, hiddenDim: 4, numHeads: 1, mlpDim: 8, depth: 1 });
    b.dispose();
    const ids = tf.tensor2d([[2, 3]], [1, 2], 'int32');
    expect(() => b.encode(ids)).toThrow(expect.objectContaining({ code: 'model-disposed' }));
    expect(() => b.encode(null as unknown as Tensor)).toThrow(expect.objectContaining({ code: 'model-disposed' }));
    tf.dispose([x, ids]);
  });
});
