import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTIVITIES, tf } from '@acn/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli } from './cli';
import { BASE } from './common/options';
import { validatePaperResult } from './common/schema';
import { writeTinyCifar10 } from './test-support/cifar10-files';
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

  it('without --dataset / --workers resolves exactly the options of before the flags (default runs stay comparable)', () => {
    const all = parseCli([]);
    if (all === 'help') throw new Error('unexpected help');
    for (const { experiment, options } of all.runs) {
      expect(options).toEqual({ ...BASE, ...experiment.defaults });
      expect(Object.keys(options)).not.toContain('dataset');
      expect(Object.keys(options)).not.toContain('workers');
    }
    expect(BASE).toMatchObject({ patch: 7, depth: 12, width: 32, seeds: [0, 1, 2], epochs: 8 });
  });

  it('parses --dataset and --workers; a patch that does not divide the images is a clear error', () => {
    const plan = parseCli(['noise', '--dataset', 'cifar10', '--patch', '4', '--workers', 'auto']);
    expect(plan !== 'help' && plan.runs[0].options).toMatchObject({ dataset: 'cifar10', patch: 4, workers: 'auto' });
    const two = parseCli(['--workers', '2']);
    expect(two !== 'help' && two.runs[0].options.workers).toBe(2);
    expect(() => parseCli(['--dataset', 'cifar10'])).toThrow(
      '--patch 7 does not divide the 32×32 images of cifar10 (--patch 7 is the default for 28×28 images): use one of 1, 2, 4, 8, 16, 32',
    );
    expect(() => parseCli(['--patch', '5'])).toThrow('--patch 5 does not divide the 28×28 images of fashion-mnist: use one of 1, 2, 4, 7, 14, 28');
    expect(() => parseCli(['--dataset', 'cifar100'])).toThrow("--dataset: unknown 'cifar100' (fashion-mnist, mnist, cifar10)");
    expect(() => parseCli(['--workers', 'two'])).toThrow("--workers must be 'auto' or an integer >= 0, got 'two'");
    expect(() => parseCli(['--workers=-1'])).toThrow(/--workers must be/);
  });

  it('runs every --quick experiment on CIFAR-10 files end to end (--dataset cifar10 --data-dir)', async () => {
    const before = tf.memory().numTensors;
    const dataDir = writeTinyCifar10(join(out, 'data'), 20); // 100 train (10 per class) / 20 test
    const plan = parseCli(['--quick', '--dataset', 'cifar10', '--data-dir', dataDir, '--patch', '8', '--seeds', '1', '--out', join(out, 'cifar'), '--progress', 'none']);
    if (plan === 'help') throw new Error('unexpected help');
    const paths = await runPlan(plan, () => {});
    expect(paths).toHaveLength(EXPERIMENTS.length);
    const byName = Object.fromEntries(paths.map((p) => validatePaperResult(JSON.parse(readFileSync(p, 'utf8')))).map((r) => [r.experiment, r]));
    for (const r of Object.values(byName)) {
      expect(r.dataset).toContain(`cifar10 (${dataDir})`);
      expect(r.config).toMatchObject({ dataset: 'cifar10', patch: 8, quick: true });
    }
    expect([byName.noise.trainSize, byName.noise.testSize]).toEqual([100, 20]);
    expect(byName.noise.rows.filter((x) => x.metric === 'test accuracy').map((x) => x.condition)).toContain('salt&pepper p=0.1');
    expect(byName.lowdata.trainSize).toBe(100); // 10 per class
    expect(byName.difficulty.rows.map((x) => x.condition)).toContain('2 classes');
    expect(byName.continual.trainSize).toBe(20); // task 1: classes 0 and 1
    expect(byName.transfer.notes[0]).toContain('pre-train on cifar10 classes 0–4 (airplane, automobile, bird, cat, deer)');
    expect(tf.memory().numTensors).toBe(before);
    // MNIST → CIFAR-10 cannot copy a backbone (other image shape): a clear error before any training.
    const bad = parseCli(['transfer', '--quick', '--dataset', 'cifar10', '--data-dir', dataDir, '--patch', '8', '--upstream', 'mnist', '--out', join(out, 'cifar'), '--progress', 'none']);
    if (bad === 'help') throw new Error('unexpected help');
    await expect(runPlan(bad, () => {})).rejects.toThrow('transfer: --upstream mnist needs 28×28×1 downstream images, but --dataset cifar10 has 32×32×3');
  }, 300_000);
});
