/**
 * Property-based fuzzing of the ACNQ reader (`deserializeQuantized`) and of `unpackKernel` on
 * arbitrary packed kernels: any input decodes to well-formed kernels or throws a
 * `QuantFormatError`; never a raw TypeError / RangeError, never a hang, never more decoded
 * weights than 8 per payload byte (1-bit codes).
 *
 * Random bytes stop at the sha256 trailer, so most cases are re-signed (checksum recomputed) to
 * reach the header and value checks behind it.
 *
 * Runs per property: `ACN_FUZZ_RUNS` (default 200; e.g. `ACN_FUZZ_RUNS=20000` for a long run).
 */
import { sha256Hex } from '@acn/core';
import fc from 'fast-check';
import { decodeCase, FUZZ_RUNS } from '../../../fuzz.shared';
import { describe, expect, it } from 'vitest';
import { unpackKernel, type PackedKernel } from './codec';
import type { QuantizedModel, QuantizedWeight } from './export';
import { QuantFormatError } from './format-error';
import { deserializeQuantized, serializeQuantized } from './serialize';

const RUNS = FUZZ_RUNS;
const counts: Record<string, number> = {};

function property<T, V>(name: string, input: fc.Arbitrary<T>, decode: (x: T) => V, check: (v: V, x: T) => void): void {
  fc.assert(fc.property(input, decodeCase(name, decode, (e) => e instanceof QuantFormatError, check, counts)), { numRuns: RUNS });
}

function resign(b: Uint8Array): Uint8Array {
  if (b.length < 32) return b;
  const hex = sha256Hex(b.subarray(0, b.length - 32));
  for (let i = 0; i < 32; i++) b[b.length - 32 + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return b;
}

const w = (p: Partial<Record<string, unknown>>): QuantizedWeight => ({ path: 'l', weight: 'kernel', bytes: 0, ...p }) as unknown as QuantizedWeight;
const sample: QuantizedModel = {
  totalBytes: 0,
  weights: [
    w({ path: 'a', format: 'uniform', shape: [2, 2], bits: 4, scheme: 'asymmetric', granularity: 'channel', codes: new Uint8Array([0x21, 0x43]), scales: new Float32Array([0.5, 0.25]), zeroPoints: new Uint16Array([3, 8]) }),
    w({ path: 'b', format: 'binary', shape: [3, 3], scale: 'channel', bits: new Uint8Array([0x5a, 1]), zeros: new Uint8Array([0x80, 0]), scales: new Float32Array([1, 2, 3]) }),
    w({ path: 'c', format: 'ternary', shape: [2, 3], codes: new Uint8Array([0x31, 0x0d]), scales: new Float32Array([0.1]) }),
  ],
};
const valid = serializeQuantized(sample);

function mutations(signed: boolean): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(valid.length + 8))
    .map(([edits, cut]) => {
      const b = new Uint8Array(cut);
      b.set(valid.subarray(0, Math.min(cut, valid.length)));
      for (const [i, v] of edits) if (i < b.length) b[i] = v;
      return signed ? resign(b) : b;
    });
}

const checkModel = (m: QuantizedModel, b: Uint8Array) => {
  for (const q of m.weights) {
    const v = unpackKernel(q);
    expect(v.length).toBe(q.shape[0] * q.shape[1]);
    expect(v.length).toBeLessThanOrEqual(8 * b.length);
    expect(v.every((x) => Number.isFinite(x))).toBe(true);
  }
};

describe(`fuzz: ACNQ reader (${RUNS} cases each)`, () => {
  it('random bytes and mutations: refused by the checksum or decoded', () => {
    property('acnq-random', fc.uint8Array({ maxLength: 256 }), deserializeQuantized, checkModel);
    property('acnq-mutated', mutations(false), deserializeQuantized, checkModel);
  });

  it('re-signed mutations reach the header and value checks', () => {
    property('acnq-resigned', mutations(true), deserializeQuantized, checkModel);
    // Header JSON replaced by any JSON value (re-signed).
    const forged = fc.jsonValue({ maxDepth: 4 }).map((j) => {
      const h = new TextEncoder().encode(JSON.stringify(j));
      const b = new Uint8Array(12 + h.length + 16 + 32);
      b.set([0x41, 0x43, 0x4e, 0x51]);
      new DataView(b.buffer).setUint32(4, 2, true);
      new DataView(b.buffer).setUint32(8, h.length, true);
      b.set(h, 12);
      return resign(b);
    });
    property('acnq-header-json', forged, deserializeQuantized, checkModel);
  });

  it('unpackKernel on arbitrary packed kernels', () => {
    const num = fc.oneof(fc.double(), fc.integer({ min: -5, max: 70000 }));
    const arr = fc.array(num, { maxLength: 12 });
    const kernel = fc.record({
      format: fc.constantFrom('binary', 'ternary', 'uniform', 'other'),
      shape: fc.tuple(fc.integer({ min: -1, max: 5 }), fc.integer({ min: -1, max: 5 })),
      scale: fc.constantFrom('layer', 'channel', 'none'),
      bits: fc.oneof(fc.integer({ min: 0, max: 17 }), fc.double()),
      scheme: fc.constantFrom('symmetric', 'asymmetric'),
      granularity: fc.constantFrom('layer', 'channel'),
      codes: arr.map((a) => Uint8Array.from(a)),
      scales: arr.map((a) => Float32Array.from(a)),
      zeroPoints: arr.map((a) => Float64Array.from(a)),
    });
    property('unpackKernel', kernel, (k) => unpackKernel({ ...k, bits: k.format === 'binary' ? k.codes : k.bits } as unknown as PackedKernel), (v: Float32Array) => {
      expect(v.every((x) => Number.isFinite(x))).toBe(true);
    });
  });

  it('prints the case counts', () => {
    console.log(`[fuzz quant] ${JSON.stringify(counts)}`);
  });
});
