/**
 * Plain-text tables for terminals and logs: aligned columns, numbers right-aligned.
 */
import type { RunResult } from './schema';

/**
 * Options of {@link formatTable}.
 *
 * @example
 * ```ts
 * const opts: FormatTableOptions = { columns: ['run', 'acc'], digits: 2, title: 'Test accuracy' };
 * ```
 */
export interface FormatTableOptions {
  /** Columns in order (default: every key, in order of first appearance). */
  readonly columns?: readonly string[];
  /** A line printed above the table. */
  readonly title?: string;
  /** Decimals of non-integer numbers (default 4). */
  readonly digits?: number;
  /** Force a column's alignment (default: right when every value is a number, else left). */
  readonly align?: Readonly<Record<string, 'left' | 'right'>>;
}

function cell(v: string | number | undefined, digits: number): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : v.toFixed(digits);
  return v;
}

/**
 * Formats rows as a text table with a header and a rule; numeric columns are right-aligned.
 *
 * @example
 * ```ts
 * console.log(formatTable([{ run: 'acn', acc: 0.912 }, { run: 'residual', acc: 0.9 }], { title: 'Test accuracy' }));
 * // Test accuracy
 * // run       acc
 * // --------  ------
 * // acn       0.9120
 * // residual  0.9000
 * ```
 */
export function formatTable(rows: readonly Readonly<Record<string, string | number>>[], options: FormatTableOptions = {}): string {
  const digits = options.digits ?? 4;
  const columns = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const body = rows.map((r) => columns.map((c) => cell(r[c], digits)));
  const widths = columns.map((c, j) => Math.max(c.length, ...body.map((r) => r[j].length)));
  const right = columns.map((c) => {
    const forced = options.align?.[c];
    if (forced) return forced === 'right';
    const present = rows.filter((r) => r[c] !== undefined);
    return present.length > 0 && present.every((r) => typeof r[c] === 'number');
  });
  const line = (cells: readonly string[]) =>
    cells
      .map((s, j) => (right[j] ? s.padStart(widths[j]) : s.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  if (options.title) out.unshift(options.title);
  return out.join('\n');
}

/**
 * A display name per run: `label` if the run has one, else `connectivity L=depth`, with `#n`
 * appended to repeated names so every run stays distinguishable.
 *
 * @example
 * ```ts
 * runLabels(results.runs); // ['acn L=16', 'residual L=16']
 * ```
 */
export function runLabels(runs: readonly Pick<RunResult, 'connectivity' | 'depth' | 'label'>[]): string[] {
  const base = runs.map((r) => r.label ?? `${r.connectivity} L=${r.depth}`);
  return base.map((b, i) => (base.filter((x) => x === b).length > 1 ? `${b} #${base.slice(0, i + 1).filter((x) => x === b).length}` : b));
}

/**
 * Probe accuracy (%, 2 decimals) of every prediction layer k = 0..L, one column per run, with each
 * run's cutoff layer marked `*`.
 *
 * @example
 * ```ts
 * console.log(probeTable(results.runs));
 * // Probe accuracy (%) by prediction layer (* = cutoff layer)
 * // layer  acn L=3  residual L=3
 * // -----  -------  ------------
 * //     0    41.20         12.50
 * //     1   80.10*         30.00
 * ```
 */
export function probeTable(runs: readonly Pick<RunResult, 'connectivity' | 'depth' | 'label' | 'probeAccuracy' | 'cutoffLayer'>[]): string {
  const labels = runLabels(runs);
  const maxLayers = Math.max(0, ...runs.map((r) => r.probeAccuracy.length));
  const rows: Record<string, string | number>[] = [];
  for (let k = 0; k < maxLayers; k++) {
    const row: Record<string, string | number> = { layer: k };
    runs.forEach((r, i) => {
      const acc = r.probeAccuracy[k];
      // A trailing space on unmarked cells keeps the digits of marked and unmarked rows aligned.
      if (acc !== undefined) row[labels[i]] = `${(acc * 100).toFixed(2)}${k === r.cutoffLayer ? '*' : ' '}`;
    });
    rows.push(row);
  }
  const align = Object.fromEntries(labels.map((l) => [l, 'right' as const]));
  return formatTable(rows, { columns: ['layer', ...labels], title: 'Probe accuracy (%) by prediction layer (* = cutoff layer)', align });
}
