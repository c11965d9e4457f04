import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, QUICK } from './cli';
import { runDeploy } from './main';

const out = mkdtempSync(join(tmpdir(), 'acn-deploy-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('deploy example (--quick)', () => {
  it('exports the six forms; onnxruntime matches the tfjs model each came from; sizes shrink as they should', async () => {
    const { rows } = await runDeploy({ ...DEFAULTS, ...QUICK, quick: true, outDir: out });
    expect(rows.map((r) => r.form)).toEqual(['fp32', 'truncated', 'truncated + low rank', 'truncated + int8', 'truncated + 4-bit', 'structured-pruned']);
    for (const r of rows) {
      expect(Math.abs(r.accuracy.onnx - r.accuracy.tfjs), r.form).toBeLessThanOrEqual(0.01);
      for (const v of Object.values(r.latencyMs)) expect(v).toBeGreaterThan(0);
    }
    const by = Object.fromEntries(rows.map((r) => [r.form, r]));
    expect(by['truncated + int8'].fileBytes).toBeLessThan(0.5 * by.truncated.fileBytes);
    expect(by['truncated + 4-bit'].fileBytes).toBeLessThan(by['truncated + int8'].fileBytes);
    expect(by['truncated + low rank'].fileBytes).toBeLessThan(by.truncated.fileBytes);
    expect(by['structured-pruned'].fileBytes).toBeLessThan(by.truncated.fileBytes);
    expect(by['truncated + int8'].weightForms['int8-dynamic']).toBeGreaterThan(0);
    expect(by['truncated + 4-bit'].weightForms['nbits-4']).toBeGreaterThan(0);
    const md = readFileSync(join(out, 'deploy.md'), 'utf8');
    expect(md).toContain('| truncated + int8 |');
    const samples = JSON.parse(readFileSync(join(out, 'web-assets', 'samples.json'), 'utf8'));
    expect(samples.expected.predictions).toHaveLength(12);
  });
});
