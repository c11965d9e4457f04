import { makeBatch, type ArrayDataset, type Tensor } from '@acn/core';
import {
  collectExitScores,
  earlyExitForward,
  entropyGrid,
  entropyPolicy,
  evaluatePolicy,
  exitCost,
  exitLatency,
  pickThreshold,
  sharedExits,
  simulateExits,
  staticExitPolicy,
  sweepThresholds,
  type ExitHeads,
  type ExitLatencyOptions,
  type SweepPoint,
} from '@acn/early-exit';
import { modelCost, type LatencyStats } from '@acn/core';
import type { ExampleOptions } from './cli';
import type { ExampleData } from './data';
import type { TrainedModel, Training } from './train-models';

/** Median latency (ms per batch) at batch 1 and 128. */
export interface Latency {
  readonly batch1: number;
  readonly batch128: number;
}

/** One row of `results/early-exit.json`. */
export interface ConfigResult {
  readonly connectivity: 'acn' | 'residual';
  readonly exits: 'none' | 'shared' | 'branches';
  readonly policy: 'none' | 'entropy';
  readonly threshold: number;
  readonly accuracy: number;
  readonly avgLayers: number;
  readonly flopsSpeedup: number;
  readonly wallSpeedup: Latency;
  /** Extra fields. */
  readonly training: Training;
  readonly thresholdSource: 'none' | 'fixed' | 'calibrated';
  /** Calibrated rows: whether some threshold met the target drop on the validation split. */
  readonly targetMet?: boolean;
  readonly valAccuracy: number;
  /** Test accuracy of the same model without early exit. */
  readonly modelAccuracy: number;
  /** Average exit layer over the 128 timed test images (the wall-clock figures are for these). */
  readonly timedAvgLayers: number;
  readonly flopsPerSample: number;
  readonly latencyMs: Latency;
  /** Exit points (executed blocks) and how many test samples stopped at each. */
  readonly exitPoints?: readonly number[];
  readonly exitHistogram?: readonly number[];
}

/** The test-set accuracy / cost curve of one exit configuration. */
export interface CurveResult {
  readonly connectivity: 'acn' | 'residual';
  readonly exits: 'shared' | 'branches';
  readonly training: Training;
  readonly label: string;
  readonly points: readonly { threshold: number; accuracy: number; avgLayers: number; flopsSpeedup: number }[];
}

/** What the baseline (the full residual Mixer) costs. */
export interface Baseline {
  readonly flops: number;
  readonly latencyMs: Latency;
}

/** Shared inputs of every evaluation. */
export interface EvalContext {
  readonly data: ExampleData;
  readonly o: ExampleOptions;
  readonly baseline: Baseline;
  /** The full residual Mixer, re-timed next to every configuration. */
  readonly baselineModel: TrainedModel['model'];
  /** The first ≥128 test images, for timing. */
  readonly timingInputs: Tensor;
}

/** The first 128 test images as one tensor (batch 128; batch 1 times the first `batch1Samples` of them one by one). */
export function timingInputs(test: ArrayDataset): Tensor {
  const n = Math.min(test.count, 128);
  const { x, y } = makeBatch(test, Array.from({ length: n }, (_, i) => i));
  y.dispose();
  return x;
}

function latencyOf(stats: Record<number, LatencyStats>): Latency {
  return { batch1: stats[1].medianMs, batch128: stats[128].medianMs };
}

/** Median latency at batch 1 (one sample at a time, averaged over `batch1Samples`) and batch 128. */
export async function measure(model: TrainedModel['model'], ctx: Pick<EvalContext, 'o' | 'timingInputs'>, exitsAndPolicy: Pick<ExitLatencyOptions, 'exits' | 'policy'> = {}): Promise<Latency> {
  const stats = await exitLatency(model, ctx.timingInputs, {
    ...exitsAndPolicy,
    batchSizes: [1, 128],
    repeats: ctx.o.latencyRepeats,
    warmup: 3,
    batchesPerRun: (b) => (b === 1 ? ctx.o.batch1Samples : 1),
  });
  return latencyOf(stats);
}

/**
 * Times a configuration and, right before it, the baseline (the full residual model), and returns
 * the configuration's latency and its speed-up over that adjacent baseline measurement: load from
 * other processes drifts over minutes, so pairing keeps the ratio honest.
 */
export async function pairedSpeedup(model: TrainedModel['model'], ctx: EvalContext, exitsAndPolicy: Pick<ExitLatencyOptions, 'exits' | 'policy'> = {}): Promise<{ latencyMs: Latency; speedup: Latency }> {
  const base = await measure(ctx.baselineModel, ctx);
  const latencyMs = await measure(model, ctx, exitsAndPolicy);
  return { latencyMs, speedup: { batch1: base.batch1 / latencyMs.batch1, batch128: base.batch128 / latencyMs.batch128 } };
}

/** The model without early exit ("none" row); the baseline model itself gets speed-up 1 by definition. */
export async function plainRow(t: TrainedModel, ctx: EvalContext): Promise<ConfigResult> {
  const exits = sharedExits(t.model);
  const never = staticExitPolicy(t.model.depth);
  const cost = exitCost(exits);
  const test = evaluatePolicy(collectExitScores(t.model, ctx.data.test, exits), never, cost, { baselineFlops: ctx.baseline.flops });
  const val = evaluatePolicy(collectExitScores(t.model, ctx.data.val, exits), never, cost);
  const timed = t.model === ctx.baselineModel ? { latencyMs: ctx.baseline.latencyMs, speedup: { batch1: 1, batch128: 1 } } : await pairedSpeedup(t.model, ctx);
  return {
    connectivity: t.connectivity as 'acn' | 'residual',
    exits: 'none',
    policy: 'none',
    threshold: 0,
    accuracy: test.accuracy,
    avgLayers: test.avgLayers,
    flopsSpeedup: ctx.baseline.flops / modelCost(t.model).total.flops,
    wallSpeedup: timed.speedup,
    training: t.training,
    thresholdSource: 'none',
    valAccuracy: val.accuracy,
    modelAccuracy: test.accuracy,
    timedAvgLayers: t.model.depth,
    flopsPerSample: modelCost(t.model).total.flops,
    latencyMs: timed.latencyMs,
  };
}

/** Label of a configuration in tables and charts. */
export function configLabel(connectivity: string, exits: string, training: Training): string {
  const how = training === 'plain' ? 'plain training' : training === 'aligned' ? 'Aligned exit loss' : 'trained jointly';
  return `${connectivity === 'acn' ? 'AC' : 'Res'} · ${exits} (${how})`;
}

/**
 * One exit configuration: calibrates τ on the validation split (the fastest τ whose accuracy is
 * within `maxDrop` of the same model without early exit), evaluates τ = 0.7 and the calibrated τ on
 * the test set, times both, and checks the batched forward against the offline replay.
 */
export async function exitRows(t: TrainedModel, kind: 'shared' | 'branches', ctx: EvalContext): Promise<{ rows: ConfigResult[]; curve: CurveResult; calibration: SweepPoint[] }> {
  const { o, data, baseline } = ctx;
  const exits: ExitHeads = kind === 'shared' ? sharedExits(t.model) : t.branches!;
  const cost = exitCost(exits);
  const valScores = collectExitScores(t.model, data.val, exits);
  const testScores = collectExitScores(t.model, data.test, exits);
  const grid = entropyGrid(data.test.numClasses);
  const family = (tau: number) => entropyPolicy({ tau });
  const reference = evaluatePolicy(valScores, staticExitPolicy(t.model.depth), cost).accuracy;
  const modelAccuracy = evaluatePolicy(testScores, staticExitPolicy(t.model.depth), cost).accuracy;
  const calibration = sweepThresholds(valScores, cost, { policy: family, thresholds: grid, baselineFlops: baseline.flops });
  const picked = pickThreshold(calibration, { referenceAccuracy: reference, maxDrop: o.maxDrop });
  const testCurve = sweepThresholds(testScores, cost, { policy: family, thresholds: grid, baselineFlops: baseline.flops });

  const rows: ConfigResult[] = [];
  for (const [source, tau] of [['fixed', o.tau], ['calibrated', picked.point.threshold]] as const) {
    const policy = family(tau);
    const test = evaluatePolicy(testScores, policy, cost, { baselineFlops: baseline.flops });
    const val = evaluatePolicy(valScores, policy, cost, { baselineFlops: baseline.flops });
    const timedAvgLayers = checkBatchedMatchesReplay(t, exits, policy, testScores, ctx.timingInputs);
    const timed = await pairedSpeedup(t.model, ctx, { exits, policy });
    rows.push({
      connectivity: t.connectivity as 'acn' | 'residual',
      exits: kind,
      policy: 'entropy',
      threshold: tau,
      accuracy: test.accuracy,
      avgLayers: test.avgLayers,
      flopsSpeedup: test.flopsSpeedup,
      wallSpeedup: timed.speedup,
      training: t.training,
      thresholdSource: source,
      ...(source === 'calibrated' ? { targetMet: picked.met } : {}),
      valAccuracy: val.accuracy,
      modelAccuracy,
      timedAvgLayers,
      flopsPerSample: test.flopsPerSample,
      latencyMs: timed.latencyMs,
      exitPoints: [...exits.layers],
      exitHistogram: test.exitHistogram,
    });
  }
  const curve: CurveResult = {
    connectivity: t.connectivity as 'acn' | 'residual',
    exits: kind,
    training: t.training,
    label: configLabel(t.connectivity, kind, t.training),
    points: testCurve.map((p) => ({ threshold: p.threshold, accuracy: p.accuracy, avgLayers: p.avgLayers, flopsSpeedup: p.flopsSpeedup })),
  };
  return { rows, curve, calibration };
}

/**
 * The batched per-sample exit must make exactly the decisions the offline replay makes (it is the
 * same policy code); returns the average exit layer of the batch.
 */
function checkBatchedMatchesReplay(t: TrainedModel, exits: ExitHeads, policy: ReturnType<typeof entropyPolicy>, testScores: ReturnType<typeof collectExitScores>, x: Tensor): number {
  const n = x.shape[0];
  const r = earlyExitForward(t.model, x, { exits, policy });
  const head = { ...testScores, probs: testScores.probs.map((p) => p.subarray(0, n * testScores.numClasses)), count: n };
  const sim = simulateExits(head, policy);
  let differ = 0;
  for (let i = 0; i < n; i++) if (sim.exitLayers[i] !== r.exitLayers[i] || sim.predictions[i] !== r.predictions[i]) differ++;
  if (differ > 0) console.warn(`warning: ${configLabel(t.connectivity, exits.kind, t.training)} ${policy.label}: batched exit differs from the replay on ${differ}/${n} samples (float rounding at the threshold)`);
  return r.exitLayers.reduce((a, b) => a + b, 0) / n;
}
