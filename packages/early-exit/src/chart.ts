/**
 * A Vega-Lite specification of accuracy vs FLOPs speed-up curves (one line per configuration,
 * highlighted operating points). Plain JSON: render it with vega + vega-lite (as the example
 * does), vega-embed or the online editor. No runtime dependency.
 */

/**
 * One threshold-sweep curve.
 *
 * @example
 * ```ts
 * const c: ExitCurve = { label: 'acn + shared', points: curve.map((p) => ({ threshold: p.threshold, accuracy: p.accuracy, flopsSpeedup: p.flopsSpeedup, avgLayers: p.avgLayers })) };
 * ```
 */
export interface ExitCurve {
  readonly label: string;
  readonly points: readonly { readonly threshold: number; readonly accuracy: number; readonly flopsSpeedup: number; readonly avgLayers: number }[];
}

/**
 * A highlighted operating point (e.g. τ = 0.7, or the calibrated threshold).
 *
 * @example
 * ```ts
 * const m: ExitMark = { curve: 'acn + shared', kind: 'τ = 0.7', threshold: 0.7, accuracy: 0.84, flopsSpeedup: 2.9, avgLayers: 2.5 };
 * ```
 */
export interface ExitMark {
  /** Label of the curve it belongs to (same colour). */
  readonly curve: string;
  /** Shape legend, e.g. `τ = 0.7`, `calibrated`, `no exit`. */
  readonly kind: string;
  readonly threshold: number;
  readonly accuracy: number;
  readonly flopsSpeedup: number;
  readonly avgLayers: number;
}

/**
 * Options of {@link exitCurveSpec}.
 *
 * @example
 * ```ts
 * const opts: ExitCurveOptions = { title: 'Early exit', width: 480 };
 * ```
 */
export interface ExitCurveOptions {
  readonly title?: string;
  readonly subtitle?: string;
  /** Plot width in pixels. Default 560. */
  readonly width?: number;
  /** Plot height in pixels. Default 340. */
  readonly height?: number;
  /**
   * Lowest accuracy shown (a fraction); lower parts of the curves are clipped so the interesting
   * region stays readable. Default: 10 points below the least accurate mark (all points without marks).
   */
  readonly minAccuracy?: number;
}

/**
 * Vega-Lite spec: x = FLOPs speed-up (×, log scale), y = accuracy (%), one line per curve, marks
 * drawn on top with a shape per kind; tooltips show threshold and average exit layer. Parts of the
 * curves below `minAccuracy` are clipped.
 *
 * @example
 * ```ts
 * const spec = exitCurveSpec(curves, marks, { title: 'Early exit on Fashion-MNIST' });
 * const svg = await new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' }).toSVG();
 * ```
 */
export function exitCurveSpec(curves: readonly ExitCurve[], marks: readonly ExitMark[] = [], options: ExitCurveOptions = {}): Record<string, unknown> {
  const lines = curves.flatMap((c) => c.points.map((p) => ({ curve: c.label, threshold: p.threshold, accuracy: 100 * p.accuracy, speedup: p.flopsSpeedup, avgLayers: p.avgLayers })));
  const points = marks.map((m) => ({ curve: m.curve, kind: m.kind, threshold: m.threshold, accuracy: 100 * m.accuracy, speedup: m.flopsSpeedup, avgLayers: m.avgLayers }));
  const all = [...lines, ...points];
  const accs = all.map((p) => p.accuracy);
  const floor =
    options.minAccuracy !== undefined ? 100 * options.minAccuracy : points.length > 0 ? Math.min(...points.map((p) => p.accuracy)) - 10 : accs.length > 0 ? Math.min(...accs) : 0;
  const lo = Math.max(0, Math.floor(Math.max(floor, accs.length > 0 ? Math.min(...accs) : 0)));
  const hi = accs.length > 0 ? Math.min(100, Math.ceil(Math.max(...accs) + 1)) : 100;
  const shown = all.filter((p) => p.accuracy >= lo);
  const speeds = (shown.length > 0 ? shown : all).map((p) => p.speedup);
  const xMin = speeds.length > 0 ? Math.min(0.9, Math.min(...speeds) * 0.95) : 0.9;
  const xMax = speeds.length > 0 ? Math.max(...speeds) * 1.1 : 2;
  const tooltip = [
    { field: 'curve', type: 'nominal', title: 'configuration' },
    { field: 'threshold', type: 'quantitative', format: '.3f' },
    { field: 'accuracy', type: 'quantitative', format: '.2f', title: 'accuracy (%)' },
    { field: 'speedup', type: 'quantitative', format: '.2f', title: 'FLOPs speed-up' },
    { field: 'avgLayers', type: 'quantitative', format: '.2f', title: 'avg layers' },
  ];
  const x = { field: 'speedup', type: 'quantitative', title: 'FLOPs speed-up vs the full residual model (×, log scale)', scale: { type: 'log', domain: [xMin, xMax], nice: false } };
  const y = { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [lo, hi] } };
  const color = { field: 'curve', type: 'nominal', title: 'configuration' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title ?? 'Accuracy vs FLOPs speed-up', ...(options.subtitle ? { subtitle: options.subtitle } : {}), anchor: 'start' },
    width: options.width ?? 560,
    height: options.height ?? 340,
    config: { background: 'white', font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 } },
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.5, clip: true },
        encoding: { x, y, color, order: { field: 'threshold', type: 'quantitative' }, tooltip },
      },
      {
        data: { values: points },
        mark: { type: 'point', size: 140, filled: true, stroke: 'black', strokeWidth: 0.8, clip: true },
        encoding: { x, y, color, shape: { field: 'kind', type: 'nominal', title: 'operating point' }, tooltip: [...tooltip, { field: 'kind', type: 'nominal', title: 'point' }] },
      },
    ],
  };
}
