import { describe, expect, it } from 'vitest';
import { gaussianNoise, saltAndPepper } from './noise';

const N = 200_000;

describe('gaussianNoise', () => {
  it('adds zero-mean noise of standard deviation σ to the pixels (no clipping at 0.5 ± 5σ)', () => {
    const x = new Float32Array(N).fill(0.5);
    const y = gaussianNoise(x, 0.05, 7);
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < N; i++) {
      const d = y[i] - 0.5;
      s += d;
      s2 += d * d;
    }
    const mean = s / N;
    const std = Math.sqrt(s2 / N - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.001); // 5 standard errors of the mean (0.05/√N ≈ 1.1e-4)
    expect(std).toBeGreaterThan(0.049);
    expect(std).toBeLessThan(0.051);
    expect(x[0]).toBe(0.5); // input untouched
  });

  it('clips to [0, 1], is the identity at σ = 0, and is seeded', () => {
    const x = Float32Array.from([0, 1, 0.25, 0.75]);
    expect(Array.from(gaussianNoise(x, 0, 1))).toEqual(Array.from(x));
    const big = gaussianNoise(new Float32Array(1000).fill(0.5), 10, 3);
    expect(Math.min(...big)).toBe(0);
    expect(Math.max(...big)).toBe(1);
    expect(Array.from(gaussianNoise(x, 0.2, 5))).toEqual(Array.from(gaussianNoise(x, 0.2, 5)));
    expect(Array.from(gaussianNoise(x, 0.2, 5))).not.toEqual(Array.from(gaussianNoise(x, 0.2, 6)));
  });

  it('rejects a bad σ', () => {
    expect(() => gaussianNoise(new Float32Array(2), -0.1, 0)).toThrow(/sigma must be a finite number >= 0, got -0.1/);
    expect(() => gaussianNoise(new Float32Array(2), Number.NaN, 0)).toThrow(/sigma/);
  });
});

describe('saltAndPepper', () => {
  it('corrupts a fraction p of the pixels, half to 0 and half to 1, and keeps the rest', () => {
    const x = new Float32Array(N).fill(0.5);
    const y = saltAndPepper(x, 0.1, 11);
    let salt = 0;
    let pepper = 0;
    for (let i = 0; i < N; i++) {
      if (y[i] === 1) salt++;
      else if (y[i] === 0) pepper++;
      else expect(y[i]).toBe(0.5);
    }
    // Expected 10,000 each; binomial std ≈ 97, so ±500 is > 5 std.
    expect(Math.abs(salt - 10_000)).toBeLessThan(500);
    expect(Math.abs(pepper - 10_000)).toBeLessThan(500);
  });

  it('is the identity at p = 0, all-0-or-1 at p = 1, seeded, and rejects p outside [0, 1]', () => {
    const x = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    expect(Array.from(saltAndPepper(x, 0, 1))).toEqual(Array.from(x));
    for (const v of saltAndPepper(new Float32Array(100).fill(0.5), 1, 2)) expect(v === 0 || v === 1).toBe(true);
    expect(Array.from(saltAndPepper(x, 0.5, 9))).toEqual(Array.from(saltAndPepper(x, 0.5, 9)));
    expect(() => saltAndPepper(x, 1.5, 0)).toThrow(/p must be in \[0, 1\], got 1.5/);
  });

  it('corrupts whole colour pixels (all channels together) with channels = 3, one draw per pixel', () => {
    const pixels = N / 4;
    // HWC: every pixel (0.2, 0.5, 0.8), so a kept pixel is recognisable channel by channel.
    const x = new Float32Array(pixels * 3);
    for (let i = 0; i < pixels; i++) x.set([0.2, 0.5, 0.8], 3 * i);
    const y = saltAndPepper(x, 0.1, 4, 3);
    let salt = 0;
    let pepper = 0;
    for (let i = 0; i < pixels; i++) {
      const px = Array.from(y.subarray(3 * i, 3 * i + 3));
      if (px.every((v) => v === 1)) salt++;
      else if (px.every((v) => v === 0)) pepper++;
      else expect(px).toEqual([0.2, 0.5, 0.8].map(Math.fround));
    }
    // Expected 2,500 each of 50,000 pixels; binomial std ≈ 49, so ±250 is > 5 std.
    expect(Math.abs(salt - 2_500)).toBeLessThan(250);
    expect(Math.abs(pepper - 2_500)).toBeLessThan(250);
    // channels = 1 is the default (the grey images' draw sequence, unchanged).
    expect(Array.from(saltAndPepper(x.subarray(0, 30), 0.5, 9, 1))).toEqual(Array.from(saltAndPepper(x.subarray(0, 30), 0.5, 9)));
    expect(() => saltAndPepper(new Float32Array(4), 0.1, 0, 3)).toThrow(/channels must be an integer >= 1 dividing the 4 values, got 3/);
  });
});
