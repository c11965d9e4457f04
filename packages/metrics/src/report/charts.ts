/**
 * Vega-Lite specifications of the auto-compression charts (acn.md §4): probe accuracy per
 * prediction layer, gradient-norm, incremental-contribution and DG/FG heatmaps. Plain JSON
 * objects, so users can render them anywhere (vega-embed, the Vega editor) or restyle them.
 */
import type { AutoCompressionResults, RunResult } from './schema';
import { runLabels } from './table';

/**
 * A Vega-Lite v6 top-level specification as plain JSON. Typed structurally so that this package's
 * type declarations do not import `vega-lite` (an optional, ESM-only peer); cast to vega-lite's
 * `TopLevelSpec` if you use its types.
 *
 * @example
 * ```ts
 * import type { TopLevelSpec } from 'vega-lite';
 * const spec = chartSpecs(results)[0].spec as unknown as TopLevelSpec;
 * ```
 */
export interface VegaLiteSpec {
  readonly $schema: string;
  readonly [key: string]: unknown;
}

/**
 * Which chart a {@link ChartSpec} draws.
 *
 * @example
 * ```ts
 * const heatmaps = chartSpecs(results).filter((c) => c.kind !== ('probe' satisfies ChartKind));
 * ```
 */
export type ChartKind = 'probe' | 'grad-norms' | 'contribution' | 'dgfg';

/**
 * One chart of the report.
 *
 * @example
 * ```ts
 * const probe: ChartSpec | undefined = chartSpecs(results).find((c) => c.id === 'probe');
 * ```
 */
export interface ChartSpec {
  /** Stable id, e.g. `grad-norms-1` (run index 1). */
  readonly id: string;
  readonly kind: ChartKind;
  /** Index into `results.runs` for per-run charts. */
  readonly run?: number;
  /** The chart title (also inside the spec). */
  readonly title: string;
  readonly spec: VegaLiteSpec;
}

/**
 * Options of {@link chartSpecs}.
 *
 * @example
 * ```ts
 * const opts: ChartOptions = { gradNormScale: 'raw', width: 480 };
 * ```
 */
export interface ChartOptions {
  /**
   * Colour of the gradient-norm heatmap: `per-epoch` divides every epoch by its largest layer
   * norm (acn.md §4.4: store raw, normalise per epoch only for display), `raw` shows the stored
   * norms. Default `per-epoch`.
   */
  readonly gradNormScale?: 'per-epoch' | 'raw';
  /** Plot width in pixels (axes and legend come on top). Default 560. */
  readonly width?: number;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Shared look: white background, no frame around the plot, readable label sizes. */
const CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 14, anchor: 'start' as const, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

/** At most ~20 tick labels on an epoch axis: 1, then every k-th epoch. */
function epochTicks(epochs: number): number[] {
  const step = Math.max(1, Math.ceil(epochs / 20));
  const out: number[] = [];
  for (let e = 1; e <= epochs; e += step) out.push(e);
  return out;
}

interface Cell {
  epoch: number;
  layer: number;
  value: number;
}

/** A layer × epoch heatmap: x = epoch (1-based), y = layer 1..L with layer 1 at the bottom. */
function heatmap(cells: Cell[], o: { title: string; subtitle: string; colorTitle: string; epochs: number; depth: number; width: number; scale: Record<string, unknown> }): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: { text: o.title, subtitle: o.subtitle },
    width: o.width,
    height: Math.max(120, Math.min(16 * o.depth, 400)),
    config: CONFIG,
    data: { values: cells },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'epoch', type: 'ordinal', title: 'epoch', axis: { values: epochTicks(o.epochs), labelAngle: 0 } },
      y: { field: 'layer', type: 'ordinal', title: 'layer', sort: 'descending' },
      color: { field: 'value', type: 'quantitative', title: o.colorTitle, scale: o.scale, legend: { orient: 'right' } },
    },
  };
}

function probeSpec(results: AutoCompressionResults, labels: string[], width: number): VegaLiteSpec {
  const lines: { run: string; layer: number; accuracy: number }[] = [];
  const cutoffs: { run: string; layer: number; accuracy: number; marker: string }[] = [];
  results.runs.forEach((r, i) => {
    r.probeAccuracy.forEach((a, k) => lines.push({ run: labels[i], layer: k, accuracy: a * 100 }));
    const a = r.probeAccuracy[r.cutoffLayer];
    if (a !== undefined) cutoffs.push({ run: labels[i], layer: r.cutoffLayer, accuracy: a * 100, marker: 'cutoff layer' });
  });
  const x = { field: 'layer', type: 'quantitative', title: 'prediction layer k (0 = embedding only)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'accuracy', type: 'quantitative', title: 'probe accuracy (%)', scale: { zero: false } };
  const color = { field: 'run', type: 'nominal', title: 'run', sort: labels };
  return {
    $schema: SCHEMA,
    title: { text: 'Probe accuracy vs prediction layer', subtitle: `${results.dataset}: shared head on each prefix; ◆ = cutoff layer` },
    width,
    height: 300,
    config: CONFIG,
    layer: [
      { data: { values: lines }, mark: { type: 'line', point: true }, encoding: { x, y, color } },
      {
        // The cutoff of each run, drawn as a large diamond in the run's colour, with its own legend.
        data: { values: cutoffs },
        mark: { type: 'point', filled: true, size: 220, opacity: 1, stroke: 'black', strokeWidth: 1 },
        encoding: { x, y, color, shape: { field: 'marker', type: 'nominal', title: 'marker', scale: { range: ['diamond'] } } },
      },
    ],
  };
}

function gradNormCells(run: RunResult, scale: 'per-epoch' | 'raw'): Cell[] {
  const cells: Cell[] = [];
  run.gradNorms.forEach((row, e) => {
    const max = Math.max(...row);
    row.forEach((v, i) => cells.push({ epoch: e + 1, layer: i + 1, value: scale === 'raw' ? v : max > 0 ? v / max : 0 }));
  });
  return cells;
}

/**
 * The report's charts as Vega-Lite specs, in report order: probe accuracy of all runs (one line
 * per run, cutoffs marked), then the gradient-norm heatmap of every run, the incremental-
 * contribution heatmap of every run that has `contribution`, and the DG/FG cosine heatmap of
 * every run that has `dgfg`. Heatmaps: x = epoch, y = layer 1..L (layer 1 at the bottom). Every chart has a title, axis titles and a legend.
 *
 * @example
 * ```ts
 * for (const c of chartSpecs(results)) writeFileSync(`${c.id}.vl.json`, JSON.stringify(c.spec));
 * ```
 */
export function chartSpecs(results: AutoCompressionResults, options: ChartOptions = {}): ChartSpec[] {
  const width = options.width ?? 560;
  const gradScale = options.gradNormScale ?? 'per-epoch';
  const labels = runLabels(results.runs);
  const probe: ChartSpec = { id: 'probe', kind: 'probe', title: 'Probe accuracy vs prediction layer', spec: probeSpec(results, labels, width) };
  // Grouped by kind, so the heatmaps of the runs being compared (acn vs residual) sit together.
  const byKind: Record<Exclude<ChartKind, 'probe'>, ChartSpec[]> = { 'grad-norms': [], contribution: [], dgfg: [] };

  results.runs.forEach((run, i) => {
    const L = run.depth;
    if (run.gradNorms.length > 0) {
      const title = `Gradient L2 norm per layer: ${labels[i]}`;
      byKind['grad-norms'].push({
        id: `grad-norms-${i}`,
        kind: 'grad-norms',
        run: i,
        title,
        spec: heatmap(gradNormCells(run, gradScale), {
          title,
          subtitle: gradScale === 'raw' ? 'epoch mean of the representative weight gradient' : 'epoch mean, divided by the largest layer norm of the epoch',
          colorTitle: gradScale === 'raw' ? 'grad norm' : 'norm / epoch max',
          epochs: run.gradNorms.length,
          depth: L,
          width,
          scale: { scheme: 'viridis' },
        }),
      });
    }
    const contribution = run.contribution;
    if (contribution && contribution.some((row) => row.length > 0)) {
      const title = `Incremental layer contribution: ${labels[i]}`;
      const cells: Cell[] = [];
      // contribution[i][e] = acc(prefix i+1) − acc(prefix i) at epoch e: the gain of adding layer i+1.
      contribution.forEach((row, li) => row.forEach((v, e) => cells.push({ epoch: e + 1, layer: li + 1, value: v * 100 })));
      byKind.contribution.push({
        id: `contribution-${i}`,
        kind: 'contribution',
        run: i,
        title,
        spec: heatmap(cells, {
          title,
          subtitle: 'accuracy gain from adding layer k (probe k − probe k−1)',
          colorTitle: 'Δ accuracy (pp)',
          epochs: Math.max(...contribution.map((r) => r.length)),
          depth: L,
          width,
          scale: { scheme: 'redblue', domainMid: 0 },
        }),
      });
    }
    if (run.dgfg && run.dgfg.cosine.length > 0) {
      const title = `Direct vs full gradient (cosine): ${labels[i]}`;
      const cells: Cell[] = [];
      // null cells (undefined for that epoch) are left out: the heatmap shows them as gaps.
      run.dgfg.cosine.forEach((row, e) => row.forEach((v, li) => v !== null && cells.push({ epoch: e + 1, layer: li + 1, value: v })));
      byKind.dgfg.push({
        id: `dgfg-${i}`,
        kind: 'dgfg',
        run: i,
        title,
        spec: heatmap(cells, {
          title,
          subtitle: 'cos(g_DG, g_FG) of each block, epoch mean (acn.md §4.5)',
          colorTitle: 'cos(DG, FG)',
          epochs: run.dgfg.cosine.length,
          depth: L,
          width,
          scale: { scheme: 'viridis' },
        }),
      });
    }
  });
  return [probe, ...byKind['grad-norms'], ...byKind.contribution, ...byKind.dgfg];
}
