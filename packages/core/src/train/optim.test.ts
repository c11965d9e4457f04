import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, useWasm } from '../testing/helpers';
import { tf } from '../tf';
import { AdamW } from './adamw';
import { clipByGlobalNorm, globalNorm } from './clip';
import { crossEntropy } from './loss';
import { constantLr, warmupCosine } from './schedule';

/** PyTorch's AdamW update, written out in float64 JS as the reference. */
function torchAdamW(p0: number[], gradFn: (p: number[]) => number[], steps: number, lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    const g = gradFn(p);
    for (let i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps;
      p[i] -= (lr / (1 - b1 ** t)) * (m[i] / denom);
    }
  }
  return p;
}

describe('optimizer, schedule, loss, clipping', () => {
  beforeAll(useWasm);

  it('AdamW matches the PyTorch update rule (decoupled weight decay) over 5 steps', () => {
    const init = [1.5, -0.25, 0.75];
    const w = tf.variable(tf.tensor1d(init));
    const opt = new AdamW({ weightDecay: 0.1 });
    // loss = sum(w^3)/3 → grad = w^2 (non-linear so the moments matter)
    for (let s = 0; s < 5; s++) {
      const g = tf.tidy(() => tf.square(w));
      opt.apply({ w }, { w: g }, 0.05);
      g.dispose();
    }
    const ref = torchAdamW(init, (p) => p.map((x) => x * x), 5, 0.05, 0.1);
    const got = [...w.dataSync()];
    got.forEach((x, i) => expect(x).toBeCloseTo(ref[i], 5));
    expect(opt.step).toBe(5);
    // State round trip: a copy continues identically.
    const st = opt.getState();
    const opt2 = new AdamW({ weightDecay: 0.1 });
    opt2.setState(st);
    tf.dispose([...Object.values(st.m), ...Object.values(st.v)]);
    const w2 = tf.variable(w.clone());
    const g = tf.tidy(() => tf.square(w));
    opt.apply({ w }, { w: g }, 0.05);
    opt2.apply({ w: w2 }, { w: g }, 0.05);
    expect(maxAbsDiff(w, w2)).toBe(0);
    g.dispose();
    opt.dispose();
    opt2.dispose();
    w.dispose();
    w2.dispose();
  });

  it('AdamW rejects bad hyper-parameters and mismatched gradients', () => {
    expect(() => new AdamW({ beta1: 1 })).toThrow(/beta1 must be in \[0, 1\)/);
    expect(() => new AdamW({ weightDecay: -1 })).toThrow(/weightDecay/);
    const w = tf.variable(tf.zeros([2]));
    const g = tf.zeros([3]);
    const opt = new AdamW();
    expect(() => opt.apply({ w }, { w: g }, 0.1)).toThrow(/gradient of 'w' has shape \[3\], parameter has \[2\]/);
    expect(() => opt.apply({ w }, { w: g }, Number.NaN)).toThrow(/learning rate/);
    tf.dispose([w, g]);
    opt.dispose();
  });

  it('warm-up + cosine: linear ramp to the peak, cosine to the floor', () => {
    const lr = warmupCosine({ peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-6 });
    expect(lr(0)).toBeCloseTo(1e-4, 12);
    expect(lr(9)).toBeCloseTo(1e-3, 12);
    expect(lr(10)).toBeCloseTo(1e-3, 12);
    expect(lr(60)).toBeCloseTo(1e-6 + 0.5 * (1e-3 - 1e-6), 12);
    expect(lr(110)).toBeCloseTo(1e-6, 12);
    expect(lr(500)).toBeCloseTo(1e-6, 12);
    expect(constantLr(0.1)(77)).toBe(0.1);
    expect(() => warmupCosine({ peakLr: 1, warmupSteps: 20, totalSteps: 10 })).toThrow(/exceeds totalSteps/);
  });

  it('cross-entropy with label smoothing equals the smoothed-target formula', () => {
    const logits = tf.tensor2d([
      [2, 0.5, -1],
      [0, 1, 3],
    ]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const eps = 0.1;
    const ls = (row: number[], y: number) => {
      const z = Math.log(row.reduce((a, b) => a + Math.exp(b), 0));
      return -row.reduce((acc, v, k) => acc + ((k === y ? 1 - eps : 0) + eps / 3) * (v - z), 0);
    };
    const expected = (ls([2, 0.5, -1], 0) + ls([0, 1, 3], 2)) / 2;
    const got = crossEntropy(logits, labels, eps);
    expect(got.dataSync()[0]).toBeCloseTo(expected, 5);
    const plain = crossEntropy(logits, labels);
    const expPlain = (-(2 - Math.log(Math.exp(2) + Math.exp(0.5) + Math.exp(-1))) - (3 - Math.log(1 + Math.E + Math.exp(3)))) / 2;
    expect(plain.dataSync()[0]).toBeCloseTo(expPlain, 5);
    expect(() => crossEntropy(logits, labels, 1)).toThrow(/labelSmoothing/);
    tf.dispose([logits, labels, got, plain]);
  });

  it('global-norm clipping scales all gradients together', () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
    expect(globalNorm(Object.values(g))).toBeCloseTo(5, 5);
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect([...grads.a.dataSync()][0]).toBeCloseTo(0.6, 5);
    expect([...grads.b.dataSync()][1]).toBeCloseTo(0.8, 5);
    const { grads: same } = clipByGlobalNorm(g, 10);
    expect(maxAbsDiff(same.a, g.a)).toBe(0);
    tf.dispose([...Object.values(g), ...Object.values(grads), ...Object.values(same)]);
  });
});
