import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleWat, WAT_PATH } from '../../scripts/assemble-wat';
import { fusedElementwiseBytes, fusedElementwiseFor } from './fused-elementwise-wasm';

/** Φ(x) in float64: erfc by its series (|z| < 2.5) or Lentz's continued fraction. */
function phi64(x: number): number {
  const z = -x / Math.SQRT2;
  const a = Math.abs(z);
  let erfcA: number;
  if (a < 2.5) {
    let term = a;
    let s = a;
    for (let k = 1; k < 200; k++) {
      term *= (-a * a) / k;
      const add = term / (2 * k + 1);
      s += add;
      if (Math.abs(add) < 1e-18 * Math.abs(s)) break;
    }
    erfcA = 1 - (2 / Math.sqrt(Math.PI)) * s;
  } else {
    let f = 0;
    for (let k = 80; k >= 1; k--) f = k / 2 / (a + f);
    erfcA = Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
  }
  return 0.5 * (z >= 0 ? erfcA : 2 - erfcA);
}

/** A fresh `WebAssembly.Memory` (core compiles without DOM types, so typed here). */
function newMemory(pages: number): { buffer: ArrayBuffer } {
  const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
  return new api.Memory({ initial: pages });
}

describe('fused elementwise wasm module', () => {
  it('ships exactly the bytes that fused-elementwise.wat assembles to', async () => {
    const assembled = await assembleWat(readFileSync(WAT_PATH, 'utf8'));
    expect(Buffer.from(fusedElementwiseBytes()).equals(Buffer.from(assembled))).toBe(true);
  });

  it('gelu_fwd: max error vs a float64 reference over [-14, 14] (stated bounds), NaN propagates', () => {
    // The module on its own memory: inputs at 64, outputs after them.
    const memory = newMemory(64);
    const k = fusedElementwiseFor(memory)!;
    expect(k).not.toBeNull();
    const n = 200_003; // not a multiple of 4: the tail path runs too
    const X = 64;
    const Y = X + n * 4;
    const D = Y + n * 4;
    const h = new Float32Array(memory.buffer);
    for (let i = 0; i < n; i++) h[X / 4 + i] = -14 + (28 * i) / (n - 1);
    h[X / 4 + 5] = 0;
    h[X / 4 + n - 1] = NaN;
    k.gelu_fwd(X, Y, D, n);
    let errY = 0;
    let errD = 0;
    for (let i = 0; i < n - 1; i++) {
      const x = h[X / 4 + i];
      const p = phi64(x);
      const y = x * p;
      const d = p + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI);
      errY = Math.max(errY, Math.abs(h[Y / 4 + i] - y) / Math.max(1, Math.abs(y)));
      errD = Math.max(errD, Math.abs(h[D / 4 + i] - d) / Math.max(1, Math.abs(d)));
    }
    // Measured: y 1.5e-7, d 2.0e-7 (absolute below 1, relative above): float32 rounding level.
    // The tfjs-op GELU on wasm (1 + erff in float32) has 4.5e-7 on the same grid.
    expect(errY).toBeLessThan(3e-7);
    expect(errD).toBeLessThan(3e-7);
    expect(h[Y / 4 + 5]).toBe(0);
    expect(h[D / 4 + 5]).toBeCloseTo(0.5, 7);
    expect(Number.isNaN(h[Y / 4 + n - 1])).toBe(true);
    expect(Number.isNaN(h[D / 4 + n - 1])).toBe(true);
  });

  it('gelu_fwd: relative accuracy in the negative tail (where 1 + erf cancels)', () => {
    const memory = newMemory(1);
    const k = fusedElementwiseFor(memory)!;
    const h = new Float32Array(memory.buffer);
    const xs = [-3, -5, -7, -9, -11];
    xs.forEach((x, i) => (h[16 + i] = x));
    k.gelu_fwd(64, 256, 512, xs.length);
    xs.forEach((x, i) => {
      const y = x * phi64(x);
      // float32 rounding of x² inside exp limits this to ~1e-5 relative at x = -11.
      expect(Math.abs(h[64 + i] - y) / Math.abs(y)).toBeLessThan(3e-5);
    });
  });

  it('transpose_32 equals a reference transpose for many shapes (edges, tiles, batches), bit for bit', () => {
    const memory = newMemory(32);
    const k = fusedElementwiseFor(memory)!;
    const h = new Uint32Array(memory.buffer);
    for (const [batch, rows, cols] of [[1, 1, 1], [1, 4, 4], [2, 5, 7], [3, 8, 130], [1, 131, 9], [2, 64, 66], [1, 3, 200], [1, 37, 5], [2, 100, 12], [1, 512, 64]]) {
      const n = batch * rows * cols;
      const X = 16; // in Uint32 units
      const Y = X + n + 4;
      for (let i = 0; i < n; i++) h[X + i] = (i * 2654435761) >>> 0; // arbitrary bits, NaN patterns included
      h.fill(0xdeadbeef, Y, Y + n + 4);
      k.transpose_32(X * 4, Y * 4, batch, rows, cols);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            if (h[Y + b * rows * cols + j * rows + i] !== h[X + b * rows * cols + i * cols + j]) {
              throw new Error(`transpose ${batch}x${rows}x${cols}: wrong value at b=${b} i=${i} j=${j}`);
            }
          }
        }
      }
      expect(h[Y + n]).toBe(0xdeadbeef); // nothing written past the output
    }
  });
});
