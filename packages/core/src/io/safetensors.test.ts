import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { CheckpointError, type CheckpointErrorCode } from './errors';
import {
  decodeSafetensors,
  encodeSafetensors,
  safetensorsToTensors,
  tensorsToSafetensors,
  type SafetensorsTensor,
} from './safetensors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function headerOf(bytes: Uint8Array): { size: number; json: Record<string, unknown> } {
  const size = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { size, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size))) };
}

/** Build a file from a literal header string and data bytes, following the spec by hand. */
function rawFile(header: string, data: number[] = []): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function expectCode(fn: () => unknown, code: CheckpointErrorCode, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CheckpointError);
  expect((caught as CheckpointError).code).toBe(code);
  if (message) expect((caught as CheckpointError).message).toMatch(message);
}

describe('encode/decode round trip', () => {
  const tensors: Record<string, SafetensorsTensor> = {
    w: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2.5, 3, 0, 1e-30, -Infinity]) },
    idx: { dtype: 'I32', shape: [3], data: new Int32Array([-2147483648, 0, 2147483647]) },
    bytes: { dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 127, 128, 255]) },
    scalar: { dtype: 'F32', shape: [], data: new Float32Array([42.5]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    i8: { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) },
    mask: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    big: { dtype: 'I64', shape: [2], data: new Int32Array([-5, 2147483647]) },
  };

  it('returns identical dtypes, shapes and values', () => {
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors));
    expect(metadata).toEqual({});
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name].dtype, name).toBe(t.dtype);
      expect(back[name].shape, name).toEqual(t.shape);
      expect(back[name].data.constructor, name).toBe(t.data.constructor);
      expect(Array.from(back[name].data), name).toEqual(Array.from(t.data));
    }
  });

  it('lays tensors out contiguously in insertion order with an 8-aligned header', () => {
    const bytes = encodeSafetensors(tensors);
    const { size, json } = headerOf(bytes);
    expect(size % 8).toBe(0);
    const offsets = Object.keys(tensors).map((k) => (json[k] as { data_offsets: number[] }).data_offsets);
    expect(offsets).toEqual([
      [0, 24],
      [24, 36],
      [36, 41],
      [41, 45],
      [45, 45],
      [45, 47],
      [47, 50],
      [50, 66],
    ]);
    expect(bytes.length).toBe(8 + size + 66);
    // Padding is spaces, not NULs, so strict JSON parsers accept it.
    const raw = new TextDecoder().decode(bytes.subarray(8, 8 + size));
    expect(raw.trimEnd()).toBe(JSON.stringify(json));
    expect(raw.slice(raw.trimEnd().length)).toMatch(/^ *$/);
  });

  it('pads every header length to a multiple of 8', () => {
    for (let len = 0; len < 16; len++) {
      const bytes = encodeSafetensors({ ['x'.repeat(len + 1)]: { dtype: 'U8', shape: [1], data: new Uint8Array([7]) } });
      expect(headerOf(bytes).size % 8).toBe(0);
      expect(decodeSafetensors(bytes).tensors['x'.repeat(len + 1)].data[0]).toBe(7);
    }
  });

  it('round-trips metadata', () => {
    const metadata = { format: 'pt', step: '1200', note: 'ünïcode ✓ "quoted"' };
    const bytes = encodeSafetensors({ a: { dtype: 'I32', shape: [1], data: new Int32Array([1]) } }, metadata);
    expect(headerOf(bytes).json.__metadata__).toEqual(metadata);
    expect(decodeSafetensors(bytes).metadata).toEqual(metadata);
  });

  it('handles a file with no tensors', () => {
    const bytes = encodeSafetensors({});
    expect(bytes.length).toBe(16); // "{}" padded to 8
    expect(decodeSafetensors(bytes)).toEqual({ tensors: {}, metadata: {} });
  });

  it('decodes from an unaligned view into a larger buffer', () => {
    const inner = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1.5, -3]) } });
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 1);
    const back = decodeSafetensors(outer.subarray(1, 1 + inner.length));
    expect(Array.from(back.tensors.w.data)).toEqual([1.5, -3]);
  });

  it('decodes from a Node Buffer at a non-zero offset (Buffer.slice is a view, not a copy)', () => {
    const inner = encodeSafetensors({
      f: { dtype: 'F32', shape: [2], data: new Float32Array([1.5, -3]) },
      i: { dtype: 'I32', shape: [1], data: new Int32Array([-9]) },
      u: { dtype: 'U8', shape: [2], data: new Uint8Array([4, 250]) },
      s: { dtype: 'I8', shape: [1], data: new Int8Array([-2]) },
    });
    const pooled = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc]), Buffer.from(inner)]).subarray(3);
    const { tensors } = decodeSafetensors(pooled);
    expect(Array.from(tensors.f.data)).toEqual([1.5, -3]);
    expect(Array.from(tensors.i.data)).toEqual([-9]);
    expect(Array.from(tensors.u.data)).toEqual([4, 250]);
    expect(Array.from(tensors.s.data)).toEqual([-2]);
    // Copies, not views: mutating the source must not change decoded data.
    expect(Buffer.isBuffer(tensors.u.data)).toBe(false);
    pooled.fill(0);
    expect(Array.from(tensors.u.data)).toEqual([4, 250]);
  });

  it('writes F16 with round-to-nearest-even and reads it back as float32', () => {
    const values = [0, -0, 1, -2, 0.1, 65504, 65520, 1e6, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, NaN];
    const bytes = encodeSafetensors({ h: { dtype: 'F16', shape: [values.length], data: new Float32Array(values) } });
    const { size } = headerOf(bytes);
    const dv = new DataView(bytes.buffer, 8 + size);
    const bits = values.map((_, i) => dv.getUint16(i * 2, true));
    // Expected bits as produced by numpy.float16 / Python struct 'e'.
    expect(bits.slice(0, 14)).toEqual([
      0x0000, 0x8000, 0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x7c00, 0x0001, 0x0000, 0x0002, 0x3c00, 0x3c02, 0x7c00,
    ]);
    expect(bits[14] & 0x7c00).toBe(0x7c00);
    expect(bits[14] & 0x3ff).not.toBe(0);
    const back = decodeSafetensors(bytes).tensors.h;
    expect(back.dtype).toBe('F16');
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.data)).toEqual([
      0, -0, 1, -2, 0.0999755859375, 65504, Infinity, Infinity, 2 ** -24, 0, 2 ** -23, 1, 1 + 2 ** -9, Infinity, NaN,
    ]);
  });
});

describe('golden bytes built by hand per the spec', () => {
  it('decodes F32, I64, F16, BOOL and metadata', () => {
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]},' +
      '"c":{"dtype":"F16","shape":[1,1],"data_offsets":[16,18]},' +
      '"d":{"dtype":"BOOL","shape":[2],"data_offsets":[18,20]}}';
    expect(header.length).toBe(251); // keeps the size prefix below honest
    // prettier-ignore
    const bytes = new Uint8Array([
      0xfb, 0, 0, 0, 0, 0, 0, 0,                   // N = 251, u64 little-endian
      ...new TextEncoder().encode(header),
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, // a = [1.0, -2.0]
      0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // b = -3
      0x00, 0x3e,                                     // c = 1.5 (half 0x3E00)
      0x01, 0x00,                                     // d = [true, false]
    ]);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.a).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) });
    expect(tensors.b).toEqual({ dtype: 'I64', shape: [], data: new Int32Array([-3]) });
    expect(tensors.c).toEqual({ dtype: 'F16', shape: [1, 1], data: new Float32Array([1.5]) });
    expect(tensors.d).toEqual({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) });
  });

  it('accepts a space-padded header and tensors listed out of offset order', () => {
    const header = '{"y":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"x":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}    ';
    const { tensors } = decodeSafetensors(rawFile(header, [0xff, 0x01, 0x09]));
    expect(Array.from(tensors.x.data)).toEqual([-1, 1]);
    expect(Array.from(tensors.y.data)).toEqual([9]);
  });
});

describe('validation errors', () => {
  const good = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });

  it('rejects files shorter than 8 bytes', () => {
    expectCode(() => decodeSafetensors(new Uint8Array(0)), 'TRUNCATED', /0 bytes/);
    expectCode(() => decodeSafetensors(good.subarray(0, 7)), 'TRUNCATED', /7 bytes/);
  });

  it('rejects a header size larger than the file', () => {
    expectCode(() => decodeSafetensors(good.subarray(0, 20)), 'HEADER_TOO_LARGE', /header size \d+ exceeds the 12 bytes/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    expectCode(() => decodeSafetensors(huge), 'HEADER_TOO_LARGE');
  });

  it('rejects invalid JSON and non-object headers', () => {
    expectCode(() => decodeSafetensors(rawFile('{"a": ')), 'INVALID_HEADER', /not valid JSON/);
    expectCode(() => decodeSafetensors(rawFile('[1,2]')), 'INVALID_HEADER', /array/);
    expectCode(() => decodeSafetensors(rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', [0, 0, 0, 0])), 'INVALID_HEADER', /'a'/);
    expectCode(() => decodeSafetensors(rawFile('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0])), 'INVALID_HEADER', /'a'/);
    expectCode(() => decodeSafetensors(rawFile('{"__metadata__":{"k":1}}')), 'INVALID_HEADER', /'k'/);
    const badUtf8 = rawFile('{"a":1}');
    badUtf8[10] = 0xff;
    expectCode(() => decodeSafetensors(badUtf8), 'INVALID_HEADER', /UTF-8/);
  });

  it('rejects unknown dtypes', () => {
    expectCode(() => decodeSafetensors(rawFile('{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}', [0])), 'UNKNOWN_DTYPE', /'a'.*"Q4"/);
  });

  it('rejects offsets that do not match shape × dtype size', () => {
    expectCode(
      () => decodeSafetensors(rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0])),
      'SIZE_MISMATCH',
      /'a'.*needs 8 bytes.*\[0, 4\] span 4/,
    );
  });

  it('rejects out-of-range, overlapping and gapped offsets', () => {
    expectCode(
      () => decodeSafetensors(rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 0, 0])),
      'INVALID_OFFSETS',
      /'a'.*\[0, 8\] exceed the 4-byte/,
    );
    expectCode(
      () =>
        decodeSafetensors(
          rawFile('{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}', [0, 0, 0, 0, 0]),
        ),
      'INVALID_OFFSETS',
      /'b'.*overlap tensor 'a' ending at 4/,
    );
    expectCode(
      () => decodeSafetensors(rawFile('{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', [0, 0])),
      'INVALID_OFFSETS',
      /begin at 1, expected 0/,
    );
    expectCode(
      () => decodeSafetensors(rawFile('{"a":{"dtype":"U8","shape":[0],"data_offsets":[1,0]}}', [0])),
      'INVALID_OFFSETS',
      /end before begin/,
    );
  });

  it('rejects trailing bytes', () => {
    const padded = new Uint8Array(good.length + 3);
    padded.set(good);
    expectCode(() => decodeSafetensors(padded), 'TRAILING_BYTES', /11 bytes but tensors cover only 8 \(3 trailing/);
  });

  it('rejects I64 values outside int32', () => {
    const bytes = rawFile('{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', [0, 0, 0, 0x80, 0, 0, 0, 0]);
    expectCode(() => decodeSafetensors(bytes), 'VALUE_OUT_OF_RANGE', /'a'.*2147483648/);
  });

  it('rejects malformed encoder input', () => {
    expectCode(() => encodeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), 'INVALID_TENSOR', /'a'.*\[3\] needs 3 elements, data has 2/);
    expectCode(() => encodeSafetensors({ a: { dtype: 'I32', shape: [1], data: new Float32Array(1) } }), 'INVALID_TENSOR', /Int32Array.*Float32Array/);
    expectCode(() => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }), 'INVALID_TENSOR');
    expectCode(() => encodeSafetensors({ a: { dtype: 'BF16' as 'F16', shape: [0], data: new Float32Array(0) } }), 'UNKNOWN_DTYPE');
  });
});

describe('tf.Tensor conversion', () => {
  it('round-trips float32, int32 and bool tensors without leaking', () => {
    const baseline = tf.memory().numTensors;
    const inputs = {
      w: tf.tensor2d([[1, 2, 3], [4, 5, 6]]),
      s: tf.scalar(-7, 'int32'),
      m: tf.tensor1d([true, false, true], 'bool'),
      e: tf.zeros([0, 3]),
    };
    const bytes = tensorsToSafetensors(inputs, { step: '3' });
    expect(decodeSafetensors(bytes).metadata).toEqual({ step: '3' });
    const back = safetensorsToTensors(bytes);
    for (const [name, t] of Object.entries(inputs)) {
      expect(back[name].dtype, name).toBe(t.dtype);
      expect(back[name].shape, name).toEqual(t.shape);
      expect(Array.from(back[name].dataSync()), name).toEqual(Array.from(t.dataSync()));
    }
    tf.dispose(inputs);
    tf.dispose(back);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('maps U8/I8/I64 to int32 and F16 to float32', () => {
    const bytes = encodeSafetensors({
      u: { dtype: 'U8', shape: [2], data: new Uint8Array([200, 3]) },
      i: { dtype: 'I8', shape: [1], data: new Int8Array([-4]) },
      l: { dtype: 'I64', shape: [1], data: new Int32Array([-9]) },
      h: { dtype: 'F16', shape: [1], data: new Float32Array([0.5]) },
    });
    const t = safetensorsToTensors(bytes);
    expect([t.u.dtype, t.i.dtype, t.l.dtype, t.h.dtype]).toEqual(['int32', 'int32', 'int32', 'float32']);
    expect([...t.u.dataSync(), ...t.i.dataSync(), ...t.l.dataSync(), ...t.h.dataSync()]).toEqual([200, 3, -4, -9, 0.5]);
    tf.dispose(t);
  });

  it('rejects tf dtypes with no safetensors equivalent', () => {
    const s = tf.tensor(['a'], [1], 'string');
    expectCode(() => tensorsToSafetensors({ s }), 'UNSUPPORTED_DTYPE', /'s'.*string/);
    s.dispose();
  });
});
