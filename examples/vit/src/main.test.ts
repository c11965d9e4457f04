import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@acn/core';
import { validateResults } from '@acn/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, parseCli, QUICK } from './cli';
import { runVitExample } from './main';

const out = mkdtempSync(join(tmpdir(), 'acn-vit-example-'));

describe('vit example', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--quick completes and writes valid JSON and HTML', async () => {
    const before = tf.memory().numTensors;
    const opts = parseCli(['--quick', '--out', out]);
    if (opts === 'help') throw new Error('unexpected help');
    const jsonPath = await runVitExample(opts);
    const results = validateResults(JSON.parse(readFileSync(jsonPath, 'utf8')));
    expect(results.trainSize).toBe(QUICK.trainLimit);
    expect(results.testSize).toBe(QUICK.testLimit);
    expect(results.config).toMatchObject({ model: 'vit', quirks: 'paper' });
    expect(results.runs.map((r) => [r.connectivity, r.label])).toEqual([
      ['acn', 'AC-ViT'],
      ['residual', 'Res-ViT'],
    ]);
    for (const r of results.runs) {
      expect(r.config).toMatchObject({ architecture: 'vit', depth: QUICK.depth, hiddenDim: QUICK.width, numHeads: QUICK.heads, attnOutputNorm: false, diracFfn: false });
      expect(r.probeAccuracy).toHaveLength(QUICK.depth! + 1);
      expect(r.gradNorms).toHaveLength(QUICK.epochs!);
      expect(r.probeAccuracy[QUICK.depth!]).toBeCloseTo(r.testAccuracy, 10);
      expect(r.cutoffLayer).toBeGreaterThanOrEqual(0);
      // FLOPs per sample by hand (matmul 2 per multiply-add + bias adds; elementwise ops not counted):
      // patch embedding, per block q/k/v/out + attention scores and weighted sum (4·T²·D) + FFN, head.
      const [n, t, d, m, p] = [16, 17, QUICK.width!, QUICK.mlpDim!, 7];
      const block = 4 * (2 * t * d * d + t * d) + 4 * t * t * d + (2 * t * d * m + t * m) + (2 * t * m * d + t * d);
      expect(r.flops).toBe(2 * n * p * p * d + n * d + QUICK.depth! * block + (2 * d * 10 + 10));
      if (r.truncated) {
        expect(r.truncated.layers).toBe(Math.max(1, r.cutoffLayer));
        expect(r.truncated.params).toBeLessThan(r.params);
        expect(r.truncated.flops).toBeLessThan(r.flops);
        // A truncated model's accuracy is the probe at its depth.
        expect(r.truncated.testAccuracy).toBeCloseTo(r.probeAccuracy[r.truncated.layers], 10);
      }
    }
    const html = readFileSync(join(out, 'vit.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('Probe accuracy');
    expect(readdirSync(out).sort()).toEqual(['vit.html', 'vit.json']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('parses flags and rejects bad ones with a clear message', () => {
    const o = parseCli(['--depth', '12', '--connectivity', 'acn,feedforward', '--lr', '0.002', '--quirks', 'repo', '--heads', '8']);
    expect(o).toMatchObject({ depth: 12, connectivities: ['acn', 'feedforward'], lr: 0.002, quirks: 'repo', heads: 8, epochs: DEFAULTS.epochs });
    expect(parseCli(['--help'])).toBe('help');
    expect(() => parseCli(['--depth', '0'])).toThrow(/--depth must be an integer >= 1, got '0'/);
    expect(() => parseCli(['--connectivity', 'dense'])).toThrow(/unknown 'dense'/);
    expect(() => parseCli(['--quirks', 'both'])).toThrow(/--quirks must be one of paper, repo, got 'both'/);
    expect(() => parseCli(['--heads', '5'])).toThrow(/--heads 5 must divide --width 64/);
    expect(() => parseCli(['--bogus'])).toThrow(/bogus/);
    expect(existsSync(out)).toBe(true);
  });
});
