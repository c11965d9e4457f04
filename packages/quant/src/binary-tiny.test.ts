import { compressorHook, createMlp, initBackend, tf } from '@acn/core';
import { describe, expect, it } from 'vitest';
import { binarize, binaryQuantizer } from './binary';
import { packBinary, unpackBinary } from './pack-binary';
import { values } from './test-helpers';

// wasm's tf.sign returns 0 for |x| below about 1.2e-7; a binary code must still be ±1 for every
// non-zero weight (only an exact 0 maps to 0). Checked on both backends.
const TINY = [
  [1e-9, -1e-9, 3e-8],
  [-1e-20, 0, 1e-30],
]; // [in = 2, out = 3]
const CODES = [1, -1, 1, -1, 0, 1];

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`binary quantization of tiny weights (${backend})`, () => {
    it('never gives a zero code to a non-zero weight: binarize, the compressor and the packed form', async () => {
      const info = await initBackend(backend);
      expect(info.name).toBe(backend);
      const w = tf.tensor2d(TINY);
      const before = tf.memory().numTensors;
      const codes = binarize(w, 'none');
      expect(values(codes)).toEqual(CODES);
      const q = binarize(w, 'layer'); // α = mean|W|, tiny but non-zero
      const alpha = values(q)[0];
      expect(alpha).toBeGreaterThan(0);
      expect(values(q).map((v) => Math.sign(v))).toEqual(CODES);
      const packed = packBinary(w);
      expect(Array.from(unpackBinary(packed)).map((v) => Math.sign(v))).toEqual(CODES);
      tf.dispose([codes, q]);
      expect(tf.memory().numTensors).toBe(before);
      w.dispose();

      // Through the hook, on a model whose kernel is scaled down to tiny values.
      const m = createMlp({ inputShape: [3], numClasses: 2, depth: 1, hiddenDim: 4, seed: 2 });
      const kernel = m.layer('blocks.0.fc').weights.kernel;
      tf.tidy(() => kernel.assign(kernel.mul(1e-8)));
      const h = m.hooks.attach(compressorHook(binaryQuantizer({ scale: 'none', filter: { path: /^blocks\.0\.fc$/ } })));
      const eff = tf.tidy(() => m.layer('blocks.0.fc').w('kernel'));
      const stored = values(kernel);
      expect(stored.every((v) => v !== 0 && Math.abs(v) < 1.2e-7)).toBe(true);
      expect(values(eff)).toEqual(stored.map((v) => Math.sign(v)));
      eff.dispose();
      h.dispose();
      m.dispose();
    });
  });
}
