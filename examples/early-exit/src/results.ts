import { formatTable } from '@acn/metrics';
import { z } from 'zod';
import type { ExampleOptions } from './cli';
import type { ExampleData } from './data';
import type { Baseline, ConfigResult, CurveResult } from './evaluate-configs';
import type { TrainedModel } from './train-models';

const latency = z.object({ batch1: z.number().positive(), batch128: z.number().positive() }).strict();
const fraction = z.number().min(0).max(1);

/** One configuration (the issue's fields first, then extras). */
export const configResultSchema = z
  .object({
    connectivity: z.enum(['acn', 'residual']),
    exits: z.enum(['none', 'shared', 'branches']),
    policy: z.string(),
    threshold: z.number().min(0),
    accuracy: fraction,
    avgLayers: z.number().min(0),
    flopsSpeedup: z.number().positive(),
    wallSpeedup: latency,
    training: z.enum(['plain', 'aligned', 'branches']),
    thresholdSource: z.enum(['none', 'fixed', 'calibrated']),
    targetMet: z.boolean().optional(),
    valAccuracy: fraction,
    modelAccuracy: fraction,
    timedAvgLayers: z.number().min(0),
    flopsPerSample: z.number().positive(),
    latencyMs: latency,
    exitPoints: z.array(z.number().int().min(0)).optional(),
    exitHistogram: z.array(z.number().int().min(0)).optional(),
  })
  .strict();

/** Schema of `results/early-exit.json`. */
export const earlyExitResultsSchema = z.object({
  dataset: z.string(),
  results: z.array(configResultSchema).min(1),
  trainSize: z.number().int().positive(),
  valSize: z.number().int().positive(),
  testSize: z.number().int().positive(),
  seed: z.number().int(),
  backend: z.string(),
  durationSeconds: z.number().nonnegative(),
  config: z.record(z.string(), z.unknown()),
  baseline: z.object({ description: z.string(), flops: z.number().positive(), latencyMs: latency }),
  anchor: z.object({ source: z.string(), flopsSpeedup: z.record(z.string(), z.number()) }),
  curves: z.array(
    z.object({
      connectivity: z.enum(['acn', 'residual']),
      exits: z.enum(['shared', 'branches']),
      training: z.enum(['plain', 'aligned', 'branches']),
      label: z.string(),
      points: z.array(z.object({ threshold: z.number(), accuracy: fraction, avgLayers: z.number(), flopsSpeedup: z.number().positive() })),
    }),
  ),
  training: z.array(z.object({ connectivity: z.string(), training: z.string(), seconds: z.number(), trainLoss: z.array(z.number()) })),
  notes: z.array(z.string()),
});

export type EarlyExitResults = z.infer<typeof earlyExitResultsSchema>;

/** The paper's FLOPs speed-ups (acn.md §5.10, Table 7: CIFAR-10 Mixer, 16 layers, τ = 0.7, relative to the full Res-Mixer). */
export const ANCHOR = {
  source: 'acn.md §5.10 / paper Table 7: CIFAR-10 Mixer, 16 layers, entropy τ = 0.7, FLOPs relative to the full Res-Mixer; accuracies not reported',
  flopsSpeedup: { residualShared: 2.4, acnShared: 3.3, residualBranches: 2.2, acnBranches: 2.6, acnCutoff12of16: 1.5 },
};

/** Validates results (throws with the zod issues). */
export function validateEarlyExitResults(json: unknown): EarlyExitResults {
  const r = earlyExitResultsSchema.safeParse(json);
  if (!r.success) throw new Error(`invalid early-exit results: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

const find = (rows: readonly ConfigResult[], c: string, exits: string, training: string, source: string) =>
  rows.find((r) => r.connectivity === c && r.exits === exits && r.training === training && r.thresholdSource === source);

/** Plain-language comparison with the paper's Table 7 (what the run shows, whatever it shows). */
export function anchorNotes(rows: readonly ConfigResult[], o: ExampleOptions): string[] {
  const x = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(2)}×`);
  const acc = (r: ConfigResult | undefined) => (r ? `${(100 * r.accuracy).toFixed(1)}%` : 'n/a');
  const notes: string[] = [];
  for (const [exits, training, paperRes, paperAc] of [
    ['shared', 'aligned', 2.4, 3.3],
    ['branches', 'branches', 2.2, 2.6],
  ] as const) {
    const res = find(rows, 'residual', exits, training, 'fixed');
    const ac = find(rows, 'acn', exits, training, 'fixed');
    notes.push(
      `${exits === 'shared' ? 'Shared-head exits (Aligned loss)' : 'Branch exits'} at τ = ${o.tau}: FLOPs speed-up Res ${x(res?.flopsSpeedup)} (acc ${acc(res)}) vs AC ${x(ac?.flopsSpeedup)} (acc ${acc(ac)}); paper: ${paperRes}× vs ${paperAc}×.`,
    );
  }
  const resPlain = find(rows, 'residual', 'shared', 'plain', 'fixed');
  const acPlain = find(rows, 'acn', 'shared', 'plain', 'fixed');
  if (resPlain && acPlain) {
    notes.push(
      `Shared-head exits on the plainly trained models (no exit loss) at τ = ${o.tau}: Res ${x(resPlain.flopsSpeedup)} (acc ${acc(resPlain)}) vs AC ${x(acPlain.flopsSpeedup)} (acc ${acc(acPlain)}).`,
    );
  }
  const cal = rows.filter((r) => r.thresholdSource === 'calibrated');
  const missed = cal.filter((r) => r.targetMet === false);
  notes.push(
    `Calibrated rows use the fastest τ whose validation accuracy is within ${(100 * o.maxDrop).toFixed(1)} points of the same model without early exit` +
      (missed.length > 0 ? `; ${missed.length} configuration(s) found no such τ and use the most accurate one.` : '.'),
  );
  notes.push(
    `FLOPs: @acn/core modelCost accounting (multiply-add = 2 FLOPs, dense biases counted, LayerNorm/GELU not counted); every exit head evaluated on the way is charged. Wall-clock: median of repeated runs on this machine, each configuration timed right after a fresh timing of the baseline (speed-up = that pair's ratio); batch 128 is the first 128 test images, batch 1 runs the first ${o.batch1Samples} of them one by one (timedAvgLayers: their average exit layer).`,
  );
  return notes;
}

/** Assembles `results/early-exit.json`. */
export function buildResults(
  o: ExampleOptions,
  data: ExampleData,
  rows: readonly ConfigResult[],
  curves: readonly CurveResult[],
  models: readonly TrainedModel[],
  baseline: Baseline,
  backend: string,
  seconds: number,
): EarlyExitResults {
  return {
    dataset: data.name,
    results: rows.map((r) => ({ ...r, exitPoints: r.exitPoints ? [...r.exitPoints] : undefined, exitHistogram: r.exitHistogram ? [...r.exitHistogram] : undefined })),
    trainSize: data.train.count,
    valSize: data.val.count,
    testSize: data.test.count,
    seed: o.seed,
    backend,
    durationSeconds: seconds,
    config: { ...o, model: 'mixer', labelSmoothing: 0.1, clipNorm: 1, weightDecay: 0.01 },
    baseline: { description: 'the plainly trained residual Mixer, full depth, no exits', flops: baseline.flops, latencyMs: baseline.latencyMs },
    anchor: ANCHOR,
    curves: curves.map((c) => ({ ...c, points: c.points.map((p) => ({ ...p })) })),
    training: models.map((m) => ({ connectivity: m.connectivity, training: m.training, seconds: m.seconds, trainLoss: m.history.map((h) => h.trainLoss) })),
    notes: anchorNotes(rows, o),
  };
}

/** The terminal table of every configuration. */
export function resultsTable(rows: readonly ConfigResult[]): string {
  return formatTable(
    rows.map((r) => ({
      connectivity: r.connectivity,
      exits: r.exits,
      training: r.training,
      threshold: r.thresholdSource === 'none' ? '—' : `${r.thresholdSource === 'fixed' ? 'τ=' : 'cal τ='}${r.threshold.toFixed(3)}`,
      accuracy: `${(100 * r.accuracy).toFixed(2)}%`,
      'no-exit acc': `${(100 * r.modelAccuracy).toFixed(2)}%`,
      avgLayers: r.avgLayers,
      flopsSpeedup: `${r.flopsSpeedup.toFixed(2)}×`,
      'wall b1': `${r.wallSpeedup.batch1.toFixed(2)}×`,
      'wall b128': `${r.wallSpeedup.batch128.toFixed(2)}×`,
    })),
    { title: 'Early exit on the test set (speed-ups relative to the full residual Mixer; wall = median latency)', digits: 2, align: { accuracy: 'right', 'no-exit acc': 'right', flopsSpeedup: 'right', 'wall b1': 'right', 'wall b128': 'right', threshold: 'left' } },
  );
}
