/**
 * `results/early-exit.html`: results table, accuracy vs FLOPs speed-up charts (Vega-Lite specs
 * from `@acn/early-exit`'s `exitCurveSpec`, rendered to inline SVG by Vega as `@acn/metrics`
 * does), the comparison with the paper's Table 7 and notes. Self-contained: nothing to fetch.
 */
import { exitCurveSpec, type ExitCurve, type ExitMark } from '@acn/early-exit';
import { escapeHtml, formatSi } from '@acn/metrics';
import { configLabel } from './evaluate-configs';
import type { EarlyExitResults } from './results';

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; background: white; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0 20px; }
figure svg { max-width: 100%; height: auto; }
ul.notes { color: #444; }
`;

function table(head: readonly string[], rows: readonly (readonly (string | { num: string })[])[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => (typeof c === 'string' ? `<td>${escapeHtml(c)}</td>` : `<td class="num">${escapeHtml(c.num)}</td>`)).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead>\n<tbody>\n${tr}\n</tbody></table>`;
}

/** Prefixes SVG ids (clip paths, gradients) so several inlined charts do not collide. */
function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}

async function renderSvg(spec: Record<string, unknown>, id: string): Promise<string> {
  // Both packages are ESM-only with top-level await: load them on use.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return scopeSvgIds(await view.toSVG(), id);
  } finally {
    view.finalize();
  }
}

/** The charts' data: test-set curves and the reported operating points of one exit kind (+ the plain models). */
export function chartData(results: EarlyExitResults, exits: 'shared' | 'branches'): { curves: ExitCurve[]; marks: ExitMark[] } {
  const curves = results.curves.filter((c) => c.exits === exits).map((c) => ({ label: c.label, points: c.points }));
  const marks: ExitMark[] = results.results
    .filter((r) => r.exits === exits || r.exits === 'none')
    .map((r) => ({
      curve: r.exits === 'none' ? `${r.connectivity === 'acn' ? 'AC' : 'Res'} · no exit` : configLabel(r.connectivity, r.exits, r.training),
      kind: r.thresholdSource === 'none' ? 'no exit' : r.thresholdSource === 'fixed' ? `τ = ${r.threshold}` : 'calibrated τ',
      threshold: r.threshold,
      accuracy: r.accuracy,
      flopsSpeedup: r.flopsSpeedup,
      avgLayers: r.avgLayers,
    }));
  return { curves, marks };
}

/** Renders the whole report. */
export async function renderReport(results: EarlyExitResults, title: string): Promise<string> {
  const charts: string[] = [];
  for (const exits of ['shared', 'branches'] as const) {
    const { curves, marks } = chartData(results, exits);
    if (curves.length === 0) continue;
    const spec = exitCurveSpec(curves, marks, {
      title: exits === 'shared' ? 'Shared-head exits: accuracy vs FLOPs speed-up (test set, entropy τ swept)' : 'Branch exits: accuracy vs FLOPs speed-up (test set, entropy τ swept)',
      subtitle: 'speed-up relative to the full residual Mixer; large points: τ = 0.7, the calibrated τ, the models without exits',
    });
    charts.push(`<figure id="chart-${exits}">${await renderSvg(spec, `chart-${exits}`)}</figure>`);
  }
  const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
  const rows = results.results.map((r) => [
    r.connectivity === 'acn' ? 'AC' : 'Res',
    r.exits,
    r.training,
    r.thresholdSource === 'none' ? '—' : `${r.thresholdSource} ${r.threshold.toFixed(3)}`,
    { num: pct(r.accuracy) },
    { num: pct(r.modelAccuracy) },
    { num: pct(r.valAccuracy) },
    { num: r.avgLayers.toFixed(2) },
    { num: formatSi(r.flopsPerSample) },
    { num: `${r.flopsSpeedup.toFixed(2)}×` },
    { num: `${r.wallSpeedup.batch1.toFixed(2)}×` },
    { num: `${r.wallSpeedup.batch128.toFixed(2)}×` },
  ]);
  const a = results.anchor.flopsSpeedup;
  const ours = (c: string, exits: string, training: string) => results.results.find((r) => r.connectivity === c && r.exits === exits && r.training === training && r.thresholdSource === 'fixed');
  const cell = (r: ReturnType<typeof ours>) => ({ num: r ? `${r.flopsSpeedup.toFixed(2)}× (${pct(r.accuracy)})` : '—' });
  const anchorRows = [
    ['Res-Mixer, shared EE head', { num: `${a.residualShared}×` }, cell(ours('residual', 'shared', 'aligned'))],
    ['AC-Mixer, shared EE head', { num: `${a.acnShared}×` }, cell(ours('acn', 'shared', 'aligned'))],
    ['Res-Mixer, branches', { num: `${a.residualBranches}×` }, cell(ours('residual', 'branches', 'branches'))],
    ['AC-Mixer, branches', { num: `${a.acnBranches}×` }, cell(ours('acn', 'branches', 'branches'))],
  ];
  const meta = [
    `dataset: ${results.dataset}`,
    `train ${results.trainSize} / val ${results.valSize} / test ${results.testSize}`,
    `seed ${results.seed}`,
    `backend ${results.backend}`,
    `${(results.durationSeconds / 60).toFixed(1)} min`,
  ].join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
<h2>Configurations (test set)</h2>
${table(['', 'exits', 'training', 'threshold', 'accuracy', 'same model, no exit', 'val accuracy', 'avg layers', 'FLOPs / sample', 'FLOPs speed-up', 'wall, batch 1', 'wall, batch 128'], rows)}
<p class="meta">Baseline for every speed-up: ${escapeHtml(results.baseline.description)} (${escapeHtml(formatSi(results.baseline.flops))} FLOPs / sample, ${results.baseline.latencyMs.batch1.toFixed(2)} ms at batch 1, ${results.baseline.latencyMs.batch128.toFixed(1)} ms at batch 128).</p>
<h2>Accuracy vs FLOPs</h2>
${charts.join('\n')}
<h2>Against the paper (Table 7, FLOPs speed-up at τ = 0.7)</h2>
${table(['model', 'paper (CIFAR-10, 16 layers)', 'ours (speed-up, accuracy)'], anchorRows)}
<p class="meta">${escapeHtml(results.anchor.source)}</p>
<h2>Notes</h2>
<ul class="notes">${results.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
</main>
</body>
</html>
`;
}
