/**
 * A self-contained HTML report of an auto-compression experiment: summary and before/after cost
 * tables plus inline-SVG charts rendered by Vega (no scripts, stylesheets or fonts to fetch).
 */
import { chartSpecs, type ChartKind, type ChartOptions } from './charts';
import { ReportError } from './errors';
import { escapeHtml, formatBytes, formatSi } from './format';
import { validateResults, type AutoCompressionResults, type RunResult } from './schema';
import { runLabels } from './table';

/**
 * Options of {@link renderHtmlReport}.
 *
 * @example
 * ```ts
 * const opts: HtmlReportOptions = { title: 'AC-Mixer vs Res-Mixer', gradNormScale: 'per-epoch' };
 * ```
 */
export interface HtmlReportOptions extends ChartOptions {
  /** Page title and heading (escaped). */
  readonly title: string;
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 960px; margin: 0 auto; padding: 24px; background: white; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 4px 10px; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0 20px; }
figure svg { max-width: 100%; height: auto; }
ul.notes { color: #444; }
`;

const SECTIONS: Record<ChartKind, string> = {
  probe: 'Probe accuracy per prediction layer',
  'grad-norms': 'Gradient norms',
  contribution: 'Incremental layer contribution',
  dgfg: 'Direct gradient vs full gradient',
};

const pct = (a: number | undefined) => (a === undefined ? '—' : `${(a * 100).toFixed(2)}%`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || a === 0 ? '—' : `${(b / a).toFixed(3)}×`);

/** A right-aligned cell: a number, or text formatted from one (`1.23 M`, `91.20%`). */
class Num {
  constructor(readonly text: string) {}
}

type CellValue = string | number | Num;

function td(c: CellValue): string {
  if (c instanceof Num) return `<td class="num">${escapeHtml(c.text)}</td>`;
  return typeof c === 'number' ? `<td class="num">${escapeHtml(String(c))}</td>` : `<td>${escapeHtml(c)}</td>`;
}

/** An HTML table; with `rowHeaders` the first cell of each row is a `<th>`. */
function table(caption: string, head: readonly string[], rows: readonly (readonly CellValue[])[], rowHeaders = false): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows
    .map((r) => `<tr>${r.map((c, j) => (rowHeaders && j === 0 ? `<th>${escapeHtml(String(c instanceof Num ? c.text : c))}</th>` : td(c))).join('')}</tr>`)
    .join('\n');
  return `<table><caption>${escapeHtml(caption)}</caption>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${tr}\n</tbody></table>`;
}

function costTable(run: RunResult, label: string): string {
  const t = run.truncated!;
  const full = run.full;
  const rows: CellValue[][] = [
    ['blocks', new Num(String(run.depth)), new Num(String(t.layers)), new Num(ratio(run.depth, t.layers))],
    ['test accuracy', new Num(pct(run.testAccuracy)), new Num(pct(t.testAccuracy)), new Num(`${((t.testAccuracy - run.testAccuracy) * 100).toFixed(2)} pp`)],
    ['params', new Num(formatSi(run.params)), new Num(formatSi(t.params)), new Num(ratio(run.params, t.params))],
    ['FLOPs / sample', new Num(formatSi(run.flops)), new Num(formatSi(t.flops)), new Num(ratio(run.flops, t.flops))],
    ['weights', new Num(full?.bytes === undefined ? '—' : formatBytes(full.bytes)), new Num(formatBytes(t.bytes)), new Num(ratio(full?.bytes, t.bytes))],
    ['latency, batch 1 (ms)', new Num(full?.latencyMs ? full.latencyMs.batch1.toFixed(2) : '—'), new Num(t.latencyMs.batch1.toFixed(2)), new Num(ratio(full?.latencyMs?.batch1, t.latencyMs.batch1))],
    ['latency, batch 128 (ms)', new Num(full?.latencyMs ? full.latencyMs.batch128.toFixed(2) : '—'), new Num(t.latencyMs.batch128.toFixed(2)), new Num(ratio(full?.latencyMs?.batch128, t.latencyMs.batch128))],
  ];
  return table(`Truncation: ${label}`, ['', 'full', `truncated to ${t.layers}`, 'truncated / full'], rows, true);
}

/**
 * Vega's SVG numbers clip paths and gradients (`clip1`, `gradient_0`, …) per view, so several
 * charts inlined in one page would reference each other's definitions. Prefix every id (and its
 * `url(#…)` / `href="#…"` references) with the chart id.
 */
function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}

/**
 * Loads vega and vega-lite, the optional peers of the HTML report (only users who want HTML
 * install them; vega-lite 6 also wants Node >= 22 in its engines). Both are ESM with top-level
 * await: a dynamic import is the only way that also works from the CommonJS build.
 */
async function loadVega(): Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite') }> {
  try {
    const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
    return { vega, vl };
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new ReportError('MISSING_PEER', `renderHtmlReport needs the optional peer dependencies vega and vega-lite: npm i vega@^6.4.0 vega-lite@^6.5.0 (${why})`);
  }
}

/**
 * Renders results as one self-contained HTML page: dataset header, a summary table, the probe
 * chart (all runs, cutoffs marked), a before/after cost table for every truncated run, and per run
 * the gradient-norm, contribution and DG/FG heatmaps (when present). Charts are Vega-Lite specs
 * (see {@link chartSpecs}) rendered to inline SVG in Node by Vega's headless renderer; every piece
 * of text from `results` and `options.title` is escaped. Validates `results` first (throws like
 * `validateResults`). Vega is loaded on first use, so importing this package stays light; it is an
 * optional peer (`npm i vega vega-lite`), and a {@link ReportError} `MISSING_PEER` says so when absent.
 *
 * @example
 * ```ts
 * const html = await renderHtmlReport(validateResults(json), { title: 'AC-Mixer vs Res-Mixer, Fashion-MNIST' });
 * writeFileSync('report.html', html);
 * ```
 */
export async function renderHtmlReport(results: AutoCompressionResults, options: HtmlReportOptions): Promise<string> {
  const data = validateResults(results);
  const { vega, vl } = await loadVega();
  const specs = chartSpecs(data, options);
  const svgs: string[] = [];
  for (const c of specs) {
    // ChartSpec.spec is typed structurally (see VegaLiteSpec); it is a vega-lite TopLevelSpec.
    const compiled = vl.compile(c.spec as unknown as Parameters<typeof vl.compile>[0], { logger: silentLogger() }).spec;
    // renderer 'none': no DOM or canvas needed; text widths fall back to estimates without `canvas`.
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
    try {
      svgs.push(scopeSvgIds(await view.toSVG(), c.id));
    } finally {
      view.finalize();
    }
  }

  const labels = runLabels(data.runs);
  const summary = table(
    'Runs',
    ['run', 'connectivity', 'depth', 'epochs', 'test accuracy', 'cutoff layer', '% network used', 'params', 'FLOPs / sample'],
    data.runs.map((r, i) => [labels[i], r.connectivity, r.depth, r.epochs, new Num(pct(r.testAccuracy)), r.cutoffLayer, new Num(`${((100 * r.cutoffLayer) / r.depth).toFixed(0)}%`), new Num(formatSi(r.params)), new Num(formatSi(r.flops))]),
  );
  const truncations = data.runs.flatMap((r, i) => (r.truncated ? [costTable(r, labels[i])] : []));

  const parts: string[] = [];
  let section: ChartKind | undefined;
  specs.forEach((c, i) => {
    if (c.kind !== section) {
      section = c.kind;
      parts.push(`<h2>${escapeHtml(SECTIONS[c.kind])}</h2>`);
    }
    parts.push(`<figure id="chart-${escapeHtml(c.id)}" aria-label="${escapeHtml(c.title)}">${svgs[i]}</figure>`);
    if (c.kind === 'probe' && truncations.length > 0) parts.push(`<h2>Truncation: before / after</h2>`, ...truncations);
  });

  const notes = [data.notes, ...data.runs.map((r, i) => (r.notes === undefined ? undefined : [r.notes].flat().map((n) => `${labels[i]}: ${n}`)))]
    .flat()
    .filter((n): n is string => typeof n === 'string');
  const meta = [
    `dataset: ${data.dataset}`,
    `train ${data.trainSize}`,
    `test ${data.testSize}`,
    `seed ${data.seed}`,
    ...(data.durationSeconds === undefined ? [] : [`${(data.durationSeconds / 60).toFixed(1)} min`]),
  ].join(' · ');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(options.title)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
<h2>Summary</h2>
${summary}
${parts.join('\n')}
${notes.length > 0 ? `<h2>Notes</h2>\n<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</main>
</body>
</html>
`;
}

/** Vega-Lite's compile warnings (e.g. about scale choices) would go to the console; reports stay quiet, errors still show. */
function silentLogger() {
  const logger = {
    level: (_?: number) => (_ === undefined ? 0 : logger),
    error: (...args: unknown[]) => {
      console.error(...args);
      return logger;
    },
    warn: () => logger,
    info: () => logger,
    debug: () => logger,
  };
  return logger as never;
}
