/**
 * Direction checks of our results against the paper's claims: is the difference between two arms
 * in the paper's direction, the opposite one, or too small to say given the seeds' spread?
 */
import type { MetricRow, PaperResult } from '../common/schema';

/** Outcome of one check. */
export type Verdict = 'agrees' | 'disagrees' | 'no clear difference' | 'not measured';

/** One claim of the paper, checked against one result file. */
export interface ClaimCheck {
  readonly claim: string;
  readonly verdict: Verdict;
  /** Our numbers behind the verdict. */
  readonly detail: string;
}

/** Relative differences at or below this (1%) are treated as no difference. */
export const NEGLIGIBLE = 0.01;

/** True when `d` is at most {@link NEGLIGIBLE} of the larger of `a` and `b`. */
export function negligible(d: number, a: number, b: number): boolean {
  return Math.abs(d) <= NEGLIGIBLE * Math.max(Math.abs(a), Math.abs(b));
}

/** The row of (arm, condition, metric), if present. */
export function findRow(r: PaperResult, arm: string, condition: string, metric: string): MetricRow | undefined {
  return r.rows.find((x) => x.arm === arm && x.condition === condition && x.metric === metric);
}

const show = (row: MetricRow) => (row.unit === 'fraction' ? `${(100 * row.mean).toFixed(2)} ± ${(100 * row.std).toFixed(2)}` : `${row.mean.toFixed(row.unit === 'ratio' || row.unit === 'loss' ? 3 : 2)} ± ${row.std.toFixed(row.unit === 'ratio' || row.unit === 'loss' ? 3 : 2)}`);

/**
 * Compares `a` against `b` on one metric: the paper says `a` is `higher` (or `lower`) than `b`.
 * The difference counts only when it exceeds twice its standard error over seeds,
 * √(s_a²/n + s_b²/n), and is more than {@link NEGLIGIBLE} of the larger value (two runs that
 * both sit on a floor, e.g. the label-smoothing minimum of the training loss, differ by tiny but
 * "significant" amounts); with one seed any such difference counts.
 *
 * @example
 * ```ts
 * compareArms(result, 'AC is more accurate', 'acn', 'residual', '', 'test accuracy (last epoch)', 'higher');
 * ```
 */
export function compareArms(r: PaperResult, claim: string, a: string, b: string, condition: string, metric: string, expect: 'higher' | 'lower'): ClaimCheck {
  const ra = findRow(r, a, condition, metric);
  const rb = findRow(r, b, condition, metric);
  if (!ra || !rb) return { claim, verdict: 'not measured', detail: `no '${metric}' rows for ${a} and ${b}${condition ? ` (${condition})` : ''}` };
  const n = ra.values.length;
  const se = Math.sqrt((ra.std ** 2 + rb.std ** 2) / n);
  const d = ra.mean - rb.mean;
  const scale = ra.unit === 'fraction' ? 100 : 1;
  const detail = `${a} ${show(ra)} vs ${b} ${show(rb)}${condition ? ` (${condition})` : ''}; difference ${(scale * d).toFixed(2)}, 2·SE ${(2 * scale * se).toFixed(2)} over ${n} seeds`;
  if (d === 0 || Math.abs(d) <= 2 * se) return { claim, verdict: 'no clear difference', detail };
  if (negligible(d, ra.mean, rb.mean)) return { claim, verdict: 'no clear difference', detail: `${detail}; within ${100 * NEGLIGIBLE}% of each other` };
  const wanted = expect === 'higher' ? d > 0 : d < 0;
  return { claim, verdict: wanted ? 'agrees' : 'disagrees', detail };
}

/**
 * Checks that a metric of one arm rises (or falls) along a list of conditions, comparing first and
 * last condition with the same 2·SE rule (`no rise`: only a clear rise disagrees).
 */
export function compareTrend(r: PaperResult, claim: string, arm: string, conditions: readonly string[], metric: string, expect: 'rises' | 'falls' | 'no rise'): ClaimCheck {
  const rows = conditions.map((c) => findRow(r, arm, c, metric));
  if (rows.some((x) => !x) || rows.length < 2) return { claim, verdict: 'not measured', detail: `no '${metric}' rows for ${arm} over ${conditions.join(', ')}` };
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const se = Math.sqrt((first.std ** 2 + last.std ** 2) / first.values.length);
  const d = last.mean - first.mean;
  const detail = `${arm}: ${rows.map((x, i) => `${conditions[i]} ${show(x!)}`).join(', ')}`;
  const clear = Math.abs(d) > 2 * se && d !== 0 && !negligible(d, first.mean, last.mean);
  if (expect === 'no rise') return { claim, verdict: clear && d > 0 ? 'disagrees' : 'agrees', detail };
  if (!clear) return { claim, verdict: 'no clear difference', detail };
  return { claim, verdict: (expect === 'rises') === d > 0 ? 'agrees' : 'disagrees', detail };
}
