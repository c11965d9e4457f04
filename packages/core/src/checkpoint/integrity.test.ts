/**
 * Integrity of what `loadCheckpoint` reads back (issue 12 §2, §3): the whole manifest is
 * validated and checksummed, the config is checked against the weight file before anything is
 * allocated, optimizer moments are checked against the model, and no error path leaks tensors.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, encodeSafetensors, decodeSafetensors } from '../io';
import { createMixer, type MixerConfigInput } from '../models/mixer';
import { tf } from '../tf';
import { AdamW } from '../train/adamw';
import { useWasm } from '../testing/helpers';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { editManifest, replaceFile } from './test-support/tamper';

const cfg: MixerConfigInput = { inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 2, seed: 3 };
const root = mkdtempSync(join(tmpdir(), 'acn-integrity-'));
let n = 0;

/** A saved checkpoint with optimizer and trainer state. */
function saved(): string {
  const dir = join(root, `c${n++}`);
  const m = createMixer(cfg);
  const opt = new AdamW();
  const g = Object.fromEntries(Object.entries(m.namedWeights()).map(([k, v]) => [k, tf.onesLike(v)]));
  opt.apply(m.namedWeights(), g, 1e-3);
  tf.dispose(Object.values(g));
  saveCheckpoint(dir, { model: m, optimizer: opt, trainer: { epoch: 1, step: 1, rngState: 42, history: [{ epoch: 1 }] } });
  opt.dispose();
  m.dispose();
  return dir;
}

/** `fn` throws a CheckpointError with `code` matching `message`, quickly, leaving no tensor behind. */
function expectRefused(fn: () => unknown, code: string, message: RegExp): void {
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  let err: unknown;
  try {
    const r = fn() as { model?: { dispose(): void } };
    r?.model?.dispose();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(CheckpointError);
  expect((err as CheckpointError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
  expect(performance.now() - t0).toBeLessThan(2000);
  expect(tf.memory().numTensors).toBe(before);
}

describe('checkpoint manifest integrity', () => {
  beforeAll(useWasm);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('any edit of checkpoint.json without its checksum is refused', () => {
    const edits: [string, (m: Record<string, any>) => void][] = [
      ['trainer.epoch "1"', (m) => (m.trainer.epoch = '1')],
      ['trainer.epoch -5', (m) => (m.trainer.epoch = -5)],
      ['trainer removed', (m) => delete m.trainer],
      ['optimizer removed', (m) => delete m.optimizer],
      ['rngState changed', (m) => (m.trainer.rngState = 7)],
      ['connectivity residual', (m) => (m.config.connectivity = 'residual')],
    ];
    for (const [, edit] of edits) {
      const dir = saved();
      editManifest(dir, edit, false);
      expectRefused(() => loadCheckpoint(dir), 'CHECKSUM_MISMATCH', /checkpoint\.json was modified or is corrupted/);
    }
  });

  it('the schema names the bad field (a re-checksummed forgery still has to be well-formed)', () => {
    const cases: [string, (m: Record<string, any>) => void, RegExp][] = [
      ['epoch as string', (m) => (m.trainer.epoch = '1'), /trainer\.epoch/],
      ['negative epoch', (m) => (m.trainer.epoch = -5), /trainer\.epoch/],
      ['rngState not uint32', (m) => (m.trainer.rngState = 2 ** 40), /trainer\.rngState/],
      ['history null', (m) => (m.trainer.history = null), /trainer\.history/],
      ['files null', (m) => (m.files = null), /files/],
      ['file outside the directory', (m) => (m.files['../x'] = 'a'.repeat(64)), /files/],
      ['config null', (m) => (m.config = null), /config/],
      ['unknown connectivity', (m) => (m.config.connectivity = 'sideways'), /config\.connectivity: must be one of acn, residual, feedforward/],
      ['optimizer beta1 >= 1', (m) => (m.optimizer.beta1 = 1.5), /optimizer\.beta1/],
      ['optimizer step fractional', (m) => (m.optimizer.step = 1.5), /optimizer\.step/],
      ['structure without factorized', (m) => (m.structure = { resized: {} }), /structure\.factorized/],
      ['resized not a pair', (m) => (m.structure = { factorized: {}, resized: { 'blocks.0.channelMlp.fc1': [8] } }), /structure\.resized/],
      ['unknown top-level field', (m) => (m.extra = 1), /Unrecognized key|extra/],
      ['old version', (m) => (m.version = 1), /version 1.*needs version 2/],
    ];
    for (const [, edit, msg] of cases) {
      const dir = saved();
      editManifest(dir, edit, true);
      expectRefused(() => loadCheckpoint(dir), 'INVALID_MANIFEST', msg);
    }
  });

  it('accepts structure with factorized and resized (the agreed ModelStructure)', () => {
    const dir = saved();
    editManifest(dir, (m) => (m.structure = { factorized: {}, resized: {} }), true);
    const ck = loadCheckpoint(dir);
    expect(ck.manifest.structure).toEqual({ factorized: {}, resized: {} });
    ck.model.dispose();
    tf.dispose([...Object.values(ck.optimizerState!.m), ...Object.values(ck.optimizerState!.v)]);
  });

  it('absurd sizes are refused against the weight file header before any allocation', () => {
    const cases: [Record<string, number>, RegExp][] = [
      [{ depth: 1e9 }, /config depth 1000000000 but model\.safetensors holds 2 blocks/],
      [{ channelMlpDim: 1e8 }, /config channelMlpDim = 100000000 exceeds the longest stored axis/],
      [{ numClasses: 1e9 }, /config numClasses 1000000000 but head\.fc\.bias has shape \[3\]/],
      [{ hiddenDim: 2 ** 31 }, /config hiddenDim = 2147483648 exceeds/],
    ];
    for (const [patch, msg] of cases) {
      const dir = saved();
      editManifest(dir, (m) => Object.assign(m.config as object, patch), true);
      expectRefused(() => loadCheckpoint(dir), 'CONFIG_MISMATCH', msg);
    }
  });

  it('a config the architecture rejects is a coded error, not a raw one', () => {
    const dir = saved();
    editManifest(dir, (m) => ((m.config as Record<string, unknown>).patchSize = 3), true); // must divide the image size
    expectRefused(() => loadCheckpoint(dir), 'INVALID_MANIFEST', /cannot build the model from its config/);
  });

  it('optimizer moments are checked against the model: shape, dtype, unknown and unpaired names; nothing leaks', () => {
    const mutate = (dir: string, f: (t: Record<string, any>) => void) => {
      const st = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'optimizer.safetensors'))));
      const t: Record<string, any> = { ...st.tensors };
      f(t);
      replaceFile(dir, 'optimizer.safetensors', encodeSafetensors(t));
    };
    const k = 'blocks.0.channelMlp.fc1.kernel';
    const cases: [(t: Record<string, any>) => void, RegExp][] = [
      [(t) => (t[`m.${k}`] = { dtype: 'F32', shape: [16, 8], data: new Float32Array(128) }), /moment 'm\.blocks\.0\.channelMlp\.fc1\.kernel' has shape \[16,8\], the weight has \[8,16\]/],
      [(t) => (t[`m.${k}`] = { dtype: 'I32', shape: [8, 16], data: new Int32Array(128) }), /is I32, expected F32/],
      [(t) => (t['m.blocks.9.fc.kernel'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }), /'blocks\.9\.fc\.kernel', which is not a weight/],
      [(t) => (t['x.y'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }), /not a moment/],
      [(t) => delete t[`v.${k}`], /different weights \(blocks\.0\.channelMlp\.fc1\.kernel\)/],
    ];
    for (const [f, msg] of cases) {
      const dir = saved();
      mutate(dir, f);
      expectRefused(() => loadCheckpoint(dir), 'INCOMPATIBLE_STATE', msg);
      // Loading into an existing model leaves it untouched.
      const into = createMixer(cfg);
      const before = into.namedWeights()[k].dataSync().slice();
      expectRefused(() => loadCheckpoint(dir, { into }), 'INCOMPATIBLE_STATE', msg);
      expect(into.namedWeights()[k].dataSync()).toEqual(before);
      into.dispose();
    }
  });

  it('a weight stored with an integer dtype is refused', () => {
    const dir = saved();
    const st = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    const k = 'head.fc.kernel';
    const t = st.tensors[k];
    const tensors = { ...st.tensors, [k]: { dtype: 'I32' as const, shape: t.shape, data: new Int32Array(t.data.length) } };
    replaceFile(dir, 'model.safetensors', encodeSafetensors(tensors, st.metadata));
    expectRefused(() => loadCheckpoint(dir), 'SHAPE_MISMATCH', /'head\.fc\.kernel' is stored as I32, the model's weight is float32/);
  });
});
