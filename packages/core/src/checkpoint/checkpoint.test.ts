import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, decodeSafetensors } from '../io';
import { createMixer, type MixerConfigInput } from '../models/mixer';
import { createMlp } from '../models/mlp';
import { maxAbsDiff, randomImages, useWasm } from '../testing/helpers';
import { tf } from '../tf';
import { AdamW } from '../train/adamw';
import { loadCheckpoint, readManifest, saveCheckpoint } from './checkpoint';
import { editManifest } from './test-support/tamper';

const cfg: MixerConfigInput = { inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 2, seed: 3 };
const root = mkdtempSync(join(tmpdir(), 'acn-ckpt-'));
let n = 0;
const fresh = () => join(root, `c${n++}`);

function expectCode(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).code).toBe(code);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected CheckpointError ${code}`);
}

describe('checkpoints', () => {
  beforeAll(useWasm);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips config, weights (safetensors, dotted names) and optimizer state', () => {
    const m = createMixer(cfg);
    const opt = new AdamW();
    const g = Object.fromEntries(Object.entries(m.namedWeights()).map(([k, v]) => [k, tf.onesLike(v)]));
    opt.apply(m.namedWeights(), g, 1e-3);
    tf.dispose(Object.values(g));
    const dir = fresh();
    saveCheckpoint(dir, { model: m, optimizer: opt, trainer: { epoch: 2, step: 9, rngState: 1234, history: [{ epoch: 1 }] } });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'model.safetensors', 'optimizer.safetensors']);
    // The weights file is plain safetensors with our documented names and [in, out] kernels.
    const st = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    expect(st.tensors['blocks.1.channelMlp.fc1.kernel'].shape).toEqual([8, 16]);
    expect(st.tensors['embedding.cls'].shape).toEqual([1, 1, 8]);
    expect(st.metadata).toMatchObject({ architecture: 'mixer' });

    const loaded = loadCheckpoint(dir);
    expect(loaded.model.config).toEqual(m.config);
    expect(loaded.trainer).toEqual({ epoch: 2, step: 9, rngState: 1234, history: [{ epoch: 1 }] });
    expect(loaded.optimizerState!.step).toBe(1);
    expect(Object.keys(loaded.optimizerState!.m).sort()).toEqual(Object.keys(m.namedWeights()).sort());
    const x = randomImages(2, [8, 8, 1]);
    const [a, b] = [m.predict(x), loaded.model.predict(x)];
    expect(maxAbsDiff(a, b)).toBe(0);
    tf.dispose([a, b, x, ...Object.values(loaded.optimizerState!.m), ...Object.values(loaded.optimizerState!.v)]);
    loaded.model.dispose();
    m.dispose();
    opt.dispose();
  });

  it('overwrites atomically and leaves no temporary files', () => {
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 1, hiddenDim: 4 });
    const dir = fresh();
    saveCheckpoint(dir, { model: m });
    saveCheckpoint(dir, { model: m });
    expect(readdirSync(root).filter((f) => f.includes('.tmp') || f.includes('tmp-') || f.includes('.bak'))).toEqual([]);
    m.dispose();
  });

  it('creates missing parent directories', () => {
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 1, hiddenDim: 4 });
    const dir = join(fresh(), 'runs', 'ac', 'ckpt');
    saveCheckpoint(dir, { model: m });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'model.safetensors']);
    m.dispose();
  });

  it('missing directory or file', () => {
    expectCode(() => loadCheckpoint(join(root, 'nope')), 'MISSING_FILE', /does not exist/);
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 1, hiddenDim: 4 });
    const dir = fresh();
    saveCheckpoint(dir, { model: m });
    rmSync(join(dir, 'model.safetensors'));
    expectCode(() => loadCheckpoint(dir), 'MISSING_FILE', /cannot read model\.safetensors \(ENOENT\)/);
    m.dispose();
  });

  it('corrupted or truncated weights are caught by the recorded sha256', () => {
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 1, hiddenDim: 4 });
    const dir = fresh();
    saveCheckpoint(dir, { model: m });
    const p = join(dir, 'model.safetensors');
    const bytes = readFileSync(p);
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(p, bytes);
    expectCode(() => loadCheckpoint(dir), 'CHECKSUM_MISMATCH', /model\.safetensors is corrupted or was modified/);
    writeFileSync(p, bytes.subarray(0, 40));
    expectCode(() => loadCheckpoint(dir), 'CHECKSUM_MISMATCH', /40 bytes/);
    writeFileSync(join(dir, 'checkpoint.json'), '{"format": "acn-checkpoint", ');
    expectCode(() => loadCheckpoint(dir), 'INVALID_MANIFEST', /not valid JSON/);
    m.dispose();
  });

  it('a checkpoint from another configuration is refused, naming the differing fields', () => {
    const m = createMixer(cfg);
    const dir = fresh();
    saveCheckpoint(dir, { model: m });
    const other = createMixer({ ...cfg, depth: 3, hiddenDim: 12 });
    expectCode(() => loadCheckpoint(dir, { into: other }), 'CONFIG_MISMATCH', /hiddenDim: model 12 vs checkpoint 8.*depth: model 3 vs checkpoint 2/);
    other.dispose();
    m.dispose();
  });

  it('tensor shapes that do not fit the model are refused', () => {
    const m = createMixer(cfg);
    const dir = fresh();
    saveCheckpoint(dir, { model: m });
    // Hand-edit the config so it no longer matches the stored tensors (and fix the manifest's hash list).
    const man = readManifest(dir);
    editManifest(dir, (j) => (j.config = { ...man.config, channelMlpDim: 12 }));
    expectCode(() => loadCheckpoint(dir), 'SHAPE_MISMATCH', /'blocks\.0\.channelMlp\.fc1\.kernel' has shape \[8,16\], the model expects \[8,12\]/);
    // A depth that does not match the stored blocks is refused before any model is built.
    editManifest(dir, (j) => (j.config = { ...man.config, depth: 3 }));
    expectCode(() => loadCheckpoint(dir), 'CONFIG_MISMATCH', /config depth 3 but model\.safetensors holds 2 blocks/);
    m.dispose();
  });

  it('does not leave a half-written checkpoint when saving fails', () => {
    const m = createMlp({ inputShape: [4], numClasses: 2, depth: 1, hiddenDim: 4 });
    const file = fresh();
    writeFileSync(file, 'not a directory');
    expect(() => saveCheckpoint(file, { model: m })).toThrow(CheckpointError);
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
    expect(existsSync(join(root, 'c999'))).toBe(false);
    m.dispose();
  });
});
