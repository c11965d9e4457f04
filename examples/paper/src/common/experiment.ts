/**
 * The experiment contract and the small helpers every experiment shares: a run counter with an ETA
 * (the progress display above the trainer's own bar) and a collector of per-seed metrics.
 */
import type { ProgressMode } from '@acn/core';
import type { PaperOptions } from './options';
import type { Chart, MetricRow, PaperResult } from './schema';
import { summarize } from './stats';

/** What an experiment's `run` returns; `main` adds the envelope (name, seeds, config, timing). */
export type ExperimentOutput = Pick<PaperResult, 'dataset' | 'trainSize' | 'testSize' | 'rows' | 'charts' | 'notes'>;

/** Passed to every experiment. */
export interface RunContext {
  /** The trainer's progress display (`none` in tests). */
  readonly progress: ProgressMode;
  /** Announces the next training run of `total` with an ETA from the runs so far. */
  readonly runs: RunCounter;
  readonly log: (line: string) => void;
}

/** One paper experiment: a command of `pnpm paper <name>`. */
export interface Experiment {
  readonly name: string;
  readonly title: string;
  /** Where the setup and the paper's numbers are: acn.md section(s). */
  readonly paperRef: string;
  /** Overrides of BASE for the default run. */
  readonly defaults: Partial<PaperOptions>;
  /** Extra `--quick` overrides on top of QUICK_BASE. */
  readonly quick: Partial<PaperOptions>;
  /** Expected minutes of the default configuration on an idle 2-core machine (wasm backend). */
  readonly expectedMinutes: number;
  run(o: PaperOptions, ctx: RunContext): Promise<ExperimentOutput>;
}

/** Counts training runs and prints `[name 3/18] label · 2m10s elapsed · ~5m left`. */
export class RunCounter {
  private done = 0;
  private total = 0;
  private readonly t0 = performance.now();

  constructor(private readonly name: string, private readonly log: (line: string) => void) {}

  /** Sets the number of runs this experiment will do. */
  expect(total: number): void {
    this.total = total;
  }

  /** Call before each run. */
  next(label: string): void {
    const elapsed = (performance.now() - this.t0) / 1000;
    const eta = this.done > 0 && this.total > this.done ? ` · ~${fmtDuration((elapsed / this.done) * (this.total - this.done))} left` : '';
    this.done += 1;
    this.log(`\n[${this.name} ${this.done}/${this.total || '?'}] ${label} · ${fmtDuration(elapsed)} elapsed${eta}`);
  }
}

/** `75` → `1m15s`. */
export function fmtDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * Collects one value per seed for every (arm, condition, metric) and turns them into mean ± std
 * rows, in first-seen order.
 *
 * @example
 * ```ts
 * const rows = new Rows();
 * rows.add('acn', '', 'test accuracy', 'fraction', 0.84);
 * rows.rows(); // [{ arm: 'acn', condition: '', metric: 'test accuracy', values: [0.84], mean: 0.84, std: 0 }]
 * ```
 */
export class Rows {
  private readonly byKey = new Map<string, { arm: string; condition: string; metric: string; unit: MetricRow['unit']; values: number[] }>();

  add(arm: string, condition: string, metric: string, unit: MetricRow['unit'], value: number): void {
    const key = JSON.stringify([arm, condition, metric]);
    let r = this.byKey.get(key);
    if (!r) {
      r = { arm, condition, metric, unit, values: [] };
      this.byKey.set(key, r);
    }
    r.values.push(value);
  }

  rows(): MetricRow[] {
    return [...this.byKey.values()].map((r) => ({ ...r, ...summarize(r.values) }));
  }
}

/** A line chart of seed-mean curves (x defaults to 1..n, e.g. epochs). */
export function lineChart(id: string, title: string, xLabel: string, yLabel: string, series: { name: string; y: number[]; x?: number[] }[]): Chart {
  return { kind: 'line', id, title, xLabel, yLabel, series: series.map((s) => ({ name: s.name, y: s.y, x: s.x ?? s.y.map((_, i) => i + 1) })) };
}
