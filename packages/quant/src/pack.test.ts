import { tf, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { binarize } from './binary';
import { packBits, unpackBits } from './bits';
import { packedBytes, unpackKernel } from './codec';
import { quantizedBytes } from './cost';
import { packBinary, unpackBinary } from './pack-binary';
import { packTernary, unpackTernary } from './pack-ternary';
import { packUniform, unpackUniform } from './pack-uniform';
import { ternarize } from './ternary';
import { dequantizeUint8, quantizeUint8 } from './uint8';
import { fakeQuantize } from './uniform';
import { leaked, sameValues, useWasm, values, VCON_KERNEL } from './test-helpers';

describe('bit packing', () => {
  it('documented layout: LSB first, row-major codes, k-bit little-endian stream', () => {
    expect(Array.from(packBits([1, 0, 1, 1], 1))).toEqual([0b1101]);
    expect(Array.from(packBits([1, 0, 0, 0, 0, 0, 0, 0, 1], 1))).toEqual([1, 1]);
    expect(Array.from(packBits([3, 1], 2))).toEqual([0b0111]);
    expect(Array.from(packBits([0xab, 0x01], 8))).toEqual([0xab, 0x01]);
    expect(Array.from(packBits([0x1234], 16))).toEqual([0x34, 0x12]);
    expect(Array.from(packBits([5, 6, 7], 3))).toEqual([0b11110101, 0b1]); // 5 in bits 0..2, 6 in 3..5, 7 in 6..8
  });

  it('round-trips every width 1..16 on odd lengths', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let bits = 1; bits <= 16; bits++) {
      const codes = Array.from({ length: 37 }, () => Math.floor(rand() * 2 ** bits));
      const packed = packBits(codes, bits);
      expect(packed.length).toBe(Math.ceil((37 * bits) / 8));
      expect(Array.from(unpackBits(packed, bits, 37))).toEqual(codes);
    }
  });

  it('rejects codes that do not fit and short buffers', () => {
    expect(() => packBits([4], 2)).toThrow(/code 4 at index 0 does not fit in 2 bits/);
    expect(() => packBits([1], 17)).toThrow(/bits must be an integer in \[1, 16\], got 17/);
    expect(() => unpackBits(new Uint8Array(1), 4, 3)).toThrow(/3 codes of 4 bits need 2 bytes, got 1/);
  });
});

describe('packed kernels reproduce the effective weights exactly', () => {
  beforeAll(useWasm);

  const kernel = (shape: [number, number], seed: number): Tensor => tf.randomNormal(shape, 0, 0.3, 'float32', seed);

  it('packBinary / unpackBinary: 1 bit per weight + α, for layer, channel and none', () => {
    const n = leaked(() => {
      const w = kernel([5, 3], 1); // 15 weights: the last byte is partial
      for (const scale of ['layer', 'channel', 'none'] as const) {
        const p = packBinary(w, { scale });
        const eff = binarize(w, scale);
        expect(sameValues(unpackBinary(p), eff.dataSync())).toBe(true);
        expect(p.bits.length).toBe(2);
        expect(p.zeros).toBeUndefined();
        expect(p.scales.length).toBe(scale === 'channel' ? 3 : 1);
        expect(packedBytes(p)).toBe(quantizedBytes({ format: 'binary', scale }, [5, 3]));
        eff.dispose();
      }
      w.dispose();
    });
    expect(n).toBe(0);
  });

  it('packBinary on the vcon.md vector: sign bits (1 = negative) and α = 0.275', () => {
    const w = tf.tensor2d(VCON_KERNEL); // row-major [4, 2]: 0.5 0.05 | -0.1 0.2 | 0.3 -0.15 | -0.8 0.1
    const p = packBinary(w);
    expect(Array.from(p.bits)).toEqual([0b01100100]);
    expect(p.scales[0]).toBeCloseTo(0.275, 7);
    w.dispose();
  });

  it('binary kernels with exact zeros (sign(0) = 0) get a zero map; all-zero kernels too', () => {
    const w = tf.tensor2d([
      [0, 1, -2],
      [0.5, 0, -0.25],
    ]);
    const p = packBinary(w);
    expect(p.zeros && Array.from(p.zeros)).toEqual([0b010001]);
    expect(Array.from(unpackBinary(p))).toEqual(values(binarize(w)));
    expect(packedBytes(p)).toBe(quantizedBytes({ format: 'binary', scale: 'layer' }, [2, 3], true));
    const z = tf.zeros([3, 3]);
    expect(Array.from(unpackBinary(packBinary(z)))).toEqual(new Array(9).fill(0));
    tf.dispose([w, z]);
  });

  it('packTernary / unpackTernary: 2-bit codes 0 → 0, 1 → +α, 3 → −α', () => {
    const small = tf.tensor2d([
      [1, -0.2],
      [0.1, -0.7],
    ]);
    const p = packTernary(small, { threshold: 0.5 });
    expect(Array.from(p.codes)).toEqual([0b11000001]);
    expect(Array.from(unpackTernary(p))).toEqual([p.scales[0], 0, 0, -p.scales[0]]);
    const w = kernel([7, 5], 2);
    const q = packTernary(w);
    const eff = ternarize(w);
    expect(sameValues(unpackTernary(q), eff.dataSync())).toBe(true);
    expect(q.codes.length).toBe(Math.ceil(35 / 4));
    expect(packedBytes(q)).toBe(9 + 4);
    tf.dispose([small, w, eff]);
  });

  it('packUniform / unpackUniform: k-bit codes for k in {1, 2, 3, 4, 8, 12, 16}, both schemes and granularities', () => {
    const w = kernel([6, 5], 3);
    for (const bits of [1, 2, 3, 4, 8, 12, 16]) {
      for (const scheme of ['symmetric', 'asymmetric'] as const) {
        if (scheme === 'symmetric' && bits < 2) continue;
        for (const granularity of ['layer', 'channel'] as const) {
          const opts = { bits, scheme, granularity };
          const p = packUniform(w, opts);
          const eff = fakeQuantize(w, opts);
          expect(sameValues(unpackUniform(p), eff.dataSync()), JSON.stringify(opts)).toBe(true);
          expect(p.codes.length).toBe(Math.ceil((30 * bits) / 8));
          expect(packedBytes(p)).toBe(quantizedBytes({ format: 'uniform', ...opts }, [6, 5]));
          expect(sameValues(unpackKernel(p), unpackUniform(p))).toBe(true);
          eff.dispose();
        }
      }
    }
    w.dispose();
  });

  it('quantizeUint8 / dequantizeUint8: one byte per weight, exact round trip, int8 byte counts', () => {
    const w = kernel([16, 8], 4);
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      for (const granularity of ['layer', 'channel'] as const) {
        const q = quantizeUint8(w, { scheme, granularity });
        const eff = fakeQuantize(w, { bits: 8, scheme, granularity });
        expect(q.data.length).toBe(128);
        expect(sameValues(dequantizeUint8(q), eff.dataSync())).toBe(true);
        expect(q.scale.length).toBe(granularity === 'channel' ? 8 : 1);
        if (scheme === 'symmetric') {
          expect(Array.from(q.zeroPoint).every((z) => z === 128)).toBe(true);
          expect(Math.min(...q.data)).toBeGreaterThanOrEqual(1); // narrow range: code 0 (-128) unused
        }
        eff.dispose();
      }
    }
    // int8 per channel symmetric: 128 bytes of codes + 8 float32 scales = 160 bytes vs 512 float32.
    expect(quantizedBytes({ format: 'uniform', bits: 8, scheme: 'symmetric', granularity: 'channel' }, [16, 8])).toBe(160);
    expect(quantizedBytes({ format: 'uniform', bits: 8, scheme: 'asymmetric', granularity: 'channel' }, [16, 8])).toBe(168);
    const q4 = quantizeUint8(w, { bits: 4, scheme: 'asymmetric', granularity: 'layer' });
    expect(Math.max(...q4.data)).toBeLessThanOrEqual(15);
    expect(sameValues(dequantizeUint8(q4), fakeQuantize(w, { bits: 4, scheme: 'asymmetric', granularity: 'layer' }).dataSync())).toBe(true);
    expect(() => quantizeUint8(w, { bits: 12 })).toThrow(/bits must be <= 8 for one byte per weight, got 12; use packUniform/);
    w.dispose();
  });

  it('rejects malformed packed kernels', () => {
    const w = kernel([4, 4], 5);
    const p = packBinary(w);
    expect(() => unpackBinary({ ...p, bits: new Uint8Array(1) })).toThrow(/needs bits of length 2, got 1/);
    expect(() => unpackBinary({ ...p, scales: new Float32Array(4) })).toThrow(/needs scales of length 1, got 4/);
    expect(() => unpackBinary(packTernary(w) as never)).toThrow(/expected a packed binary kernel, got format "ternary"/);
    w.dispose();
  });
});
