import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartSpecs } from './charts';
import { renderHtmlReport } from './html';
import { sampleResults } from './sample.test-helper';

/**
 * A tiny XML well-formedness check: balanced tags, quoted attributes, no stray `<` or bare `&` in
 * text. Returns the problems found (empty = well-formed).
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(xml))) {
    const [, close, name, , selfClose, text, stray] = m;
    if (stray) problems.push(`stray '<' at ${m.index}: ${xml.slice(m.index, m.index + 40)}`);
    else if (text !== undefined) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(text)) problems.push(`bare '&' in text: ${text.slice(0, 40)}`);
    } else if (name && close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (name && !selfClose) stack.push(name);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

describe('chartSpecs', () => {
  it('one probe chart, then grad-norm, contribution and DG/FG heatmaps where data exists', () => {
    const specs = chartSpecs(sampleResults(4, 6));
    expect(specs.map((s) => s.id)).toEqual(['probe', 'grad-norms-0', 'grad-norms-1', 'contribution-0', 'dgfg-0']);
    for (const s of specs) {
      const spec = s.spec as unknown as { title: { text: string }; width: number };
      expect(spec.title.text).toBe(s.title);
      expect(spec.width).toBe(560);
    }
    // Heatmap cells: 6 epochs × 4 layers, x = epoch, y = layer.
    const grad = specs[1].spec as unknown as { data: { values: { epoch: number; layer: number; value: number }[] }; encoding: Record<string, { field: string; title: string }> };
    expect(grad.data.values).toHaveLength(24);
    expect(grad.encoding.x).toMatchObject({ field: 'epoch', title: 'epoch' });
    expect(grad.encoding.y).toMatchObject({ field: 'layer', title: 'layer' });
    // per-epoch normalisation: every epoch's largest layer is 1.
    for (let e = 1; e <= 6; e++) expect(Math.max(...grad.data.values.filter((c) => c.epoch === e).map((c) => c.value))).toBeCloseTo(1, 12);
    const raw = chartSpecs(sampleResults(4, 6), { gradNormScale: 'raw' })[1].spec as unknown as typeof grad;
    expect(raw.data.values[0].value).toBe(sampleResults(4, 6).runs[0].gradNorms[0][0]);
  });

  it('probe chart has one line per run and a cutoff marker per run', () => {
    const probe = chartSpecs(sampleResults(4, 6))[0].spec as unknown as { layer: { data: { values: { run: string; layer: number; accuracy: number }[] } }[] };
    const [lines, cutoffs] = probe.layer;
    expect(new Set(lines.data.values.map((v) => v.run))).toEqual(new Set(['acn L=4', 'residual L=4']));
    expect(lines.data.values).toHaveLength(2 * 5);
    expect(cutoffs.data.values.map((v) => [v.run, v.layer, v.accuracy])).toEqual([
      ['acn L=4', 3, 90],
      ['residual L=4', 4, 88],
    ]);
  });
});

describe('renderHtmlReport', () => {
  it('renders a self-contained page with well-formed SVG charts and escaped text', async () => {
    const results = sampleResults(4, 6);
    const html = await renderHtmlReport(results, { title: 'AC vs Res <b>tiny</b>' });

    expect((html.match(/<svg/g) ?? []).length).toBe(5);
    // Titles, axis titles, legends.
    for (const text of [
      'Probe accuracy vs prediction layer',
      'Gradient L2 norm per layer: acn L=4',
      'Gradient L2 norm per layer: residual L=4',
      'Incremental layer contribution: acn L=4',
      'Direct vs full gradient (cosine): acn L=4',
      'prediction layer k (0 = embedding only)',
      'probe accuracy (%)',
      '>epoch<',
      '>layer<',
      '>run<',
      'cutoff layer',
      'norm / epoch max',
      'Δ accuracy (pp)',
      'cos(DG, FG)',
    ]) {
      expect(html, text).toContain(text);
    }
    // Before/after table of the truncated run: FLOPs 18.5 M / 24.0 M.
    expect(html).toContain('truncated to 3');
    expect(html).toMatch(/FLOPs \/ sample<\/th><td class="num">24\.0 M<\/td><td class="num">18\.5 M<\/td><td class="num">0\.771×/);

    // Self-contained: nothing to fetch.
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|@import|url\(\s*['"]?https?:/i);
    // Escaping: the title and the dataset name hold <b>, which never reaches the page as a tag.
    expect(html).not.toContain('<b>');
    expect(html).toContain('<title>AC vs Res &lt;b&gt;tiny&lt;/b&gt;</title>');
    expect(html).toContain('synthetic &lt;b&gt;bold&lt;/b&gt; &amp; co');

    // Every chart is well-formed XML, and chart ids do not collide across the inlined SVGs.
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    for (const svg of svgs) expect(xmlProblems(svg)).toEqual([]);
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref);
    expect(xmlProblems(svgs[0] + '<a>&</a>')).not.toEqual([]); // the checker itself catches problems

    // It survives a round trip through a file (what users do with it).
    const dir = mkdtempSync(join(tmpdir(), 'acn-report-'));
    try {
      writeFileSync(join(dir, 'report.html'), html);
      expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(html);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates its input first', async () => {
    const bad = sampleResults(4, 6);
    bad.runs[0].probeAccuracy.push(0.5);
    await expect(renderHtmlReport(bad, { title: 'x' })).rejects.toThrow(/runs\[0\]\.probeAccuracy/);
  });
});
