/**
 * A self-contained HTML page for one experiment's results: the mean ± std table, the notes and the
 * charts (Vega-Lite rendered to inline SVG in Node, nothing fetched by the page).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Chart, MetricRow, PaperResult } from './schema';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * `0.8123` (fraction) → `81.23`; layers / epochs / counts keep one decimal; losses four.
 *
 * @example
 * ```ts
 * formatValue(0.8123, 'fraction'); // '81.23'
 * ```
 */
export function formatValue(v: number, unit: MetricRow['unit']): string {
  if (unit === 'fraction') return (100 * v).toFixed(2);
  if (unit === 'loss') return v.toFixed(4);
  if (unit === 'points') return v.toFixed(2);
  if (unit === 'ratio') return v.toFixed(3);
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** `81.23 ± 0.40` (fractions shown in percent). */
export function formatMeanStd(r: Pick<MetricRow, 'mean' | 'std' | 'unit'>): string {
  return `${formatValue(r.mean, r.unit)} ± ${formatValue(r.std, r.unit)}`;
}

const CONFIG = { background: 'white', font: 'Helvetica, Arial, sans-serif', title: { fontSize: 14, anchor: 'start' } };

function spec(c: Chart): TopLevelSpec {
  if (c.kind === 'line') {
    const values = c.series.flatMap((s) => s.x.map((x, i) => ({ series: s.name, x, y: s.y[i] })));
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: c.title,
      width: 560,
      height: 260,
      config: CONFIG,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: c.xLabel },
        y: { field: 'y', type: 'quantitative', title: c.yLabel, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: '' },
      },
    } as TopLevelSpec;
  }
  const values = c.matrix.flatMap((row, r) => row.map((v, col) => ({ y: r + 1, x: col + 1, v })).filter((d) => d.v !== null));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: c.title,
    width: 560,
    height: Math.max(120, Math.min(16 * c.matrix.length, 320)),
    config: CONFIG,
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'x', type: 'ordinal', title: c.xLabel },
      y: { field: 'y', type: 'ordinal', title: c.yLabel, sort: 'descending' },
      color: { field: 'v', type: 'quantitative', title: c.colorLabel, scale: { scheme: 'viridis' } },
    },
  } as TopLevelSpec;
}

/** Renders every chart to an SVG string with ids scoped by chart id (several SVGs share one page). */
async function renderCharts(charts: readonly Chart[]): Promise<string[]> {
  if (charts.length === 0) return [];
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const out: string[] = [];
  for (const c of charts) {
    const view = new vega.View(vega.parse(vl.compile(spec(c)).spec), { renderer: 'none', logLevel: vega.Error });
    try {
      const svg = await view.toSVG();
      out.push(svg.replace(/\bid="([^"]+)"/g, `id="${c.id}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${c.id}-$1)`));
    } finally {
      view.finalize();
    }
  }
  return out;
}

/**
 * The page for one result file.
 *
 * @example
 * ```ts
 * writeFileAtomic('results/noise.html', await renderResultHtml(result));
 * ```
 */
export async function renderResultHtml(r: PaperResult): Promise<string> {
  const svgs = await renderCharts(r.charts);
  const rows = r.rows
    .map((x) => `<tr><td>${esc(x.arm)}</td><td>${esc(x.condition)}</td><td>${esc(x.metric)}${x.unit === 'fraction' ? ' (%)' : ''}</td><td class="n">${esc(formatMeanStd(x))}</td><td class="n">${esc(x.values.map((v) => formatValue(v, x.unit)).join(', '))}</td></tr>`)
    .join('\n');
  const banner = r.quick ? '<p class="warn">QUICK SMOKE RUN: tiny models, few epochs, little data. These numbers are not results.</p>' : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:980px;margin:24px auto;color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}.warn{background:#fee;border:1px solid #c00;padding:8px}.meta{color:#555}</style>
</head><body>
<h1>${esc(r.title)}</h1>
${banner}
<p class="meta">${esc(`${r.dataset} · train ${r.trainSize} · test ${r.testSize} · seeds ${r.seeds.join(', ')} · ${(r.durationSeconds / 60).toFixed(1)} min on ${r.backend} · ${r.createdAt}`)}</p>
<h2>Mean ± std over ${r.seeds.length} seeds</h2>
<table><thead><tr><th>arm</th><th>condition</th><th>metric</th><th>mean ± std</th><th>per seed</th></tr></thead><tbody>
${rows}
</tbody></table>
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${r.charts.map((c, i) => `<h2>${esc(c.title)}</h2><figure>${svgs[i]}</figure>`).join('\n')}
<h2>Configuration</h2><pre>${esc(JSON.stringify(r.config, null, 2))}</pre>
</body></html>
`;
}
