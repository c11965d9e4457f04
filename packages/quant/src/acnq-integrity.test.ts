/**
 * The ACNQ file and packed kernels refuse what no quantizer writes (issue 12 §2): NaN or negative
 * scales, zero points outside the code range, invalid codes, duplicate kernels, and any change of
 * the bytes after writing (sha256 trailer).
 */
import { sha256Hex } from '@acn/core';
import { describe, expect, it } from 'vitest';
import { QuantFormatError } from './format-error';
import type { QuantizedModel, QuantizedWeight } from './export';
import { deserializeQuantized, serializeQuantized } from './serialize';
import { unpackKernel } from './codec';

const uniform = (over: Partial<Record<string, unknown>> = {}): QuantizedWeight =>
  ({
    format: 'uniform',
    shape: [2, 2],
    bits: 4,
    scheme: 'asymmetric',
    granularity: 'layer',
    codes: new Uint8Array([0x21, 0x43]),
    scales: new Float32Array([0.5]),
    zeroPoints: new Uint16Array([3]),
    path: 'blocks.0.fc',
    weight: 'kernel',
    bytes: 7,
    ...over,
  }) as QuantizedWeight;
const model = (...weights: QuantizedWeight[]): QuantizedModel => ({ weights, totalBytes: 0 });

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantFormatError);
    return (e as QuantFormatError).code;
  }
  return 'none';
}

/** Recomputes the sha256 trailer (a forged file that is well-signed but has bad contents). */
function resign(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const hex = sha256Hex(out.subarray(0, out.length - 32));
  for (let i = 0; i < 32; i++) out[out.length - 32 + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

describe('ACNQ integrity', () => {
  it('round-trips a valid kernel', () => {
    const back = deserializeQuantized(serializeQuantized(model(uniform())));
    expect(Array.from(unpackKernel(back.weights[0]))).toEqual([-1, -0.5, 0, 0.5]);
  });

  it('every single bit flip anywhere in the file is refused', () => {
    const bytes = serializeQuantized(model(uniform(), uniform({ path: 'blocks.1.fc' })));
    let refused = 0;
    for (let i = 0; i < bytes.length * 8; i++) {
      const b = bytes.slice();
      b[i >> 3] ^= 1 << (i & 7);
      expect(code(() => deserializeQuantized(b))).not.toBe('none');
      refused++;
    }
    expect(refused).toBe(bytes.length * 8);
    expect(code(() => deserializeQuantized(bytes.subarray(0, bytes.length - 1)))).toBe('CHECKSUM_MISMATCH');
  });

  it('refuses NaN / negative / infinite scales, zero points out of range, symmetric code 0', () => {
    expect(code(() => deserializeQuantized(serializeQuantized(model(uniform({ scales: new Float32Array([Number.NaN]) })))))).toBe('INVALID_VALUE');
    expect(code(() => deserializeQuantized(serializeQuantized(model(uniform({ scales: new Float32Array([-1]) })))))).toBe('INVALID_VALUE');
    expect(code(() => deserializeQuantized(serializeQuantized(model(uniform({ scales: new Float32Array([Infinity]) })))))).toBe('INVALID_VALUE');
    expect(code(() => deserializeQuantized(serializeQuantized(model(uniform({ zeroPoints: new Uint16Array([16]) })))))).toBe('INVALID_VALUE');
    expect(code(() => unpackKernel(uniform({ zeroPoints: new Float32Array([2.5]) as unknown as Uint16Array })))).toBe('INVALID_VALUE');
    expect(code(() => unpackKernel(uniform({ zeroPoints: new Float32Array([Number.NaN]) as unknown as Uint16Array })))).toBe('INVALID_VALUE');
    expect(code(() => unpackKernel(uniform({ scheme: 'symmetric', zeroPoints: new Uint16Array([7]) })))).toBe('INVALID_VALUE');
    expect(code(() => unpackKernel(uniform({ scheme: 'symmetric', zeroPoints: new Uint16Array([8]), codes: new Uint8Array([0x10, 0x11]) })))).toBe('INVALID_VALUE');
    expect(code(() => unpackKernel({ format: 'binary', shape: [2, 4], scale: 'layer', bits: new Uint8Array(1), scales: new Float32Array([Number.NaN]) }))).toBe('INVALID_VALUE');
  });

  it('refuses duplicate kernels and keeps `__proto__` an ordinary name', () => {
    expect(code(() => deserializeQuantized(serializeQuantized(model(uniform(), uniform()))))).toBe('INVALID_HEADER');
    const back = deserializeQuantized(serializeQuantized(model(uniform({ path: '__proto__', weight: '__proto__' }))));
    expect(back.weights[0].path).toBe('__proto__');
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('a well-signed forgery with bad header fields is refused with a code', () => {
    const bytes = serializeQuantized(model(uniform()));
    const hlen = new DataView(bytes.buffer).getUint32(8, true);
    const text = new TextDecoder().decode(bytes.subarray(12, 12 + hlen));
    const forge = (t: string) => {
      expect(t.length).toBe(text.length); // same length keeps the payload offsets
      const b = bytes.slice();
      b.set(new TextEncoder().encode(t), 12);
      return resign(b);
    };
    expect(code(() => deserializeQuantized(forge(text.replace('"bits":4', '"bits":0'))))).toBe('INVALID_HEADER');
    expect(code(() => deserializeQuantized(forge(text.replace('"shape":[2,2]', '"shape":[2,9]'))))).toBe('INVALID_VALUE');
    expect(code(() => deserializeQuantized(forge(text.replace('"weights"', '"weightz"'))))).toBe('INVALID_HEADER');
  });
});
