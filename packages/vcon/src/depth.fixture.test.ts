/*
 * Regression fixture of `fadeDepth` at a mid transition (β = 0.5), recorded before the fade moved
 * onto core's `connection` hook point (issue 10). β = 0.5 is a power of two, so the old
 * implementation's `β·f(x/β)` round trip was exact and the new one (scaling only the long
 * connection) must give the same float32 values: compared with `toEqual`, no tolerance. Core's
 * wasm SIMD kernels (fused GELU and LayerNorm) came later and round differently, so they are
 * switched off here (`initBackend('wasm', { wasmFusedKernels: false })`).
 *
 * Regenerate (only for an intended change): ACN_WRITE_LOOP_FIXTURE=1 npx vitest run src/depth.fixture.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMixer, createMlp, createVit, initBackend, tf, type BlockModel, type Tensor } from '@acn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasm } from './compressors.test-helper';
import { fadeDepth } from './depth';

const FIXTURE = join(__dirname, '__fixtures__', 'fade-depth-v0.json');
const WRITE = process.env.ACN_WRITE_LOOP_FIXTURE === '1';

const MODELS: Record<string, [() => BlockModel, number[]]> = {
  'mixer/acn': [() => createMixer({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 4, connectivity: 'acn', seed: 5 }), [8, 8, 1]],
  'mlp/acn': [() => createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 8, connectivity: 'acn', seed: 5 }), [6]],
  'vit/acn': [() => createVit({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, numHeads: 2, mlpDim: 16, depth: 4, connectivity: 'acn', seed: 5 }), [8, 8, 1]],
  'mlp/residual': [() => createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 8, connectivity: 'residual', seed: 5 }), [6]],
  'mlp/feedforward': [() => createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 8, connectivity: 'feedforward', seed: 5 }), [6]],
};

const values = (t: Tensor): number[] => Array.from(t.dataSync());

function record(name: string): Record<string, unknown> {
  const [make, shape] = MODELS[name];
  const model = make();
  const x = tf.randomUniform([3, ...shape], 0, 1, 'float32', 3);
  const fade = fadeDepth(model, { keep: 2, Q: 10 });
  model.hooks.attach(fade);
  model.hooks.step(5);
  if (fade.beta !== 0.5) throw new Error(`expected β = 0.5, got ${fade.beta}`);
  const r = model.forward(x, { probes: true });
  const out = { logits: values(r.logits), probes: r.probes!.map(values) };
  tf.dispose([r.logits, ...r.probes!, x]);
  model.dispose();
  return out;
}

describe('fadeDepth regression fixture at β = 0.5 (recorded before the connection hook point)', () => {
  beforeAll(async () => {
    await useWasm();
    await initBackend('wasm', { wasmFusedKernels: false }); // the values were recorded with tfjs ops
  });
  afterAll(() => initBackend('wasm', { wasmFusedKernels: true }));

  if (WRITE) {
    it('writes the fixture', () => {
      writeFileSync(FIXTURE, JSON.stringify(Object.fromEntries(Object.keys(MODELS).map((k) => [k, record(k)]))));
    });
    return;
  }

  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  for (const name of Object.keys(MODELS)) {
    it(`${name}: logits and probes at β = 0.5 are bit-identical; no leaks`, () => {
      const before = tf.memory().numTensors;
      const now = record(name);
      expect(tf.memory().numTensors).toBe(before);
      expect(now).toEqual(fixture[name]);
    });
  }
});
