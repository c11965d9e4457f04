import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@acn/core';
import { afterAll, describe, expect, it } from 'vitest';
import { budgetSteps, DEFAULTS, MODALITIES, parseCli, QUICK } from './cli';
import { runVconExample } from './main';
import { rankFor } from './modalities';
import { validateVconResults } from './results';

const out = mkdtempSync(join(tmpdir(), 'acn-vcon-'));

describe('vcon example', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--quick completes and writes valid results/vcon.json; a checkpoint is saved, then reused', async () => {
    const before = tf.memory().numTensors;
    const ck = join(out, 'models', 'base'); // a parent that does not exist yet
    const opts = parseCli(['--quick', '--out', out, '--checkpoint', ck]);
    if (opts === 'help') throw new Error('unexpected help');
    const path = await runVconExample(opts);
    expect(path).toBe(join(out, 'vcon.json'));
    const r = validateVconResults(JSON.parse(readFileSync(path, 'utf8')));
    expect([r.steps, r.Q, r.budget, r.trainSize, r.testSize]).toEqual([QUICK.steps, QUICK.q, 'short', QUICK.trainLimit, QUICK.testLimit]);
    expect(r.results.map((m) => m.modality)).toEqual([...MODALITIES]);
    expect(r.baseTraining.loadedFrom).toBeUndefined();
    for (const m of r.results) {
      expect(m.baselinePerSeed).toHaveLength(QUICK.seeds!);
      expect(m.vconAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.bytesRatio).toBeGreaterThan(1);
    }
    const by = Object.fromEntries(r.results.map((m) => [m.modality, m]));
    expect(by.prune.flopsRatio).toBe(1); // unstructured sparsity: the dense matmul stays (CSR saves bytes only)
    expect(by.binary.bytesRatio).toBeGreaterThan(by.prune.bytesRatio);
    expect(by.lowrank.blockDenseFlopsRatio).toBeGreaterThanOrEqual(3.5);
    expect(by.lowrank.flopsRatio).toBeGreaterThan(1);
    expect(by.depth.keep).toBe(1);
    expect(by.depth.flopsRatio).toBeGreaterThan(1.5);
    expect(readdirSync(out).sort()).toEqual(['models', 'vcon.json']);

    // Second run: the base model comes from the checkpoint (same accuracy), --budget long writes vcon-long.json.
    const again = parseCli(['--quick', '--out', out, '--checkpoint', ck, '--budget', 'long', '--steps', '10', '--modalities', 'depth']);
    if (again === 'help') throw new Error('unexpected help');
    const r2 = validateVconResults(JSON.parse(readFileSync(await runVconExample(again), 'utf8')));
    expect(r2.baseTraining.loadedFrom).toBe(ck);
    expect(r2.uncompressedAccuracy).toBe(r.uncompressedAccuracy);
    expect([r2.steps, r2.Q, r2.budget]).toEqual([10, 2, 'long']);
    expect(existsSync(join(out, 'vcon-long.json'))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('parses flags, derives N and Q from the budget, and rejects bad input with a clear message', () => {
    const o = parseCli(['--budget', 'long', '--seeds', '5', '--modalities', 'prune,depth']);
    if (o === 'help') throw new Error('unexpected help');
    expect(o).toMatchObject({ budget: 'long', seeds: 5, modalities: ['prune', 'depth'], depth: DEFAULTS.depth });
    expect(budgetSteps(o, 6000)).toEqual({ steps: 940, Q: 188 }); // 10 epochs of 94, Q = 20%
    const d = parseCli([]);
    if (d === 'help') throw new Error('unexpected help');
    expect(budgetSteps(d, 6000)).toEqual({ steps: 282, Q: 94 }); // 3 epochs, Q = N/3
    expect(parseCli(['--help'])).toBe('help');
    expect(() => parseCli(['--budget', 'medium'])).toThrow(/--budget must be one of short, long, got 'medium'/);
    expect(() => parseCli(['--steps', '100', '--q', '100'])).toThrow(/--q must be < the fine-tuning steps N \(100\), got 100/);
    expect(() => parseCli(['--modalities', 'prune,svd'])).toThrow(/unknown 'svd'/);
    expect(() => parseCli(['--sparsity', '1'])).toThrow(/--sparsity must be a number >= 0 and < 1, got '1'/);
    expect(() => parseCli(['--depth', '4', '--keep', '4'])).toThrow(/--keep must be < --depth \(4\), got 4/);
    expect(() => parseCli(['--bogus'])).toThrow(/bogus/);
    expect(() => validateVconResults({ dataset: 'x' })).toThrow(/invalid vcon results at steps/);
    // ≥4x fewer FLOPs per layer: r·(in + out) ≤ in·out / 4.
    expect(rankFor(64, 256, 4)).toBe(12);
    expect(rankFor(17, 32, 4)).toBe(2);
    expect(12 * (64 + 256) * 4).toBeLessThanOrEqual(64 * 256);
  });
});
