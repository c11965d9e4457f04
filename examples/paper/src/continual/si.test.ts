import { tf, type GradientsEvent } from '@acn/core';
import { describe, expect, it } from 'vitest';
import { averageAccuracy, averageForgetting } from './metrics';
import { SynapticIntelligence } from './si';
import { selectClasses } from './task-view';

/** One simulated optimizer step: gradient g, parameter moved to `after`. */
function step(si: SynapticIntelligence, w: tf.Variable, g: number[], after: number[]): void {
  si.onStepBegin();
  const grads = { w: tf.tensor1d(g) };
  const x = tf.scalar(0);
  si.onGradients({ step: 0, epoch: 1, grads, x, y: x } as unknown as GradientsEvent);
  tf.dispose([x, ...Object.values(grads)]);
  set(w, after);
  si.onStepEnd();
}

function set(w: tf.Variable, v: number[]): void {
  tf.tidy(() => w.assign(tf.tensor1d(v)));
}

const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));

describe('SynapticIntelligence', () => {
  it('accumulates ω = −Σ g·Δθ and Ω = ω/(Δθ_task² + ξ) as computed by hand', () => {
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2]), true, 'si-test-w'));
    const si = new SynapticIntelligence({ w }, { lambda: 2, xi: 0.1 });
    // Step 1: g = [0.5, −1], θ: [1, 2] → [0.9, 2.2]: ω = −[0.5·(−0.1), −1·0.2] = [0.05, 0.2]
    step(si, w, [0.5, -1], [0.9, 2.2]);
    close(si.state('w').omega, [0.05, 0.2]);
    // Step 2: g = [1, 0], θ → [0.7, 2.2]: ω += −[1·(−0.2), 0] → [0.25, 0.2]
    step(si, w, [1, 0], [0.7, 2.2]);
    close(si.state('w').omega, [0.25, 0.2]);
    const p0 = si.penalty();
    expect(p0.dataSync()[0]).toBe(0); // nothing consolidated yet
    p0.dispose();
    // End of task: Δθ_task = [−0.3, 0.2] → Ω = [0.25/0.19, 0.2/0.14]; ω resets.
    si.consolidate();
    close(si.state('w').importance, [0.25 / 0.19, 0.2 / 0.14]);
    close(si.state('w').omega, [0, 0]);
    // Penalty λ·ΣΩ(θ − θ*)² with θ* = [0.7, 2.2], θ = [0.8, 2.0]: 2·(1.315789·0.01 + 1.428571·0.04)
    set(w, [0.8, 2.0]);
    const p = si.penalty();
    expect(p.dataSync()[0]).toBeCloseTo(2 * ((0.25 / 0.19) * 0.01 + (0.2 / 0.14) * 0.04), 5);
    p.dispose();
    // Its gradient 2λΩ(θ − θ*) reaches the variable.
    const { grads, value } = tf.variableGrads(() => si.penalty() as tf.Scalar, [w]);
    close(Array.from(grads['si-test-w'].dataSync()), [4 * (0.25 / 0.19) * 0.1, 4 * (0.2 / 0.14) * -0.2]);
    tf.dispose([value, ...Object.values(grads)]);
    // Second task: importances add up. Task start is [0.7, 2.2]; one step g = [−1, 1], θ: [0.8, 2.0] → [1.0, 2.0]:
    // ω = −[−1·0.2, 1·0] = [0.2, 0]; Δθ_task = [0.3, −0.2] → Ω += [0.2/0.19, 0].
    step(si, w, [-1, 1], [1.0, 2.0]);
    si.consolidate();
    close(si.state('w').importance, [0.25 / 0.19 + 0.2 / 0.19, 0.2 / 0.14]);
    si.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options', () => {
    const w = tf.tidy(() => tf.variable(tf.zeros([1]), true, 'si-test-w2'));
    expect(() => new SynapticIntelligence({ w }, { xi: 0 })).toThrow(/xi must be a finite number > 0/);
    expect(() => new SynapticIntelligence({ w }, { lambda: -1 })).toThrow(/lambda must be a finite number >= 0/);
    w.dispose();
  });
});

describe('continual metrics and task heads', () => {
  it('average accuracy and forgetting from the accuracy matrix', () => {
    const r = [
      [0.9, 0.1, 0.2],
      [0.7, 0.8, 0.1],
      [0.5, 0.6, 0.95],
    ];
    expect(averageAccuracy(r)).toBeCloseTo((0.5 + 0.6 + 0.95) / 3, 12);
    expect(averageForgetting(r)).toBeCloseTo((0.9 - 0.5 + (0.8 - 0.6)) / 2, 12);
    expect(averageForgetting([[0.7]])).toBe(0);
    expect(() => averageAccuracy([[1, 2]])).toThrow(/square/);
  });

  it('selectClasses picks logit columns in the given order', () => {
    const before = tf.memory().numTensors;
    const l = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const s = selectClasses(l, [3, 1]);
    expect(s.shape).toEqual([2, 2]);
    expect(Array.from(s.dataSync())).toEqual([4, 2, 8, 6]);
    expect(() => selectClasses(l, [4])).toThrow(/class 4 is outside 0..3/);
    tf.dispose([l, s]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
