import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../index';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { serializeManifest } from '../checkpoint/manifest';
import { maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { BUILTIN_ARCHITECTURES, createModel, type ModelFactory } from './create-model';
import { ConfigError } from './errors';
import { createMlp, type MlpConfigInput } from './mlp';

// A "user" architecture: an MLP saved under another name (its config carries 'my-mlp').
const myMlp: ModelFactory = (c) => {
  const { architecture: _ignored, ...rest } = c;
  return createMlp(rest as unknown as MlpConfigInput);
};

describe('model construction from a closed architecture table', () => {
  beforeAll(useWasm);

  it('the built-in table is frozen and there is no global registration', () => {
    expect(Object.keys(BUILTIN_ARCHITECTURES)).toEqual(['mixer', 'mlp', 'vit', 'bert']);
    expect(Object.isFrozen(BUILTIN_ARCHITECTURES)).toBe(true);
    expect(() => {
      (BUILTIN_ARCHITECTURES as Record<string, ModelFactory>).mine = myMlp;
    }).toThrow(TypeError);
    expect('registerArchitecture' in core).toBe(false);
  });

  it('user architectures go through an explicit option, may not shadow a built-in, and are not remembered', () => {
    const cfg = { ...createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 4 }).config, architecture: 'my-mlp' };
    expect(() => createModel(cfg)).toThrow(new ConfigError('unknown architecture "my-mlp" (known: mixer, mlp, vit, bert; pass user architectures with { architectures: { name: factory } })'));
    const m = createModel(cfg, { architectures: { 'my-mlp': myMlp } });
    expect(m.depth).toBe(1);
    m.dispose();
    expect(() => createModel(cfg)).toThrow(/unknown architecture "my-mlp"/); // the option did not register it
    expect(() => createModel(cfg, { architectures: { mlp: myMlp } })).toThrow(/architecture 'mlp' is built into @acn\/core and cannot be replaced/);
    expect(() => createModel(cfg, { architectures: { 'my-mlp': 3 as unknown as ModelFactory } })).toThrow(/must map to a factory function/);
  });

  it('loadCheckpoint builds a user architecture only when it is passed', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 4, seed: 9 });
    const dir = mkdtempSync(join(tmpdir(), 'acn-arch-'));
    try {
      saveCheckpoint(dir, { model: m });
      // Rename the architecture in the manifest (re-serialized, so its own checksum stays valid).
      const p = join(dir, 'checkpoint.json');
      const manifest = JSON.parse(readFileSync(p, 'utf8'));
      manifest.config.architecture = 'my-mlp';
      writeFileSync(p, serializeManifest(manifest));
      expect(() => loadCheckpoint(dir)).toThrow(/unknown architecture "my-mlp"/);
      const loaded = loadCheckpoint(dir, { architectures: { 'my-mlp': myMlp } });
      const x = randomImages(2, [6]);
      const [a, b] = [m.predict(x), loaded.model.predict(x)];
      expect(maxAbsDiff(a, b)).toBe(0);
      a.dispose();
      b.dispose();
      x.dispose();
      loaded.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    m.dispose();
  });
});
