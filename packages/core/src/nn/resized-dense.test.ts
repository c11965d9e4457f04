import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { createMixer } from '../models/mixer';
import { truncate } from '../models/truncate';
import { maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf } from '../tf';
import type { DenseLayer } from './dense-layer';
import type { MlpLayer } from './mlp-layer';

const mixer = () => createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 2, seed: 7 });

/** Keeps the first `h` hidden units of an mlp layer (not output-preserving; a structural change to test with). */
function shrinkMlp(m: ReturnType<typeof mixer>, path: string, h: number): void {
  const mlp = m.layer(path) as MlpLayer;
  tf.tidy(() => {
    mlp.fc1.resize(mlp.fc1.weights.kernel.slice([0, 0], [-1, h]), mlp.fc1.weights.bias.slice([0], [h]));
    mlp.fc2.resize(mlp.fc2.weights.kernel.slice([0, 0], [h, -1]), mlp.fc2.weights.bias.clone());
  });
}

describe('resized dense layers (hidden units removed)', () => {
  beforeAll(useWasm);

  it('resize changes the widths, structure() records them, and the model runs at the new width', () => {
    const m = mixer();
    const vars = Object.keys(m.namedWeights()).length;
    const before = tf.memory().numTensors;
    shrinkMlp(m, 'blocks.0.channelMlp', 12);
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(m.namedWeights())).toHaveLength(vars);
    const mlp = m.layer('blocks.0.channelMlp') as MlpLayer;
    expect([mlp.hiddenDim, mlp.fc1.inDim, mlp.fc1.outDim, mlp.fc2.inDim, mlp.fc2.outDim]).toEqual([12, 16, 12, 12, 16]);
    expect(Object.keys(mlp.fc1.weights)).toEqual(['kernel', 'bias']); // built order kept
    expect(m.structure()).toEqual({ factorized: {}, resized: { 'blocks.0.channelMlp.fc1': [16, 12], 'blocks.0.channelMlp.fc2': [12, 16] } });
    const x = randomImages(2, [8, 8, 1]);
    const y = m.predict(x);
    expect(y.shape).toEqual([2, 4]);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('resize refuses while hooks are bound, with a bias mismatch, or when factorized', () => {
    const m = mixer();
    const fc1 = m.layer('blocks.0.channelMlp.fc1') as DenseLayer;
    const h = m.hooks.attach({ name: 'test:double', filter: { path: /^blocks\.0\.channelMlp\.fc1$/ }, parametrize: { kernel: (w) => w.mul(2) } });
    const k = tf.zeros([16, 8]);
    const b = tf.zeros([8]);
    expect(() => fc1.resize(k, b)).toThrow(/cannot resize while hooks are attached \('test:double'\)/);
    h.dispose();
    expect(() => fc1.resize(k)).toThrow(/resize needs a bias/);
    expect(() => fc1.resize(k, tf.zeros([9]))).toThrow(/bias must be \[8\], got \[9\]/);
    tf.tidy(() => fc1.factorize(tf.zeros([16, 2]), tf.zeros([2, 32])));
    expect(() => fc1.resize(k, b)).toThrow(/cannot resize a kernel stored factorized \(rank 2\)/);
    expect(() => m.applyStructure({ factorized: {}, resized: { 'blocks.0.channelMlp.fc2': [0, 16] } })).toThrow(/resized 'blocks\.0\.channelMlp\.fc2' must be \[inDim, outDim\]/);
    expect(() => m.applyStructure({ factorized: {}, resized: { 'blocks.0.norm1': [16, 16] } })).toThrow(/is a norm layer, only dense layers can be resized/);
    tf.dispose([k, b]);
    m.dispose();
  });

  it('checkpoint round trip: the structure is saved, the file is smaller, the loaded model is identical', () => {
    const m = mixer();
    const full = mixer();
    shrinkMlp(m, 'blocks.0.channelMlp', 8);
    shrinkMlp(m, 'blocks.1.channelMlp', 8);
    // A resized layer can also be stored factorized afterwards (resize is applied first on load).
    const fc2 = m.layer('blocks.1.channelMlp.fc2') as DenseLayer;
    tf.tidy(() => fc2.factorize(tf.randomNormal([8, 2], 0, 1, 'float32', 3), tf.randomNormal([2, 16], 0, 1, 'float32', 4)));
    const x = randomImages(3, [8, 8, 1]);
    const y = m.predict(x);
    const dir = mkdtempSync(join(tmpdir(), 'acn-resized-'));
    try {
      const manifest = saveCheckpoint(join(dir, 'small'), { model: m });
      saveCheckpoint(join(dir, 'full'), { model: full });
      expect(manifest.structure).toEqual(m.structure());
      expect(manifest.structure?.resized?.['blocks.1.channelMlp.fc2']).toEqual([8, 16]);
      expect(manifest.structure?.factorized).toEqual({ 'blocks.1.channelMlp.fc2': 2 });
      const bytes = (d: string) => statSync(join(dir, d, 'model.safetensors')).size;
      // Smaller by the removed float32s (4 bytes each), give or take the JSON header's length.
      expect(bytes('full') - bytes('small')).toBeGreaterThanOrEqual(4 * (full.paramCount() - m.paramCount()) - 200);
      expect(bytes('small')).toBeLessThan(bytes('full'));
      const loaded = loadCheckpoint(join(dir, 'small'));
      expect(loaded.model.structure()).toEqual(m.structure());
      const y2 = loaded.model.predict(x);
      expect(maxAbsDiff(y, y2)).toBe(0);
      y2.dispose();
      loaded.model.dispose();
      // Loading into a model that was not resized names the shape mismatch.
      const fresh = mixer();
      expect(() => loadCheckpoint(join(dir, 'small'), { into: fresh })).toThrow(/tensor names do not match|has shape/);
      fresh.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    tf.dispose([x, y]);
    m.dispose();
    full.dispose();
  });

  it('truncation carries the resized layers it keeps and equals the probe', () => {
    const m = mixer();
    shrinkMlp(m, 'blocks.0.channelMlp', 8);
    shrinkMlp(m, 'blocks.1.channelMlp', 4);
    const x = randomImages(2, [8, 8, 1]);
    const probes = m.forward(x, { probes: true }).probes!;
    const small = truncate(m, 1);
    expect(small.structure()).toEqual({ factorized: {}, resized: { 'blocks.0.channelMlp.fc1': [16, 8], 'blocks.0.channelMlp.fc2': [8, 16] } });
    const ys = small.predict(x);
    expect(maxAbsDiff(ys, probes[1])).toBeLessThan(1e-5);
    tf.dispose([x, ys, ...probes]);
    small.dispose();
    m.dispose();
  });
});
