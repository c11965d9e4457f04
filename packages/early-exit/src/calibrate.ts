/**
 * Calibration and evaluation: compute every exit's probabilities on a dataset once, then replay
 * any policy offline (the same `decide` calls as the batched forward, so the results match it),
 * sweep thresholds into an accuracy vs average-layers / FLOPs curve, and pick the threshold that
 * meets a target accuracy drop.
 */
import { makeBatch, tf, type ArrayDataset, type BlockModel } from '@acn/core';
import type { ExitCost } from './cost';
import { allExitLogits } from './exit-forward';
import type { ExitHeads } from './exits';
import { argMaxRow, type ExitPolicy } from './policy';

/**
 * Softmax probabilities of every exit on a dataset.
 *
 * @example
 * ```ts
 * const scores: ExitScores = collectExitScores(model, valSet, sharedExits(model));
 * scores.probs.length; // one N×C matrix per exit
 * ```
 */
export interface ExitScores {
  /** Exit layers (executed blocks), as in `exits.layers`. */
  readonly layers: readonly number[];
  /** One `count × numClasses` row-major matrix per exit. */
  readonly probs: readonly Float32Array[];
  readonly labels: Int32Array;
  readonly numClasses: number;
  readonly count: number;
}

/**
 * Runs the model over `data` in batches (inference, leak-free) and stores the softmax of every exit.
 *
 * @example
 * ```ts
 * const scores = collectExitScores(model, valSet, attachBranches(model), { batchSize: 256 });
 * ```
 */
export function collectExitScores(model: BlockModel, data: ArrayDataset, exits: ExitHeads, options: { readonly batchSize?: number } = {}): ExitScores {
  const bs = options.batchSize ?? 256;
  if (!Number.isInteger(bs) || bs < 1) throw new RangeError(`collectExitScores: batchSize must be an integer >= 1, got ${bs}`);
  const c = data.numClasses;
  const probs = exits.layers.map(() => new Float32Array(data.count * c));
  for (let start = 0; start < data.count; start += bs) {
    const idx = Array.from({ length: Math.min(bs, data.count - start) }, (_, i) => start + i);
    const { x, y } = makeBatch(data, idx);
    try {
      const logits = allExitLogits(model, x, exits);
      const stacked = tf.tidy(() => tf.stack(logits.map((l) => tf.softmax(l)))); // [E, b, C]
      tf.dispose(logits);
      const values = stacked.dataSync() as Float32Array;
      stacked.dispose();
      const per = idx.length * c;
      probs.forEach((p, j) => p.set(values.subarray(j * per, (j + 1) * per), start * c));
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return { layers: [...exits.layers], probs, labels: Int32Array.from(data.labels), numClasses: c, count: data.count };
}

/**
 * Per-sample outcome of a policy replayed on stored probabilities.
 *
 * @example
 * ```ts
 * const { predictions, exitLayers }: SimulatedExits = simulateExits(scores, entropyPolicy({ tau: 0.7 }));
 * ```
 */
export interface SimulatedExits {
  readonly predictions: Int32Array;
  readonly exitLayers: Int32Array;
  readonly exitIndices: Int32Array;
}

/**
 * Replays `policy` on stored exit probabilities, exactly as `earlyExitForward` walks the exits
 * (exits below `policy.minLayer` skipped, the last exit always stops). Pure: works on hand-made
 * probabilities (see `softmaxRows`).
 *
 * @example
 * ```ts
 * const probs = [softmaxRows([[0, 0], [5, 0]]), softmaxRows([[3, 0], [0, 3]])];
 * simulateExits({ layers: [0, 1], probs, numClasses: 2, count: 2 }, entropyPolicy({ tau: 0.1 }));
 * // sample 0 is unsure at exit 0 and stops at the final exit; sample 1 stops at exit 0
 * ```
 */
export function simulateExits(scores: Pick<ExitScores, 'layers' | 'probs' | 'numClasses' | 'count'>, policy: ExitPolicy): SimulatedExits {
  const { layers, probs, numClasses: c, count } = scores;
  if (probs.length !== layers.length) throw new RangeError(`simulateExits: ${probs.length} probability matrices for ${layers.length} exits`);
  probs.forEach((p, j) => {
    if (p.length !== count * c) throw new RangeError(`simulateExits: probs[${j}] has ${p.length} values, expected count ${count} × ${c} classes`);
  });
  const predictions = new Int32Array(count);
  const exitLayers = new Int32Array(count);
  const exitIndices = new Int32Array(count);
  const state = policy.createState(count);
  let ids = Int32Array.from({ length: count }, (_, i) => i);
  for (let j = 0; j < layers.length && ids.length > 0; j++) {
    const final = j === layers.length - 1;
    if (!final && layers[j] < policy.minLayer) continue;
    const rows = new Float32Array(ids.length * c);
    ids.forEach((id, r) => rows.set(probs[j].subarray(id * c, id * c + c), r * c));
    const stop = final ? new Uint8Array(ids.length).fill(1) : policy.decide({ probs: rows, numClasses: c, ids, layer: layers[j], exitIndex: j, numExits: layers.length }, state);
    const go: number[] = [];
    ids.forEach((id, r) => {
      if (stop[r]) {
        predictions[id] = argMaxRow(rows, r * c, c).index;
        exitLayers[id] = layers[j];
        exitIndices[id] = j;
      } else go.push(id);
    });
    ids = Int32Array.from(go);
  }
  return { predictions, exitLayers, exitIndices };
}

/**
 * Accuracy and cost of one policy on stored scores.
 *
 * @example
 * ```ts
 * const e: ExitEvaluation = evaluatePolicy(scores, policy, exitCost(exits), { baselineFlops });
 * console.log(e.accuracy, e.avgLayers, e.flopsSpeedup);
 * ```
 */
export interface ExitEvaluation {
  readonly accuracy: number;
  /** Mean number of executed blocks. */
  readonly avgLayers: number;
  /** Mean FLOPs per sample (exit heads included). */
  readonly flopsPerSample: number;
  /** `baselineFlops / flopsPerSample` (1 when no baseline is given: relative to this model's plain forward). */
  readonly flopsSpeedup: number;
  /** Samples that stopped at each exit. */
  readonly exitHistogram: number[];
}

/**
 * Options of {@link evaluatePolicy} and {@link sweepThresholds}.
 *
 * @example
 * ```ts
 * const opts: EvaluateExitOptions = { baselineFlops: modelCost(residual).total.flops };
 * ```
 */
export interface EvaluateExitOptions {
  /** FLOPs the speed-up is relative to; acn.md §3.5 uses the full residual model. Default: `cost.full` of this model. */
  readonly baselineFlops?: number;
}

/**
 * Scores a policy: accuracy, average exit layer, mean FLOPs per sample (from `cost`) and the
 * FLOPs speed-up.
 *
 * @example
 * ```ts
 * evaluatePolicy(scores, entropyPolicy({ tau: 0.7 }), exitCost(exits), { baselineFlops: modelCost(res).total.flops });
 * ```
 */
export function evaluatePolicy(scores: ExitScores, policy: ExitPolicy, cost: ExitCost, options: EvaluateExitOptions = {}): ExitEvaluation {
  if (cost.layers.length !== scores.layers.length || cost.layers.some((k, j) => k !== scores.layers[j])) {
    throw new RangeError(`evaluatePolicy: scores are for exits ${JSON.stringify(scores.layers)}, cost for ${JSON.stringify(cost.layers)}`);
  }
  const sim = simulateExits(scores, policy);
  const last = scores.layers.length - 1;
  // Exits below minLayer are skipped, so no sample stops there.
  const perExit = scores.layers.map((k, j) => (j === last || k >= policy.minLayer ? cost.flopsAt(j, policy.minLayer) : Number.NaN));
  const histogram = new Array<number>(scores.layers.length).fill(0);
  let correct = 0;
  let layersSum = 0;
  let flops = 0;
  for (let i = 0; i < scores.count; i++) {
    if (sim.predictions[i] === scores.labels[i]) correct++;
    layersSum += sim.exitLayers[i];
    flops += perExit[sim.exitIndices[i]];
    histogram[sim.exitIndices[i]]++;
  }
  const flopsPerSample = flops / scores.count;
  const baseline = options.baselineFlops ?? cost.full;
  return { accuracy: correct / scores.count, avgLayers: layersSum / scores.count, flopsPerSample, flopsSpeedup: baseline / flopsPerSample, exitHistogram: histogram };
}

/**
 * One point of a threshold sweep.
 *
 * @example
 * ```ts
 * const p: SweepPoint = sweepThresholds(scores, cost, { policy: (t) => entropyPolicy({ tau: t }), thresholds: [0.1, 0.7] })[1];
 * ```
 */
export interface SweepPoint extends ExitEvaluation {
  readonly threshold: number;
  readonly label: string;
}

/**
 * Options of {@link sweepThresholds}.
 *
 * @example
 * ```ts
 * const opts: SweepOptions = { policy: (t) => maxProbPolicy({ p: t }), thresholds: [0.5, 0.7, 0.9] };
 * ```
 */
export interface SweepOptions extends EvaluateExitOptions {
  /** Builds the policy for one threshold, e.g. `(t) => entropyPolicy({ tau: t })`. */
  readonly policy: (threshold: number) => ExitPolicy;
  readonly thresholds: readonly number[];
}

/**
 * Evaluates a policy family at every threshold: the accuracy vs average-layers / FLOPs curve.
 *
 * @example
 * ```ts
 * const curve = sweepThresholds(valScores, cost, { policy: (t) => entropyPolicy({ tau: t }), thresholds: entropyGrid(10) });
 * ```
 */
export function sweepThresholds(scores: ExitScores, cost: ExitCost, options: SweepOptions): SweepPoint[] {
  if (!Array.isArray(options.thresholds) || options.thresholds.length === 0) throw new RangeError('sweepThresholds: thresholds must be a non-empty array');
  return options.thresholds.map((t) => {
    const policy = options.policy(t);
    return { threshold: t, label: policy.label, ...evaluatePolicy(scores, policy, cost, options) };
  });
}

/**
 * Entropy thresholds from 0 to ln(numClasses) (where every sample exits at its first exit), evenly
 * spaced, plus 0.7 (acn.md), sorted.
 *
 * @example
 * ```ts
 * entropyGrid(10, 5); // [0, 0.576, 0.7, 1.151, 1.727, 2.303]
 * ```
 */
export function entropyGrid(numClasses: number, steps = 46): number[] {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new RangeError(`entropyGrid: numClasses must be an integer >= 2, got ${numClasses}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`entropyGrid: steps must be an integer >= 1, got ${steps}`);
  const max = Math.log(numClasses);
  const grid = Array.from({ length: steps + 1 }, (_, i) => (max * i) / steps);
  return [...new Set([...grid, 0.7])].sort((a, b) => a - b);
}

/**
 * Options of {@link pickThreshold}.
 *
 * @example
 * ```ts
 * const opts: PickOptions = { referenceAccuracy: 0.86, maxDrop: 0.01 };
 * ```
 */
export interface PickOptions {
  /** Accuracy to compare with (e.g. the same model without early exit on the same split). */
  readonly referenceAccuracy: number;
  /** Largest allowed accuracy drop as a fraction (0.01 = 1 point). */
  readonly maxDrop: number;
}

/**
 * Picks the sweep point with the largest FLOPs speed-up whose accuracy is at least
 * `referenceAccuracy − maxDrop` (ties: the more accurate one). When no point qualifies, returns the
 * most accurate point with `met: false`.
 *
 * @example
 * ```ts
 * const { point, met } = pickThreshold(curve, { referenceAccuracy: 0.85, maxDrop: 0.01 });
 * const tau = point.threshold;
 * ```
 */
export function pickThreshold(points: readonly SweepPoint[], options: PickOptions): { point: SweepPoint; met: boolean } {
  if (points.length === 0) throw new RangeError('pickThreshold: no sweep points');
  const { referenceAccuracy: ref, maxDrop } = options;
  if (!(ref >= 0 && ref <= 1)) throw new RangeError(`pickThreshold: referenceAccuracy must be in [0, 1], got ${ref}`);
  if (!(maxDrop >= 0 && maxDrop <= 1)) throw new RangeError(`pickThreshold: maxDrop must be a fraction in [0, 1], got ${maxDrop}`);
  const ok = points.filter((p) => p.accuracy >= ref - maxDrop - 1e-12);
  const better = (a: SweepPoint, b: SweepPoint) => a.flopsSpeedup > b.flopsSpeedup || (a.flopsSpeedup === b.flopsSpeedup && a.accuracy > b.accuracy);
  if (ok.length > 0) return { point: ok.reduce((best, p) => (better(p, best) ? p : best)), met: true };
  return { point: points.reduce((best, p) => (p.accuracy > best.accuracy ? p : best)), met: false };
}
