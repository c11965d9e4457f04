/**
 * Property-based fuzzing of core's readers: safetensors (`decodeSafetensors`,
 * `readSafetensorsHeader`) and the checkpoint manifest (`parseManifest`). Any input either
 * decodes to a well-formed value or throws a `CheckpointError`; never a raw TypeError /
 * RangeError, never a hang, decoded data never larger than the input (no amplification).
 *
 * Runs per property: `ACN_FUZZ_RUNS` (default 200; e.g. `ACN_FUZZ_RUNS=20000` for a long run).
 */
import fc from 'fast-check';
import { decodeCase, FUZZ_RUNS } from '../../../../fuzz.shared';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILE, parseManifest, serializeManifest } from '../checkpoint/manifest';
import { CheckpointError } from './errors';
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from './safetensors';

const RUNS = FUZZ_RUNS;
const counts: Record<string, number> = {};

function property<T, V>(name: string, input: fc.Arbitrary<T>, decode: (x: T) => V, check: (v: V, x: T) => void): void {
  fc.assert(fc.property(input, decodeCase(name, decode, (e) => e instanceof CheckpointError, check, counts)), { numRuns: RUNS });
}

function mutations(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc
    .tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(valid.length + 8))
    .map(([edits, cut]) => {
      const b = new Uint8Array(cut);
      b.set(valid.subarray(0, Math.min(cut, valid.length)));
      for (const [i, v] of edits) if (i < b.length) b[i] = v;
      return b;
    });
  return fc.oneof(fc.uint8Array({ maxLength: 256 }), edit, edit);
}

/** A safetensors file whose header is any JSON value: reaches the header validation. */
const headerJson = fc.jsonValue({ maxDepth: 3 }).map((j) => {
  const h = new TextEncoder().encode(JSON.stringify(j));
  const b = new Uint8Array(8 + h.length + 16);
  new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
  b.set(h, 8);
  return b;
});

const valid = encodeSafetensors(
  { a: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }, b: { dtype: 'I64', shape: [2], data: new Int32Array([5, -6]) }, c: { dtype: 'F16', shape: [1], data: new Float32Array([0.5]) } },
  { format: 'x' },
);

describe(`fuzz: core readers (${RUNS} cases each)`, () => {
  it('safetensors: tensors have data of their shape; no key reaches a prototype', () => {
    const check = (v: { tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>; metadata: object }, b: Uint8Array) => {
      let total = 0;
      for (const t of Object.values(v.tensors)) {
        expect(t.data.length).toBe(t.shape.reduce((a, d) => a * d, 1));
        total += t.data.length;
      }
      expect(total).toBeLessThanOrEqual(b.length); // >= 1 byte per element on disk
      expect(Object.getPrototypeOf(v.tensors)).toBe(null);
      expect(Object.getPrototypeOf(v.metadata)).toBe(null);
    };
    property('safetensors', mutations(valid), decodeSafetensors, check);
    property('safetensors-header-json', headerJson, decodeSafetensors, check);
    property('safetensors-header-only', mutations(valid), readSafetensorsHeader, (v: unknown[]) => expect(Array.isArray(v)).toBe(true));
  });

  it('checkpoint manifest: text mutations and re-checksummed JSON edits', () => {
    const body = {
      format: 'acn-checkpoint' as const,
      version: 2 as const,
      config: { architecture: 'mlp', depth: 1, numClasses: 2, connectivity: 'acn' as const, seed: 0, fused: true, inputShape: [4], hiddenDim: 4 },
      tensors: { 'blocks.0.fc.kernel': [4, 4] },
      optimizer: { type: 'adamw' as const, step: 3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
      trainer: { epoch: 1, step: 3, rngState: 7, history: [{ epoch: 1 }] },
      files: { 'model.safetensors': 'a'.repeat(64) },
    };
    const text = serializeManifest(body);
    property('manifest-text', mutations(new TextEncoder().encode(text)), (b) => parseManifest(new TextDecoder().decode(b), MANIFEST_FILE), (m: { version: number }) => expect(m.version).toBe(2));
    // Well-signed manifests with arbitrary values in one field reach the schema.
    const field = fc.constantFrom('config', 'trainer', 'optimizer', 'files', 'tensors', 'structure', 'metadata', 'format');
    const forged = fc.tuple(field, fc.jsonValue({ maxDepth: 3 })).map(([k, v]) => serializeManifest({ ...body, [k]: v } as never));
    property('manifest-forged', forged, (t) => parseManifest(t, MANIFEST_FILE), (m: { trainer?: { epoch: number } }) => {
      if (m.trainer) expect(Number.isInteger(m.trainer.epoch)).toBe(true);
    });
  });

  it('prints the case counts', () => {
    console.log(`[fuzz core] ${JSON.stringify(counts)}`);
  });
});
