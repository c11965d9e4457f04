import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@acn/core';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultBranchWeights, DEFAULTS, parseCli, QUICK } from './cli';
import { runEarlyExit } from './main';
import { validateEarlyExitResults } from './results';

const out = mkdtempSync(join(tmpdir(), 'acn-early-exit-'));

describe('early-exit example', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--quick completes and writes valid JSON and HTML', async () => {
    const before = tf.memory().numTensors;
    const opts = parseCli(['--quick', '--out', out]);
    if (opts === 'help') throw new Error('unexpected help');
    const results = validateEarlyExitResults(JSON.parse(readFileSync(await runEarlyExit(opts), 'utf8')));
    expect(results.trainSize).toBe(QUICK.trainLimit! - QUICK.valSize!);
    expect(results.valSize).toBe(QUICK.valSize);
    expect(results.testSize).toBe(QUICK.testLimit);
    // Per connectivity: the plain model, then shared exits (plain and Aligned training) and branches, each at τ = 0.7 and calibrated.
    const key = (r: (typeof results.results)[number]) => `${r.connectivity}/${r.exits}/${r.training}/${r.thresholdSource}`;
    const expected = (c: string) => [`${c}/none/plain/none`, ...['shared/plain', 'shared/aligned', 'branches/branches'].flatMap((e) => [`${c}/${e}/fixed`, `${c}/${e}/calibrated`])];
    expect(results.results.map(key)).toEqual([...expected('residual'), ...expected('acn')]);
    const depth = QUICK.depth!;
    for (const r of results.results) {
      expect(r.avgLayers).toBeGreaterThanOrEqual(0);
      expect(r.avgLayers).toBeLessThanOrEqual(depth);
      expect(r.flopsSpeedup).toBeGreaterThan(0);
      expect(r.wallSpeedup.batch1).toBeGreaterThan(0);
      expect(r.wallSpeedup.batch128).toBeGreaterThan(0);
      if (r.thresholdSource === 'fixed') expect(r.threshold).toBe(0.7);
      if (r.exits === 'none') expect(r.avgLayers).toBe(depth);
      if (r.exitHistogram) expect(r.exitHistogram.reduce((a, b) => a + b, 0)).toBe(QUICK.testLimit);
    }
    const resPlain = results.results[0];
    expect(resPlain.flopsSpeedup).toBe(1);
    expect(resPlain.wallSpeedup).toEqual({ batch1: 1, batch128: 1 });
    // Same-size AC and residual Mixers cost the same FLOPs (the running sum is not counted).
    expect(results.results[7].flopsSpeedup).toBeCloseTo(1, 12);
    expect(results.curves).toHaveLength(6);
    const html = readFileSync(join(out, 'early-exit.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBe(2);
    expect(html).toContain('Against the paper');
    expect(readdirSync(out).sort()).toEqual(['early-exit.html', 'early-exit.json']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('parses flags and rejects bad ones with a clear message', () => {
    const o = parseCli(['--tau', '0.5', '--branches', '2,4,6', '--branch-weights', '1,0.5,0.25', '--max-drop', '0.02']);
    expect(o).toMatchObject({ tau: 0.5, branchLayers: [2, 4, 6], branchWeights: [1, 0.5, 0.25], maxDrop: 0.02, epochs: DEFAULTS.epochs });
    expect(parseCli(['--help'])).toBe('help');
    expect(() => parseCli(['--tau=-1'])).toThrow("--tau must be a number >= 0, got '-1'");
    expect(() => parseCli(['--max-drop', '2'])).toThrow("--max-drop must be a number >= 0 and <= 1, got '2'");
    expect(() => parseCli(['--branches', '2,x'])).toThrow("--branches must be an integer >= 1, got 'x'");
    expect(() => parseCli(['--branches', '2,4', '--branch-weights', '1'])).toThrow('--branch-weights has 1 values for 2 branches (--branches 2,4)');
    expect(() => parseCli(['--test-limit', '100'])).toThrow(/--test-limit must be an integer >= 128/);
    expect(() => parseCli(['--bogus'])).toThrow(/bogus/);
    expect(defaultBranchWeights(3)).toEqual([0.8, 0.6, 0.4]);
    expect(defaultBranchWeights(2)).toEqual([0.8, 0.4]);
    expect(defaultBranchWeights(1)).toEqual([0.8]);
  });
});
