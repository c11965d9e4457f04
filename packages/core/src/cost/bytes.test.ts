import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMixer, createMlp, initBackend, saveCheckpoint, truncate } from '../index';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointBytes } from './bytes';

describe('checkpointBytes', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('raw = 4·params; safetensors = the saved file; gzip is smaller', () => {
    const m = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 3, seed: 1 });
    const b = checkpointBytes(m);
    expect(b.raw).toBe(4 * m.paramCount());
    expect(b.safetensors).toBeGreaterThan(b.raw); // + 8-byte length + JSON header
    expect(b.gzip).toBeLessThan(b.safetensors);
    const dir = mkdtempSync(join(tmpdir(), 'acn-bytes-'));
    try {
      saveCheckpoint(join(dir, 'ckpt'), { model: m });
      expect(statSync(join(dir, 'ckpt', 'model.safetensors')).size).toBe(b.safetensors);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    m.dispose();
  });

  it('a truncated model has a smaller checkpoint', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 16 });
    const small = truncate(m, 1);
    const full = checkpointBytes(m);
    const cut = checkpointBytes(small);
    expect(cut.raw).toBe(full.raw - 3 * 4 * (16 * 16 + 16));
    expect(cut.safetensors).toBeLessThan(full.safetensors);
    expect(cut.gzip).toBeLessThan(full.gzip);
    small.dispose();
    m.dispose();
  });
});
