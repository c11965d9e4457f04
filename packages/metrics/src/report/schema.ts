/**
 * The auto-compression results JSON: what an experiment writes (one run per connectivity / depth)
 * and what `formatTable`, `probeTable` and `renderHtmlReport` read. Unknown fields are kept
 * (loose objects), so writers can add context without breaking readers.
 */
import { CONNECTIVITIES, type Connectivity } from '@acn/core';
import { z } from 'zod';

const accuracy = z.number().min(0).max(1);
const count = z.number().int().min(0);
const nonNegative = z.number().min(0);

/** Latency of one forward, in milliseconds. */
const latencySchema = z.looseObject({ batch1: nonNegative, batch128: nonNegative });

/**
 * zod schema of the truncated model of a run (the first `layers` blocks, acn.md §4.2).
 *
 * @example
 * ```ts
 * truncatedResultSchema.parse({ layers: 2, testAccuracy: 0.9, params: 1e5, flops: 2e7, bytes: 4e5, latencyMs: { batch1: 1, batch128: 20 } });
 * ```
 */
export const truncatedResultSchema = z.looseObject({
  layers: z.number().int().min(1),
  testAccuracy: accuracy,
  params: count,
  flops: nonNegative,
  bytes: count,
  latencyMs: latencySchema,
});

/**
 * zod schema of the full model's cost and latency (optional; `params`/`flops` of the run are the
 * full model's, this adds bytes and latency for the before/after table).
 *
 * @example
 * ```ts
 * fullCostSchema.parse({ bytes: 4e5, latencyMs: { batch1: 2, batch128: 40 } });
 * ```
 */
export const fullCostSchema = z.looseObject({
  params: count.optional(),
  flops: nonNegative.optional(),
  bytes: count.optional(),
  latencyMs: latencySchema.optional(),
});

const matrix = z.array(z.array(z.number()));

/**
 * zod schema of one training run.
 *
 * Checked beyond types: accuracies in [0, 1]; `probeAccuracy` has `depth + 1` entries (probe 0 =
 * embedding only); `gradNorms` rows (one per epoch) have `depth` entries; `cutoffLayer` is an
 * integer in [0, depth]; `truncated.layers` ≤ depth; and, when present, `probeHistory` rows have
 * `depth + 1` accuracies, `contribution` has `depth` rows (layer × epoch), `dgfg` rows have
 * `depth` entries (epoch × layer) with cosines in [-1, 1].
 *
 * @example
 * ```ts
 * runResultSchema.parse(json.runs[0]);
 * ```
 */
export const runResultSchema = z
  .looseObject({
    connectivity: z.enum(CONNECTIVITIES as unknown as [Connectivity, ...Connectivity[]]), // core's list (densenet, denseformer included)
    depth: z.number().int().min(1),
    epochs: count,
    testAccuracy: accuracy,
    probeAccuracy: z.array(accuracy),
    cutoffLayer: count,
    params: count,
    flops: nonNegative,
    gradNorms: z.array(z.array(nonNegative)),
    truncated: truncatedResultSchema.optional(),
    // Optional extras (see module header): typed when present, never required.
    label: z.string().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    probeHistory: z.array(z.array(accuracy)).optional(),
    contribution: matrix.optional(),
    // null = undefined for that epoch (zero gradient norm, or no sampled step): JSON has no NaN.
    dgfg: z.looseObject({ cosine: z.array(z.array(z.number().nullable())), normRatio: z.array(z.array(nonNegative.nullable())) }).optional(),
    full: fullCostSchema.optional(),
    notes: z.union([z.string(), z.array(z.string())]).optional(),
    durationSeconds: nonNegative.optional(),
  })
  .superRefine(
    (parsed, ctx) => {
      // Runs even when the run has other issues (`when` below), so one error lists every bad path;
      // hence the defensive reads: fields may be missing or of the wrong type here.
      if (parsed === null || typeof parsed !== 'object') return; // reported by the object schema
      const run = parsed as unknown as Record<string, unknown>;
      const L = run.depth;
      if (typeof L !== 'number' || !Number.isInteger(L) || L < 1) return; // reported by the field schema
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      const rows = (v: unknown): unknown[][] => (Array.isArray(v) ? v.filter((r): r is unknown[] => Array.isArray(r)) : []);
      const checkRows = (key: string, v: unknown, width: number, what: string) =>
        (Array.isArray(v) ? v : []).forEach((row, e) => {
          if (Array.isArray(row) && row.length !== width) ctx.addIssue({ code: 'custom', path: [key, e], message: `must have ${what} = ${width} entries, got ${row.length}` });
        });
      if (Array.isArray(run.probeAccuracy) && run.probeAccuracy.length !== L + 1) {
        issue(['probeAccuracy'], `must have depth + 1 = ${L + 1} entries, got ${run.probeAccuracy.length}`);
      }
      checkRows('gradNorms', run.gradNorms, L, 'depth');
      if (typeof run.cutoffLayer === 'number' && run.cutoffLayer > L) issue(['cutoffLayer'], `must be in [0, depth = ${L}], got ${run.cutoffLayer}`);
      const truncated = run.truncated as { layers?: unknown } | undefined;
      if (typeof truncated?.layers === 'number' && truncated.layers > L) issue(['truncated', 'layers'], `must be in [1, depth = ${L}], got ${truncated.layers}`);
      checkRows('probeHistory', run.probeHistory, L + 1, 'depth + 1');
      if (Array.isArray(run.contribution) && run.contribution.length !== L) {
        issue(['contribution'], `must have depth = ${L} rows (layer × epoch), got ${run.contribution.length}`);
      }
      const dgfg = run.dgfg as Record<string, unknown> | undefined;
      if (dgfg && typeof dgfg === 'object') {
        for (const key of ['cosine', 'normRatio'] as const) {
          (Array.isArray(dgfg[key]) ? (dgfg[key] as unknown[]) : []).forEach((row, e) => {
            if (Array.isArray(row) && row.length !== L) issue(['dgfg', key, e], `must have depth = ${L} entries, got ${row.length}`);
          });
        }
        rows(dgfg.cosine).forEach((row, e) =>
          row.forEach((v, i) => {
            if (typeof v === 'number' && (v < -1 - 1e-6 || v > 1 + 1e-6)) issue(['dgfg', 'cosine', e, i], `cosine must be in [-1, 1], got ${v}`);
          }),
        );
      }
    },
    { when: () => true },
  );

/**
 * zod schema of the whole results file.
 *
 * @example
 * ```ts
 * const results = autoCompressionResultsSchema.parse(JSON.parse(readFileSync('results.json', 'utf8')));
 * ```
 */
export const autoCompressionResultsSchema = z.looseObject({
  dataset: z.string(),
  trainSize: count,
  testSize: count,
  seed: z.number().int(),
  runs: z.array(runResultSchema),
  config: z.record(z.string(), z.unknown()).optional(),
  notes: z.union([z.string(), z.array(z.string())]).optional(),
  durationSeconds: nonNegative.optional(),
});

/**
 * The auto-compression results file (validated with {@link validateResults}).
 *
 * @example
 * ```ts
 * const results: AutoCompressionResults = { dataset: 'fashion-mnist', trainSize: 60000, testSize: 10000, seed: 0, runs: [] };
 * ```
 */
export type AutoCompressionResults = z.infer<typeof autoCompressionResultsSchema>;

/**
 * One run of {@link AutoCompressionResults}.
 *
 * @example
 * ```ts
 * const best: RunResult = results.runs.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
 * ```
 */
export type RunResult = z.infer<typeof runResultSchema>;

/**
 * The truncated-model part of a {@link RunResult}.
 *
 * @example
 * ```ts
 * const t: TruncatedResult | undefined = results.runs[0].truncated;
 * ```
 */
export type TruncatedResult = z.infer<typeof truncatedResultSchema>;

/** `runs[0].probeAccuracy[3]` from a zod path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

/**
 * Validates a parsed results JSON and returns it typed; throws an `Error` whose message lists every
 * bad path (`runs[1].probeAccuracy: must have depth + 1 = 5 entries, got 4`).
 *
 * @example
 * ```ts
 * const results = validateResults(JSON.parse(readFileSync('results.json', 'utf8')));
 * ```
 */
export function validateResults(json: unknown): AutoCompressionResults {
  const r = autoCompressionResultsSchema.safeParse(json);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
  throw new Error(`invalid auto-compression results (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
}
