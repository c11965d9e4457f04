import { describe, expect, it } from 'vitest';
import { cosineBeta, epochsToSteps, linearBeta, resolveSchedule, stepBeta, stepsPerEpoch } from './schedule';

describe('schedules', () => {
  it('linearBeta: max(1 − t/Q, 0) at t = 0, Q/2, Q, 2Q; Q = 0 is 0 from the start', () => {
    const b = linearBeta(100);
    expect([b(0), b(50), b(100), b(200)]).toEqual([1, 0.5, 0, 0]);
    expect(b(1)).toBeCloseTo(0.99, 15);
    expect(b(75)).toBe(0.25);
    expect(b.Q).toBe(100);
    expect(b.label).toBe('linear(Q=100)');
    const z = linearBeta(0);
    expect([z(0), z(1), z(1000)]).toEqual([0, 0, 0]);
    const q3 = linearBeta(3); // the authors' running value 1 − t/Q
    expect([q3(0), q3(1), q3(2), q3(3)].map((v) => +v.toFixed(12))).toEqual([1, 0.666666666667, 0.333333333333, 0]);
  });

  it('cosineBeta and stepBeta at t = 0, Q/2, Q, 2Q', () => {
    const c = cosineBeta(100);
    expect(c(0)).toBe(1);
    expect(c(50)).toBeCloseTo(0.5, 15);
    expect(c(25)).toBeCloseTo(0.5 * (1 + Math.SQRT1_2), 15);
    expect([c(100), c(200)]).toEqual([0, 0]);
    expect(cosineBeta(0)(0)).toBe(0);
    const s = stepBeta(100, 4);
    expect([0, 24, 25, 50, 60, 99, 100, 200].map(s)).toEqual([1, 1, 0.75, 0.5, 0.5, 0.25, 0, 0]);
    expect([0, 99, 100].map(stepBeta(100, 1))).toEqual([1, 1, 0]);
    expect(stepBeta(0, 3)(0)).toBe(0);
  });

  it('epochs → steps, steps per epoch', () => {
    expect(epochsToSteps(12, 391)).toBe(4692); // the authors' CIFAR-10 default (vcon.md §1.2)
    expect(stepsPerEpoch(6000, 64)).toBe(94);
    expect(stepsPerEpoch(64, 64)).toBe(1);
    expect(epochsToSteps(1.5, 94)).toBe(141);
    expect(epochsToSteps(0, 94)).toBe(0);
  });

  it('rejects bad Q, steps and epochs with a RangeError naming the value', () => {
    expect(() => linearBeta(-1)).toThrow(RangeError);
    expect(() => linearBeta(-1)).toThrow(/Q must be an integer number of optimizer steps >= 0, got -1/);
    expect(() => linearBeta(2.5)).toThrow(/got 2.5/);
    expect(() => cosineBeta(Number.NaN)).toThrow(RangeError);
    expect(() => stepBeta(10, 0)).toThrow(/steps .* must be an integer >= 1, got 0/);
    expect(() => linearBeta(10)(-1)).toThrow(/optimizer step must be an integer >= 0, got -1/);
    expect(() => linearBeta(10)(1.5)).toThrow(RangeError);
    expect(() => epochsToSteps(-1, 10)).toThrow(/epochs must be a finite number >= 0, got -1/);
    expect(() => epochsToSteps(1, 0)).toThrow(/stepsPerEpoch must be an integer >= 1, got 0/);
    expect(() => stepsPerEpoch(10, 0)).toThrow(/batchSize must be an integer >= 1, got 0/);
  });

  it('resolveSchedule: exactly one of Q, epochs, schedule; custom schedules are range-checked', () => {
    expect(resolveSchedule({ Q: 10 }, 't')(5)).toBe(0.5);
    expect(resolveSchedule({ epochs: 2, stepsPerEpoch: 94 }, 't').Q).toBe(188);
    expect(resolveSchedule({ schedule: cosineBeta(10) }, 't').label).toBe('cosine(Q=10)');
    expect(() => resolveSchedule({}, 'vcon(x)')).toThrow(/vcon\(x\): give exactly one of Q .* got none/);
    expect(() => resolveSchedule({ Q: 1, schedule: linearBeta(1) }, 't')).toThrow(/got Q and schedule/);
    expect(() => resolveSchedule({ epochs: 2 }, 't')).toThrow(/needs stepsPerEpoch/);
    const bad = resolveSchedule({ schedule: (t) => 1 - t }, 'vcon(x)');
    expect(bad(0)).toBe(1);
    expect(() => bad(3)).toThrow(/vcon\(x\): schedule custom returned beta=-2 at step 3; beta must be a number in \[0, 1\]/);
  });
});
