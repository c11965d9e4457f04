/**
 * Runtime inputs of the training functions (issue 12 §4) and their error paths (§3): every bad
 * input is a clear error, and every error leaves the tensor count where it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeBatch, type ArrayDataset } from '../data/array-dataset';
import { createMlp } from '../models/mlp';
import { tf } from '../tf';
import { AdamW } from './adamw';
import { TrainingError } from './errors';
import { evaluate } from './evaluate';
import { train } from './trainer';
import { trainStep } from './train-step';

const mlp = () => createMlp({ inputShape: [4], numClasses: 3, depth: 2, hiddenDim: 4, seed: 5 });
const data = (numClasses = 3, labels = [0, 1, 2, 0]): ArrayDataset => ({
  inputs: new Float32Array(16).map((_, i) => Math.sin(i)),
  labels: new Int32Array(labels),
  count: labels.length,
  sampleShape: [4],
  numClasses,
});

/** Runs `fn`, expects it to throw matching `message`, and that no tensor was left behind. */
async function refusedWithoutLeak(fn: () => unknown, message: RegExp, type: new (...a: never[]) => Error = TrainingError): Promise<void> {
  const before = tf.memory().numTensors;
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(type);
  expect((err as Error).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(before);
}

describe('runtime inputs of trainStep, evaluate, train, makeBatch', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('labels outside [0, numClasses) are an error in trainStep (no update, no leak)', async () => {
    const m = mlp();
    const opt = new AdamW();
    const w0 = m.namedWeights()['blocks.0.fc.kernel'].dataSync().slice();
    for (const bad of [3, -1, 7]) {
      const x = tf.ones([2, 4]);
      const y = tf.tensor1d([0, bad], 'int32');
      await refusedWithoutLeak(() => trainStep(m, opt, x, y, { lr: 1e-2 }), new RegExp(`label ${bad} at batch index 1 is outside \\[0, 3\\)`));
      tf.dispose([x, y]);
    }
    expect(m.namedWeights()['blocks.0.fc.kernel'].dataSync()).toEqual(w0);
    expect(opt.step).toBe(0);
    opt.dispose();
    m.dispose();
  });

  it('trainStep frees the forward when the loss rejects the labels or an extra loss throws', async () => {
    const m = mlp();
    const opt = new AdamW();
    const x = tf.ones([2, 4]);
    const y = tf.tensor1d([0, 1], 'int32');
    await refusedWithoutLeak(
      () => trainStep(m, opt, x, y, { lr: 1e-2, extraLoss: () => { throw new TrainingError('extra loss failed'); } }),
      /extra loss failed/,
    );
    const y2 = tf.tensor1d([0, 1, 2], 'int32'); // wrong batch size
    await refusedWithoutLeak(() => trainStep(m, opt, x, y2, { lr: 1e-2 }), /labels must be \[B\] with B=2/);
    tf.dispose([x, y, y2]);
    opt.dispose();
    m.dispose();
  });

  it('evaluate: out-of-range labels and an empty set are errors', async () => {
    const m = mlp();
    await refusedWithoutLeak(() => evaluate(m, { ...data(5, [0, 4, 1, 1]) }), /evaluate: label 4 at batch index 1 is outside \[0, 3\)/);
    await refusedWithoutLeak(() => evaluate(m, { ...data(), inputs: new Float32Array(0), labels: new Int32Array(0), count: 0 }), /evaluate: the data set is empty/);
    m.dispose();
  });

  it('train rejects data with more classes than the model, and bad stopAfterEpoch / checkpointEvery', async () => {
    const m = mlp();
    await refusedWithoutLeak(() => train(m, data(5), { epochs: 1, progress: 'none' }), /train data has 5 classes but the model outputs 3/);
    await refusedWithoutLeak(() => train(m, data(), { epochs: 2, progress: 'none', evalData: data(4) }), /eval data has 4 classes/);
    for (const v of [Number.NaN, 0, -1, 1.5]) {
      await refusedWithoutLeak(() => train(m, data(), { epochs: 2, progress: 'none', stopAfterEpoch: v }), new RegExp(`stopAfterEpoch: must be an integer >= 1 \\(got ${v}\\)`));
    }
    for (const v of [0, Number.NaN]) {
      await refusedWithoutLeak(() => train(m, data(), { epochs: 2, progress: 'none', checkpointEvery: v }), new RegExp(`checkpointEvery: must be an integer >= 1 \\(got ${v}\\)`));
    }
    m.dispose();
  });

  it('TrainingError prints NaN as NaN, not null', async () => {
    const m = mlp();
    await refusedWithoutLeak(() => train(m, data(), { epochs: 1, lr: Number.NaN, progress: 'none' }), /lr: must be a finite number > 0 \(got NaN\)/);
    m.dispose();
  });

  it('train frees its AdamW moments when a later step throws', async () => {
    const m = mlp();
    let calls = 0;
    await refusedWithoutLeak(
      () =>
        train(m, data(), {
          epochs: 3,
          batchSize: 2,
          progress: 'none',
          callbacks: {
            onStepEnd() {
              if (++calls === 3) throw new TrainingError('callback failed at step 3');
            },
          },
        }),
      /callback failed at step 3/,
    );
    m.dispose();
  });

  it('makeBatch: an index outside the data set is an error, not a zero sample', async () => {
    await refusedWithoutLeak(() => makeBatch(data(), [0, 4]), /makeBatch: index 4 at position 1 is outside \[0, 4\)/, RangeError);
    await refusedWithoutLeak(() => makeBatch(data(), [-1]), /index -1/, RangeError);
    await refusedWithoutLeak(() => makeBatch(data(), [0.5]), /index 0\.5/, RangeError);
  });
});
