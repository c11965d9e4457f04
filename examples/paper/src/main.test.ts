import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTIVITIES, tf } from '@acn/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli } from './cli';
import { validatePaperResult } from './common/schema';
import { EXPERIMENTS } from './experiments';
import { runPlan } from './main';

const out = mkdtempSync(join(tmpdir(), 'acn-paper-'));

describe('paper experiments', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('every --quick experiment completes and writes schema-valid JSON and an HTML page', async () => {
    const before = tf.memory().numTensors;
    const plan = parseCli(['--quick', '--out', out, '--progress', 'none', '--train-limit', '400', '--test-limit', '100']);
    if (plan === 'help') throw new Error('unexpected help');
    const paths = await runPlan(plan, () => {});
    expect(paths).toHaveLength(EXPERIMENTS.length);
    const byName = Object.fromEntries(
      paths.map((p) => {
        expect(p.startsWith(join(out, 'quick'))).toBe(true); // smoke runs never land beside real results
        expect(readFileSync(p.replace(/\.json$/, '.html'), 'utf8')).toContain('QUICK SMOKE RUN');
        const r = validatePaperResult(JSON.parse(readFileSync(p, 'utf8')));
        expect(r.quick).toBe(true);
        expect(r.seeds).toEqual([0, 1]);
        return [r.experiment, r];
      }),
    );
    const arms = (name: string) => [...new Set(byName[name].rows.map((r) => r.arm))];
    const conditions = (name: string) => [...new Set(byName[name].rows.map((r) => r.condition))];
    expect(arms('baselines')).toEqual([...CONNECTIVITIES.flatMap((c) => (c === 'acn' ? ['acn', 'acn-dg'] : [c]))]);
    expect(conditions('difficulty')).toEqual(['2 classes', '10 classes']);
    expect(conditions('noise')).toHaveLength(7);
    expect(byName.gradients.charts.filter((c) => c.kind === 'heatmap')).toHaveLength(6);
    expect(arms('transfer')).toEqual(['acn', 'residual', 'residual+aligned']);
    expect(byName.lowdata.trainSize).toBe(100); // 10 per class in quick
    expect(byName.noise.testSize).toBe(100);
    expect(conditions('continual')).toEqual(['depth 2', 'depth 3']);
    expect(arms('continual').sort()).toEqual(['acn/naive', 'acn/si', 'residual/naive', 'residual/si']);
    for (const r of Object.values(byName)) for (const row of r.rows) if (row.unit === 'fraction') expect(row.values.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);

  it('parses experiments and flags, rejects bad ones with a clear message', () => {
    const plan = parseCli(['noise', 'lowdata', '--seeds', '5', '--sigmas', '0.3', '--epochs', '2']);
    if (plan === 'help') throw new Error('unexpected help');
    expect(plan.runs.map((r) => r.experiment.name)).toEqual(['noise', 'lowdata']);
    expect(plan.runs[0].options).toMatchObject({ seeds: [0, 1, 2, 3, 4], sigmas: [0.3], epochs: 2, quick: false });
    const all = parseCli([]);
    expect(all !== 'help' && all.runs).toHaveLength(EXPERIMENTS.length);
    const listed = parseCli(['baselines', '--seeds', '3,7,9']);
    expect(listed !== 'help' && listed.runs[0].options.seeds).toEqual([3, 7, 9]);
    expect(parseCli(['--help'])).toBe('help');
    expect(() => parseCli(['nosuch'])).toThrow(/unknown experiment 'nosuch'/);
    expect(() => parseCli(['--epochs', '0'])).toThrow(/--epochs must be an integer >= 1, got '0'/);
    expect(() => parseCli(['--upstream', 'cifar'])).toThrow(/--upstream: unknown 'cifar'/);
    expect(() => parseCli(['--bogus'])).toThrow(/bogus/);
    expect(existsSync(out)).toBe(true);
  });
});
