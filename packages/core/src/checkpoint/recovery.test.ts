import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomicLeftovers, CheckpointError } from '../io';
import { createMlp } from '../models/mlp';
import { tf } from '../tf';
import { train } from '../train/trainer';
import type { ArrayDataset } from '../data/array-dataset';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { locateCheckpoint, recoverCheckpoint } from './recovery';

const root = fs.mkdtempSync(join(tmpdir(), 'acn-recover-'));
let n = 0;
const fresh = () => join(root, `r${n++}`, 'ckpt');
const mlp = () => createMlp({ inputShape: [4], numClasses: 2, depth: 1, hiddenDim: 4, seed: 2 });
const data: ArrayDataset = { inputs: new Float32Array(16).map((_, i) => i / 16), labels: new Int32Array([0, 1, 0, 1]), count: 4, sampleShape: [4], numClasses: 2 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return (e as CheckpointError).code;
  }
  return undefined;
}

describe('checkpoint recovery after an interrupted save', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('the live directory moved to a backup (kill between the renames): load and resume use it', async () => {
    const dir = fresh();
    const m = mlp();
    const r = await train(m, data, { epochs: 3, batchSize: 4, checkpointDir: dir, stopAfterEpoch: 1, progress: 'none' });
    r.optimizer.dispose();
    const bak = join(dir, '..', '.ckpt.999999.0123456789ab.bak');
    fs.renameSync(dir, bak);
    expect(locateCheckpoint(dir)).toEqual({ path: bak, recovered: true });
    const ck = loadCheckpoint(dir);
    expect(ck.path).toBe(bak);
    expect(ck.trainer!.epoch).toBe(1);
    ck.model.dispose();
    tf.dispose([...Object.values(ck.optimizerState!.m), ...Object.values(ck.optimizerState!.v)]);
    // Resume puts it back and goes on from epoch 1; it does not start over.
    const again = await train(m, data, { epochs: 3, batchSize: 4, checkpointDir: dir, resume: true, progress: 'none' });
    expect(again.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(again.steps).toBe(3);
    expect(atomicLeftovers(dir)).toEqual([]);
    again.optimizer.dispose();
    m.dispose();
  });

  it('refuses (RECOVERY_FAILED) rather than start over when the only copy left is damaged', async () => {
    const dir = fresh();
    const m = mlp();
    saveCheckpoint(dir, { model: m });
    const bak = join(dir, '..', '.ckpt.999999.0123456789ab.bak');
    fs.renameSync(dir, bak);
    fs.rmSync(join(bak, 'model.safetensors')); // e.g. half deleted
    expect(codeOf(() => loadCheckpoint(dir))).toBe('RECOVERY_FAILED');
    const before = tf.memory().numTensors;
    await expect(train(m, data, { epochs: 1, batchSize: 4, checkpointDir: dir, resume: true, progress: 'none' })).rejects.toMatchObject({ code: 'RECOVERY_FAILED' });
    expect(tf.memory().numTensors).toBe(before);
    expect(fs.existsSync(bak)).toBe(true); // nothing was overwritten
    m.dispose();
  });

  it('a first save that never completed is no checkpoint: resume starts fresh and cleans it up', async () => {
    const dir = fresh();
    fs.mkdirSync(join(dir, '..'), { recursive: true });
    const tmp = join(dir, '..', '.ckpt.999999.0123456789ab.tmp');
    fs.mkdirSync(tmp);
    fs.writeFileSync(join(tmp, 'model.safetensors'), 'partial');
    expect(locateCheckpoint(dir)).toBeUndefined();
    expect(recoverCheckpoint(dir)).toBeUndefined();
    const m = mlp();
    const r = await train(m, data, { epochs: 1, batchSize: 4, checkpointDir: dir, resume: true, progress: 'none' });
    expect(r.steps).toBe(1);
    expect(fs.existsSync(tmp)).toBe(false);
    r.optimizer.dispose();
    m.dispose();
  });

  it('a save deletes leftovers of dead processes, keeps those of a live one, and a damaged live directory is an error', () => {
    const dir = fresh();
    const m = mlp();
    saveCheckpoint(dir, { model: m });
    const parent = join(dir, '..');
    const dead = join(parent, '.ckpt.999999.0123456789ab.tmp');
    const live = join(parent, `.ckpt.${process.ppid}.0123456789ab.tmp`); // the test runner's parent is alive
    fs.mkdirSync(dead);
    fs.mkdirSync(live);
    saveCheckpoint(dir, { model: m });
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    // An existing directory is read as it is: damage there is reported, never papered over by a leftover.
    fs.writeFileSync(join(dir, 'model.safetensors'), 'x');
    expect(codeOf(() => loadCheckpoint(dir))).toBe('CHECKSUM_MISMATCH');
    m.dispose();
  });
});
