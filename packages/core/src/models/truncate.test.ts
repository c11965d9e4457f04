import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../checkpoint/checkpoint';
import { maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf } from '../tf';
import { ConfigError } from './errors';
import { createMixer } from './mixer';
import { createMlp } from './mlp';
import { truncate } from './truncate';

describe('truncate', () => {
  beforeAll(useWasm);

  it.each(['acn', 'residual', 'feedforward'] as const)('%s Mixer: truncate(k) output equals probe k, and is genuinely smaller', (connectivity) => {
    const m = createMixer({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 5, connectivity, seed: 2 });
    const x = randomImages(4, [8, 8, 1], 9);
    const { probes } = m.forward(x, { probes: true });
    for (const k of [1, 3, 5]) {
      const small = truncate(m, k);
      expect(small.depth).toBe(k);
      expect(small.config.depth).toBe(k);
      const y = small.predict(x);
      expect(maxAbsDiff(y, probes![k])).toBeLessThan(1e-5);
      if (k < 5) {
        expect(small.trainableVariables().length).toBeLessThan(m.trainableVariables().length);
        expect(small.paramCount()).toBeLessThan(m.paramCount());
      }
      y.dispose();
      small.dispose();
    }
    tf.dispose(probes);
    x.dispose();
    m.dispose();
  });

  it('MLP: truncated copy is independent of the original and its checkpoint is smaller', () => {
    const m = createMlp({ inputShape: [10], numClasses: 3, depth: 6, hiddenDim: 32, seed: 1 });
    const small = truncate(m, 2);
    const v = small.namedWeights()['blocks.0.fc.kernel'];
    tf.tidy(() => v.assign(tf.zerosLike(v)));
    expect(tf.tidy(() => tf.sum(tf.abs(m.namedWeights()['blocks.0.fc.kernel']))).dataSync()[0]).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'acn-trunc-'));
    try {
      saveCheckpoint(join(dir, 'full'), { model: m });
      saveCheckpoint(join(dir, 'small'), { model: small });
      const full = statSync(join(dir, 'full', 'model.safetensors')).size;
      const part = statSync(join(dir, 'small', 'model.safetensors')).size;
      expect(part).toBeLessThan(full * 0.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    small.dispose();
    m.dispose();
  });

  it('rejects k outside [1, depth]', () => {
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 3, hiddenDim: 4 });
    expect(() => truncate(m, 0)).toThrow(ConfigError);
    expect(() => truncate(m, 4)).toThrow(/k must be an integer in \[1, 3\]/);
    expect(() => truncate(m, 1.5)).toThrow(/got 1.5/);
    m.dispose();
  });
});
