import { describe, expect, it } from 'vitest';
import { autoCompressionResultsSchema, validateResults } from './schema';
import { sampleResults } from './sample.test-helper';

/** The message of the error `fn` throws. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('results schema', () => {
  it('accepts a valid sample, keeps extra fields and returns it typed', () => {
    const sample = { ...sampleResults(), extra: { gitSha: 'abc' } };
    const r = validateResults(sample);
    expect(r.runs).toHaveLength(2);
    expect(r.runs[0].truncated?.latencyMs.batch128).toBe(40);
    expect((r as Record<string, unknown>).extra).toEqual({ gitSha: 'abc' });
    expect(r.runs[0].config).toEqual({ hiddenDim: 64 });
    expect(autoCompressionResultsSchema.safeParse(JSON.parse(JSON.stringify(sample))).success).toBe(true);
  });

  it('wrong probe length names runs[i].probeAccuracy', () => {
    const s = sampleResults(4);
    s.runs[1].probeAccuracy = s.runs[1].probeAccuracy.slice(0, 4);
    expect(errorOf(() => validateResults(s))).toMatch(/runs\[1\]\.probeAccuracy: must have depth \+ 1 = 5 entries, got 4/);
  });

  it('accuracy > 1 names the path', () => {
    const s = sampleResults();
    s.runs[0].probeAccuracy[2] = 1.2;
    s.runs[0].truncated!.testAccuracy = 91;
    const msg = errorOf(() => validateResults(s));
    expect(msg).toMatch(/runs\[0\]\.probeAccuracy\[2\]: Too big/);
    expect(msg).toMatch(/runs\[0\]\.truncated\.testAccuracy: Too big/);
  });

  it('a missing field names the path', () => {
    const s = sampleResults() as unknown as { runs: Record<string, unknown>[]; dataset?: string };
    delete s.runs[1].cutoffLayer;
    delete s.dataset;
    const msg = errorOf(() => validateResults(s));
    expect(msg).toMatch(/runs\[1\]\.cutoffLayer: .*expected number/);
    expect(msg).toMatch(/^ {2}dataset: .*expected string/m);
  });

  it('lists every problem at once, including cross-field checks next to type errors', () => {
    const s = sampleResults(4) as unknown as { runs: Record<string, unknown>[] };
    delete s.runs[0].params;
    s.runs[0].cutoffLayer = 5; // > depth
    s.runs[0].gradNorms = [[1, 2, 3, 4], [1, 2]]; // second epoch row too short
    (s.runs[0].dgfg as { cosine: number[][] }).cosine[0][1] = 1.5;
    s.runs[0].contribution = [[0.1]];
    const msg = errorOf(() => validateResults(s));
    expect(msg).toMatch(/\(5 problems\)/);
    for (const p of ['runs[0].params', 'runs[0].cutoffLayer', 'runs[0].gradNorms[1]', 'runs[0].dgfg.cosine[0][1]', 'runs[0].contribution']) {
      expect(msg).toContain(`  ${p}: `);
    }
  });

  it('rejects non-objects and unknown connectivities', () => {
    expect(errorOf(() => validateResults(null))).toMatch(/\(root\): .*expected object/);
    const s = sampleResults() as unknown as { runs: unknown[] };
    s.runs.push(null);
    (s.runs[0] as Record<string, unknown>).connectivity = 'dense';
    const msg = errorOf(() => validateResults(s));
    expect(msg).toContain('runs[0].connectivity');
    expect(msg).toContain('runs[2]: ');
  });
});
