/**
 * The one JSON format every paper experiment writes (`results/<experiment>.json`), validated with
 * zod before it is written and when `docs/results.md` is generated from it. Generic on purpose:
 * rows of per-seed metrics (mean ± std) plus charts, so the HTML page and the results table need
 * no per-experiment code.
 */
import { z } from 'zod';

/** What a metric's numbers are: accuracies are fractions in [0, 1], layers count blocks (0 = embedding only). */
export const METRIC_UNITS = ['fraction', 'layer', 'epoch', 'loss', 'points', 'ratio', 'count'] as const;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** One metric of one arm under one condition, over seeds. */
export const metricRowSchema = z.object({
  /** The model / method compared, e.g. `acn`, `residual`, `residual+aligned`, `acn/si`. */
  arm: z.string().min(1),
  /** The setting, e.g. `gaussian σ=0.1`, `2 classes`, `depth 8`; `''` when there is only one. */
  condition: z.string(),
  /** e.g. `test accuracy`, `cutoff layer`, `average forgetting`. */
  metric: z.string().min(1),
  unit: z.enum(METRIC_UNITS),
  /** One value per seed, in the order of `seeds`. */
  values: z.array(finite).min(1),
  mean: finite,
  std: finite.refine((v) => v >= 0, 'must be >= 0'),
});

const lineChartSchema = z.object({
  kind: z.literal('line'),
  id: z.string().min(1),
  title: z.string(),
  xLabel: z.string(),
  yLabel: z.string(),
  /** Seed-mean curves. */
  series: z.array(z.object({ name: z.string(), x: z.array(finite), y: z.array(finite) }).refine((s) => s.x.length === s.y.length, 'x and y must have the same length')).min(1),
});

const heatmapSchema = z.object({
  kind: z.literal('heatmap'),
  id: z.string().min(1),
  title: z.string(),
  xLabel: z.string(),
  yLabel: z.string(),
  colorLabel: z.string(),
  /** `matrix[row][col]`, rows = y (layer 1..L), cols = x (epoch 1..E); null = undefined metric. */
  matrix: z.array(z.array(finite.nullable())).min(1),
});

export const chartSchema = z.discriminatedUnion('kind', [lineChartSchema, heatmapSchema]);

/** Schema of `results/<experiment>.json`. */
export const paperResultSchema = z.object({
  schemaVersion: z.literal(1),
  experiment: z.string().min(1),
  title: z.string().min(1),
  /** `true` for `--quick` smoke runs: never to be read as results. */
  quick: z.boolean(),
  createdAt: z.string(),
  durationSeconds: finite,
  backend: z.string(),
  dataset: z.string(),
  /** Training-set size of the main model (per task / per stage where the notes say so). */
  trainSize: z.number().int().min(1),
  /** Test-set size every accuracy is measured on. */
  testSize: z.number().int().min(1),
  seeds: z.array(z.number().int().min(0)).min(1),
  /** The full resolved configuration (flags and defaults). */
  config: z.record(z.string(), z.unknown()),
  rows: z.array(metricRowSchema).min(1),
  charts: z.array(chartSchema),
  /** Protocol choices, e.g. where the noise is added. */
  notes: z.array(z.string()),
});

export type MetricRow = z.infer<typeof metricRowSchema>;
export type Chart = z.infer<typeof chartSchema>;
export type PaperResult = z.infer<typeof paperResultSchema>;

/**
 * Parses and checks a result object, throwing an error that names every bad field.
 *
 * @example
 * ```ts
 * const r = validatePaperResult(JSON.parse(readFileSync('results/baselines.json', 'utf8')));
 * ```
 */
export function validatePaperResult(value: unknown): PaperResult {
  const r = paperResultSchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid paper result JSON: ${issues}`);
  }
  for (const row of r.data.rows) {
    if (row.values.length !== r.data.seeds.length) {
      throw new Error(`invalid paper result JSON: row '${row.arm} / ${row.condition} / ${row.metric}' has ${row.values.length} values for ${r.data.seeds.length} seeds`);
    }
  }
  return r.data;
}
