import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@acn/core';
import { validateResults } from '@acn/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, parseCli, QUICK } from './cli';
import { runDemo } from './main';

const out = mkdtempSync(join(tmpdir(), 'acn-demo-'));

describe('auto-compression example', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--quick completes and writes valid JSON and HTML', async () => {
    const before = tf.memory().numTensors;
    const opts = parseCli(['--quick', '--out', out]);
    if (opts === 'help') throw new Error('unexpected help');
    const jsonPath = await runDemo(opts);
    const results = validateResults(JSON.parse(readFileSync(jsonPath, 'utf8')));
    expect(results.trainSize).toBe(QUICK.trainLimit);
    expect(results.testSize).toBe(QUICK.testLimit);
    expect(results.runs.map((r) => r.connectivity)).toEqual(['acn', 'residual']);
    for (const r of results.runs) {
      expect(r.probeAccuracy).toHaveLength(QUICK.depth! + 1);
      expect(r.gradNorms).toHaveLength(QUICK.epochs!);
      expect(r.probeAccuracy[QUICK.depth!]).toBeCloseTo(r.testAccuracy, 10);
      expect(r.cutoffLayer).toBeGreaterThanOrEqual(0);
      expect(r.flops).toBeGreaterThan(0);
      if (r.truncated) {
        expect(r.truncated.layers).toBe(Math.max(1, r.cutoffLayer));
        expect(r.truncated.params).toBeLessThan(r.params);
        expect(r.truncated.flops).toBeLessThan(r.flops);
        // A truncated model's accuracy is the probe at its depth.
        expect(r.truncated.testAccuracy).toBeCloseTo(r.probeAccuracy[r.truncated.layers], 10);
      }
    }
    const html = readFileSync(join(out, 'auto-compression.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('Probe accuracy');
    expect(readdirSync(out).sort()).toEqual(['auto-compression.html', 'auto-compression.json']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('parses flags and rejects bad ones with a clear message', () => {
    const o = parseCli(['--depth', '12', '--connectivity', 'acn,feedforward', '--lr', '0.002']);
    expect(o).toMatchObject({ depth: 12, connectivities: ['acn', 'feedforward'], lr: 0.002, epochs: DEFAULTS.epochs });
    expect(parseCli(['--help'])).toBe('help');
    expect(() => parseCli(['--depth', '0'])).toThrow(/--depth must be an integer >= 1, got '0'/);
    expect(() => parseCli(['--connectivity', 'dense'])).toThrow(/unknown 'dense'/);
    expect(parseCli(['--connectivity', 'acn,residual,densenet,denseformer'])).toMatchObject({ connectivities: ['acn', 'residual', 'densenet', 'denseformer'] });
    expect(() => parseCli(['--bogus'])).toThrow(/bogus/);
    expect(existsSync(out)).toBe(true);
  });
});
