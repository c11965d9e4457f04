import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricRow, PaperResult } from '../common/schema';
import { summarize } from '../common/stats';
import { compareArms, compareTrend } from './compare';
import { renderResultsMd } from './results-md';

const row = (arm: string, condition: string, metric: string, values: number[], unit: MetricRow['unit'] = 'fraction'): MetricRow => ({ arm, condition, metric, unit, ...summarize(values) });

function result(rows: MetricRow[], over: Partial<PaperResult> = {}): PaperResult {
  return {
    schemaVersion: 1, experiment: 'noise', title: 'Noise', quick: false, createdAt: '2026-01-01T00:00:00Z', durationSeconds: 60, backend: 'wasm',
    dataset: 'fashion-mnist (embedded subset)', trainSize: 6000, testSize: 1000, seeds: [0, 1, 2], config: { epochs: 10 }, charts: [], notes: ['noise on [0, 1] pixels'], rows, ...over,
  };
}

describe('direction checks', () => {
  it('agrees, disagrees or finds no clear difference by the 2·SE rule', () => {
    const r = result([
      row('acn', '', 'acc', [0.8, 0.81, 0.82]),
      row('residual', '', 'acc', [0.7, 0.71, 0.72]),
      row('noisy', '', 'acc', [0.6, 0.9, 0.75]),
    ]);
    expect(compareArms(r, 'c', 'acn', 'residual', '', 'acc', 'higher').verdict).toBe('agrees');
    expect(compareArms(r, 'c', 'acn', 'residual', '', 'acc', 'lower').verdict).toBe('disagrees');
    // 0.05 apart but with std 0.15: 2·SE = 2·√((0.01² + 0.15²)/3) ≈ 0.17.
    expect(compareArms(r, 'c', 'acn', 'noisy', '', 'acc', 'higher').verdict).toBe('no clear difference');
    expect(compareArms(r, 'c', 'acn', 'densenet', '', 'acc', 'higher').verdict).toBe('not measured');
    expect(compareArms(r, 'c', 'acn', 'residual', '', 'acc', 'higher').detail).toContain('acn 81.00 ± 1.00 vs residual 71.00 ± 1.00');
    // Both on a floor: a consistent but < 1% difference is no difference.
    const floor = result([row('acn', '', 'loss', [0.0946, 0.0945, 0.0947], 'loss'), row('residual', '', 'loss', [0.0948, 0.0948, 0.0948], 'loss')]);
    expect(compareArms(floor, 'c', 'acn', 'residual', '', 'loss', 'lower')).toMatchObject({ verdict: 'no clear difference', detail: expect.stringContaining('within 1% of each other') });
  });

  it('trends compare the first and the last condition', () => {
    const r = result([row('acn', '2', 'cut', [4, 4, 5], 'layer'), row('acn', '5', 'cut', [6, 6, 6], 'layer'), row('acn', '10', 'cut', [9, 8, 9], 'layer')]);
    expect(compareTrend(r, 'c', 'acn', ['2', '5', '10'], 'cut', 'rises').verdict).toBe('agrees');
    expect(compareTrend(r, 'c', 'acn', ['2', '5', '10'], 'cut', 'falls').verdict).toBe('disagrees');
    expect(compareTrend(r, 'c', 'acn', ['2', '5', '10'], 'cut', 'no rise').verdict).toBe('disagrees');
    expect(compareTrend(r, 'c', 'acn', ['10', '2'], 'cut', 'no rise').verdict).toBe('agrees');
  });
});

describe('docs/results.md generator', () => {
  it('shows the paper table, our mean ± std with seeds and test size, the verdicts, and marks smoke runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'acn-results-md-'));
    try {
      const rows = ['gaussian σ=0.1', 'salt&pepper p=0.1'].flatMap((c) => [row('acn', c, 'drop vs clean', [1, 1.2, 1.1], 'points'), row('residual', c, 'drop vs clean', [3, 3.1, 3.2], 'points')]);
      writeFileSync(join(dir, 'noise.json'), JSON.stringify(result([row('acn', 'clean', 'test accuracy', [0.85, 0.86, 0.84]), ...rows])));
      const md = renderResultsMd(dir);
      expect(md).toContain('| AC-ViT | 70.76 | 69.50 |'); // the paper's Table 2
      expect(md).toContain('seeds 0, 1, 2 (3 runs per arm');
      expect(md).toContain('test 1000 images');
      expect(md).toContain('| acn | clean | test accuracy (%) | 85.00 ± 1.00 | 85.00, 86.00, 84.00 |');
      expect(md).toMatch(/AC loses less accuracy than residual under gaussian σ=0\.1 \|[^|]+\| \*\*agrees\*\*/);
      expect(md).toContain('**No default-run result yet**'); // every other experiment
      expect(md).not.toContain('Smoke run');
      // A quick file alone is never checked against the paper.
      writeFileSync(join(dir, 'noise.json'), JSON.stringify(result(rows, { quick: true })));
      expect(renderResultsMd(dir)).not.toContain('**agrees**');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
