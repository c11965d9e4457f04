import { describe, expect, it } from 'vitest';
import { simulateExits } from './calibrate';
import { argMaxRow, entropy, entropyPolicy, maxProbPolicy, patiencePolicy, softmaxRows, staticExitPolicy, type ExitPolicy } from './policy';

/** One decision at exit 0 of 2 (so the policy, not the final exit, decides). */
function decide(policy: ExitPolicy, logits: number[][]): number[] {
  const probs = softmaxRows(logits);
  return Array.from(policy.decide({ probs, numClasses: logits[0].length, ids: logits.map((_, i) => i), layer: 0, exitIndex: 0, numExits: 2 }, policy.createState(logits.length)));
}

/** Exit index of every sample when `policy` walks these per-exit logits (exits at layers 0..E−1). */
function walk(policy: ExitPolicy, perExit: number[][][], layers = perExit.map((_, j) => j)): number[] {
  const r = simulateExits({ layers, probs: perExit.map(softmaxRows), numClasses: perExit[0][0].length, count: perExit[0].length }, policy);
  return Array.from(r.exitIndices);
}

describe('entropy and argmax', () => {
  it('computes the natural-log entropy with the repository smoothing', () => {
    expect(entropy([0.5, 0.5])).toBeCloseTo(Math.log(2), 10);
    expect(entropy([1, 0, 0])).toBeCloseTo(-Math.log(1 + 1e-12), 15);
    expect(entropy(softmaxRows([[0, 0, 0]]))).toBeCloseTo(Math.log(3), 6);
    expect(entropy(new Float32Array([9, 0.25, 0.75, 9]), 1, 2)).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 6);
  });

  it('takes the first class on ties, like tf.argMax', () => {
    expect(argMaxRow([0.2, 0.4, 0.4])).toEqual({ index: 1, value: 0.4 });
    expect(argMaxRow(new Float32Array([0, 0, 0.1, 0.9]), 2, 2)).toEqual({ index: 1, value: expect.closeTo(0.9, 6) });
  });
});

describe('policies on hand-made logits', () => {
  // Entropies: sharp ≈ 0.0009, flat = ln 3 ≈ 1.0986, mild ([2, 1, 0]) ≈ 0.8324.
  const logits = [
    [10, 0, 0],
    [0, 0, 0],
    [2, 1, 0],
  ];

  it('entropy <= tau', () => {
    expect(decide(entropyPolicy({ tau: 0.7 }), logits)).toEqual([1, 0, 0]);
    expect(decide(entropyPolicy({ tau: 0.84 }), logits)).toEqual([1, 0, 1]);
    expect(decide(entropyPolicy({ tau: 0.83 }), logits)).toEqual([1, 0, 0]);
    expect(decide(entropyPolicy({ tau: Math.log(3) + 1e-6 }), logits)).toEqual([1, 1, 1]);
    expect(decide(entropyPolicy({ tau: 0 }), logits)).toEqual([0, 0, 0]);
  });

  it('max probability >= p', () => {
    // max probs: 0.99991, 1/3, 0.6652
    expect(decide(maxProbPolicy({ p: 0.9 }), logits)).toEqual([1, 0, 0]);
    expect(decide(maxProbPolicy({ p: 0.66 }), logits)).toEqual([1, 0, 1]);
    expect(decide(maxProbPolicy({ p: 0 }), logits)).toEqual([1, 1, 1]);
    expect(decide(maxProbPolicy({ p: 1 }), logits)).toEqual([0, 0, 0]);
  });

  it('walks exits in order: the first exit that passes wins, the final one always stops', () => {
    const perExit = [
      [[0, 0], [5, 0], [0, 0]], // exit 0: only sample 1 is sure
      [[4, 0], [0, 0], [0, 0]], // exit 1: sample 0 is sure
      [[0, 0], [0, 0], [0, 0]], // final
    ];
    expect(walk(entropyPolicy({ tau: 0.1 }), perExit)).toEqual([1, 0, 2]);
    const r = simulateExits({ layers: [0, 2, 5], probs: perExit.map(softmaxRows), numClasses: 2, count: 3 }, entropyPolicy({ tau: 0.1 }));
    expect(Array.from(r.exitLayers)).toEqual([2, 0, 5]);
    expect(Array.from(r.predictions)).toEqual([0, 0, 0]);
  });

  it('per-exit thresholds apply to each intermediate exit in order', () => {
    // Entropy of [1, 0] logits ≈ 0.5822 at every exit.
    const perExit = [[[1, 0]], [[1, 0]], [[1, 0]]];
    expect(walk(entropyPolicy({ tau: [0.5, 0.6] }), perExit)).toEqual([1]);
    expect(walk(entropyPolicy({ tau: [0.6, 0.5] }), perExit)).toEqual([0]);
    expect(walk(entropyPolicy({ tau: [0.5, 0.5] }), perExit)).toEqual([2]);
    expect(walk(maxProbPolicy({ p: [0.9, 0.7] }), perExit)).toEqual([1]); // max prob 0.731
    expect(() => walk(entropyPolicy({ tau: [0.5] }), perExit)).toThrow(/got 1 per-exit thresholds for 2 intermediate exits \(3 exits in all/);
  });

  it('minimum layer: earlier exits are skipped', () => {
    const perExit = [[[9, 0]], [[9, 0]], [[9, 0]], [[9, 0]]];
    expect(walk(entropyPolicy({ tau: 0.7 }), perExit)).toEqual([0]);
    expect(walk(entropyPolicy({ tau: 0.7, minLayer: 2 }), perExit)).toEqual([2]);
    expect(walk(entropyPolicy({ tau: 0.7, minLayer: 2 }), perExit, [0, 3, 6, 9])).toEqual([1]);
    expect(walk(entropyPolicy({ tau: 0.7, minLayer: 50 }), perExit)).toEqual([3]); // the final exit still stops
    expect(entropyPolicy({ tau: 0.7, minLayer: 2 }).label).toBe('entropy<=0.7,min-layer=2');
  });

  it('patience: stop once the prediction stayed the same for `patience` consecutive exits (PABEE)', () => {
    // Predictions per exit: sample 0: 0,1,1,1,2; sample 1: 0,0,0,0,0; sample 2: 0,1,0,1,0.
    const pred = [
      [0, 0, 0],
      [1, 0, 1],
      [1, 0, 0],
      [1, 0, 1],
      [2, 0, 0],
    ];
    const perExit = pred.map((row) => row.map((c) => (c === 0 ? [3, 0, 0] : c === 1 ? [0, 3, 0] : [0, 0, 3])));
    expect(walk(patiencePolicy({ patience: 1 }), perExit)).toEqual([2, 1, 4]);
    expect(walk(patiencePolicy({ patience: 2 }), perExit)).toEqual([3, 2, 4]);
    expect(walk(patiencePolicy({ patience: 3 }), perExit)).toEqual([4, 3, 4]);
    // The counter starts at the first evaluated exit.
    expect(walk(patiencePolicy({ patience: 1, minLayer: 2 }), perExit)).toEqual([3, 3, 4]);
  });

  it('static exits stop everyone at a fixed depth', () => {
    const perExit = [[[0, 0]], [[0, 0]], [[0, 0]]];
    expect(walk(staticExitPolicy(0), perExit)).toEqual([0]);
    expect(walk(staticExitPolicy(1), perExit)).toEqual([1]);
    expect(walk(staticExitPolicy(7), perExit)).toEqual([2]);
  });
});

describe('validation', () => {
  it('rejects bad thresholds with clear errors', () => {
    expect(() => entropyPolicy({ tau: -0.1 })).toThrow('entropyPolicy: tau must be a finite number >= 0 (entropy in nats), got -0.1');
    expect(() => entropyPolicy({ tau: Number.NaN })).toThrow('entropyPolicy: tau must be a finite number >= 0 (entropy in nats), got NaN');
    expect(() => entropyPolicy({ tau: Number.POSITIVE_INFINITY })).toThrow(/got Infinity/);
    expect(() => entropyPolicy({ tau: [0.5, Number.NaN] })).toThrow('entropyPolicy: tau[1] must be a finite number >= 0 (entropy in nats), got NaN');
    expect(() => entropyPolicy({ tau: [] })).toThrow(/non-empty array/);
    expect(() => entropyPolicy({} as never)).toThrow(/tau must be a number or a non-empty array of numbers, got undefined/);
    expect(() => maxProbPolicy({ p: 1.5 })).toThrow('maxProbPolicy: p must be a probability in [0, 1], got 1.5');
    expect(() => maxProbPolicy({ p: -0.2 })).toThrow(/got -0.2/);
    expect(() => maxProbPolicy({ p: Number.NaN })).toThrow(/p must be a probability in \[0, 1\], got NaN/);
    expect(() => maxProbPolicy({ p: [0.9, 1.01] })).toThrow(/p\[1\] must be a probability in \[0, 1\], got 1.01/);
    expect(() => patiencePolicy({ patience: 0 })).toThrow('patiencePolicy: patience must be an integer >= 1, got 0');
    expect(() => patiencePolicy({ patience: 1.5 })).toThrow(/got 1.5/);
    expect(() => entropyPolicy({ tau: 0.7, minLayer: -1 })).toThrow('entropyPolicy: minLayer must be an integer >= 0, got -1');
    expect(() => maxProbPolicy({ p: 0.9, minLayer: Number.NaN })).toThrow(/minLayer must be an integer >= 0, got NaN/);
    expect(() => staticExitPolicy(-1)).toThrow('staticExitPolicy: layer must be an integer >= 0, got -1');
    expect(() => softmaxRows([[1, 2], [1]])).toThrow(/row 1 has 1 logits, expected 2/);
  });

  it('labels describe the policy for reports', () => {
    expect(entropyPolicy({ tau: 0.7 }).label).toBe('entropy<=0.7');
    expect(entropyPolicy({ tau: [0.5, 0.6] }).label).toBe('entropy<=[0.5,0.6]');
    expect(maxProbPolicy({ p: 0.9 }).label).toBe('max-prob>=0.9');
    expect(patiencePolicy({ patience: 2 }).label).toBe('patience=2');
    expect(staticExitPolicy(3).label).toBe('static=3');
  });
});
