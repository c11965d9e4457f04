/**
 * Exit losses for `train(model, data, { probes: true, extraLoss })` (acn.md §3.5): the "Aligned"
 * weighted loss through the shared head, fixed-weight branch losses, and a LayerSkip-style
 * rotating early-exit curriculum. Each builder returns an `extraLoss` function; the trainer adds
 * it to its own cross-entropy of the final logits inside the gradient tape.
 */
import { crossEntropy, tf, type BlockModel, type Tensor, type TrainStepOptions } from '@acn/core';
import type { BranchExits } from './branches';

/**
 * What `train` / `trainStep` accept as `extraLoss`.
 *
 * @example
 * ```ts
 * const loss: ExitLoss = alignedExitLoss();
 * ```
 */
export type ExitLoss = NonNullable<TrainStepOptions['extraLoss']>;

/**
 * How a shared-head loss combines with the trainer's own loss `CE(final logits)`:
 * - `replace` (default, the papers' setting): the total loss is exactly `Σ_l w_l·CE(probe l)`
 *   (the extra term subtracts the trainer's final CE, so pass the same `labelSmoothing` as `train`);
 * - `add`: the total is `CE(final) + Σ_{l<L} w_l·CE(probe l)` (the weighted intermediate exits on
 *   top of the usual loss).
 *
 * @example
 * ```ts
 * const mode: SharedLossMode = 'add';
 * ```
 */
export type SharedLossMode = 'replace' | 'add';

/**
 * Options of the shared-head losses.
 *
 * @example
 * ```ts
 * const opts: SharedLossOptions = { labelSmoothing: 0.1, mode: 'replace' };
 * ```
 */
export interface SharedLossOptions {
  /** Must equal the trainer's `labelSmoothing` in `replace` mode. Default 0. */
  readonly labelSmoothing?: number;
  /** Default `replace`. */
  readonly mode?: SharedLossMode;
}

function checkSmoothing(who: string, ls: number): number {
  if (!(typeof ls === 'number' && ls >= 0 && ls < 1)) throw new RangeError(`${who}: labelSmoothing must be in [0, 1), got ${String(ls)}`);
  return ls;
}

function checkMode(who: string, mode: unknown): SharedLossMode {
  if (mode !== 'replace' && mode !== 'add') throw new RangeError(`${who}: mode must be 'replace' or 'add', got ${String(mode)}`);
  return mode;
}

function probesOf(who: string, out: { logits: Tensor; probes?: Tensor[] }): Tensor[] {
  if (!out.probes || out.probes.length < 2) throw new Error(`${who} needs the probes of every prefix: pass { probes: true } to train() / trainStep()`);
  return out.probes;
}

/**
 * The "Aligned" exit weights (Jiang et al. 2025; acn.md §3.5) `w_l = 2(l+1)/(L(L+1))`,
 * l = 0..L−1, applied to the outputs after 1..L blocks; they increase linearly and sum to 1.
 *
 * @example
 * ```ts
 * alignedWeights(4); // [0.1, 0.2, 0.3, 0.4]
 * ```
 */
export function alignedWeights(depth: number): number[] {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`alignedWeights: depth must be an integer >= 1, got ${depth}`);
  return Array.from({ length: depth }, (_, l) => (2 * (l + 1)) / (depth * (depth + 1)));
}

/**
 * `Σ_l w_l·CE(probes[l+1])` adjusted for `mode` (see {@link SharedLossMode}); weights for
 * probes 1..L. Zero weights cost nothing.
 */
function weightedProbeLoss(probes: Tensor[], labels: Tensor, weights: readonly number[], mode: SharedLossMode, ls: number): Tensor {
  const depth = probes.length - 1;
  return tf.tidy(() => {
    let total: Tensor = tf.scalar(0);
    for (let l = 0; l < depth; l++) {
      const final = l === depth - 1;
      const w = final ? (mode === 'replace' ? weights[l] - 1 : 0) : weights[l];
      if (w !== 0) total = total.add(crossEntropy(probes[l + 1], labels, ls).mul(w));
    }
    return total;
  });
}

/**
 * Shared-head exit loss with the Aligned weights `w_l = 2(l+1)/(L(L+1))` over the probes after
 * 1..L blocks (acn.md §3.5, "Shared EE head"). Use with `probes: true`.
 *
 * @example
 * ```ts
 * await train(model, data, { epochs: 10, labelSmoothing: 0.1, probes: true, extraLoss: alignedExitLoss({ labelSmoothing: 0.1 }) });
 * ```
 */
export function alignedExitLoss(options: SharedLossOptions = {}): ExitLoss {
  const who = 'alignedExitLoss';
  const ls = checkSmoothing(who, options.labelSmoothing ?? 0);
  const mode = checkMode(who, options.mode ?? 'replace');
  return (out, labels) => {
    const probes = probesOf(who, out);
    return weightedProbeLoss(probes, labels, alignedWeights(probes.length - 1), mode, ls);
  };
}

/**
 * Options of {@link layerSkipWeights} and {@link layerSkipExitLoss}.
 *
 * @example
 * ```ts
 * const opts: LayerSkipOptions = { eScale: 0.2, spacing: 7 };
 * ```
 */
export interface LayerSkipOptions {
  /** Early-exit loss scale e_scale (acn.md: 0.2). */
  readonly eScale?: number;
  /** Spacing K of the active exits in the rotating mask. Default L−1 (exits 0 and L−1 at step 0, as in the repository for L = 16). */
  readonly spacing?: number;
}

/**
 * The LayerSkip-style rotating curriculum of acn.md §3.5 at one optimizer step: scales
 * `e_l = e_scale·Σ_{i≤l} i` for l < L−1 and `e_{L−1} = (L−1) + e_{L−2}`; a binary mask with ones
 * at every K-th exit at step 0, shifted circularly by one exit per step, selects the active exits;
 * the active scales are normalized to sum to 1 (if they are all 0, the final exit gets weight 1).
 * Returns L weights for the outputs after 1..L blocks.
 *
 * @example
 * ```ts
 * layerSkipWeights(0, 4);  // mask [1,0,0,1] → [0, 0, 0, 1]
 * layerSkipWeights(1, 4);  // mask [1,1,0,0] → e_0 = 0, e_1 = 0.2 → [0, 1, 0, 0]
 * ```
 */
export function layerSkipWeights(step: number, depth: number, options: LayerSkipOptions = {}): number[] {
  const who = 'layerSkipWeights';
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`${who}: step must be an integer >= 0, got ${step}`);
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`${who}: depth must be an integer >= 1, got ${depth}`);
  const eScale = options.eScale ?? 0.2;
  if (!(Number.isFinite(eScale) && eScale > 0)) throw new RangeError(`${who}: eScale must be a finite number > 0, got ${eScale}`);
  const spacing = options.spacing ?? Math.max(1, depth - 1);
  if (!Number.isInteger(spacing) || spacing < 1) throw new RangeError(`${who}: spacing must be an integer >= 1, got ${spacing}`);
  if (depth === 1) return [1];
  const scales = Array.from({ length: depth }, (_, l) => (eScale * l * (l + 1)) / 2);
  scales[depth - 1] = depth - 1 + scales[depth - 2];
  const active = (l: number) => (((l - step) % depth) + depth) % depth % spacing === 0;
  const w = scales.map((s, l) => (active(l) ? s : 0));
  const sum = w.reduce((a, b) => a + b, 0);
  if (sum === 0) return w.map((_, l) => (l === depth - 1 ? 1 : 0));
  return w.map((v) => v / sum);
}

/**
 * LayerSkip-style early-exit loss through the shared head with the rotating curriculum of
 * {@link layerSkipWeights}. The step is read from `model.hooks.currentStep`, which `train` sets
 * before every step (a hand-written loop calls `model.hooks.step(n)`). Use with `probes: true`.
 * Layer dropout (LayerSkip's other half) is not applied, as in the repository (acn.md §3.5).
 *
 * @example
 * ```ts
 * await train(model, data, { epochs: 10, probes: true, extraLoss: layerSkipExitLoss(model, { eScale: 0.2 }) });
 * ```
 */
export function layerSkipExitLoss(model: BlockModel, options: LayerSkipOptions & SharedLossOptions = {}): ExitLoss {
  const who = 'layerSkipExitLoss';
  const ls = checkSmoothing(who, options.labelSmoothing ?? 0);
  const mode = checkMode(who, options.mode ?? 'replace');
  layerSkipWeights(0, model.depth, options); // validate now, not at the first step
  return (out, labels) => {
    const probes = probesOf(who, out);
    return weightedProbeLoss(probes, labels, layerSkipWeights(model.hooks.currentStep, probes.length - 1, options), mode, ls);
  };
}

/**
 * Fixed-weight branch losses `Σ_i w_i·CE(branch_i)` (acn.md §3.5: 0.8, 0.6, 0.4 for three branches),
 * added to the trainer's loss of the final output (weight 1). The branch logits come from the
 * step's training-mode forward (see `attachBranches`); they are freed here.
 *
 * @example
 * ```ts
 * const branches = attachBranches(model, { layers: [3, 5, 7] });
 * await train(model, data, { epochs: 10, extraLoss: branchExitLoss(branches, [0.8, 0.6, 0.4]) });
 * ```
 */
export function branchExitLoss(branches: BranchExits, weights: readonly number[] = [0.8, 0.6, 0.4], options: { readonly labelSmoothing?: number } = {}): ExitLoss {
  const who = 'branchExitLoss';
  const n = branches.branchLayers.length;
  if (!Array.isArray(weights) || weights.length !== n) {
    throw new RangeError(`${who}: got ${Array.isArray(weights) ? weights.length : String(weights)} weights for ${n} branches (at layers ${JSON.stringify(branches.branchLayers)})`);
  }
  weights.forEach((w, i) => {
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`${who}: weights[${i}] must be a finite number >= 0, got ${String(w)}`);
  });
  const ls = checkSmoothing(who, options.labelSmoothing ?? 0);
  return (_out, labels) => {
    const captured = branches.takeCaptured();
    try {
      const missing = captured.findIndex((t) => t === undefined);
      if (missing >= 0) {
        throw new Error(
          `${who}: branch ${missing} (layer ${branches.branchLayers[missing]}) has no logits from this step's forward; the loss must run right after a training-mode forward (train / trainStep) of the model the branches are attached to`,
        );
      }
      return tf.tidy(() => {
        let total: Tensor = tf.scalar(0);
        captured.forEach((logits, i) => {
          if (weights[i] !== 0) total = total.add(crossEntropy(logits!, labels, ls).mul(weights[i]));
        });
        return total;
      });
    } finally {
      for (const t of captured) t?.dispose();
    }
  };
}

/**
 * Sums several exit losses (e.g. Aligned shared-head exits plus branches).
 *
 * @example
 * ```ts
 * const loss = sumExitLosses(alignedExitLoss({ mode: 'add' }), branchExitLoss(branches));
 * ```
 */
export function sumExitLosses(...losses: ExitLoss[]): ExitLoss {
  if (losses.length === 0) throw new RangeError('sumExitLosses: give at least one loss');
  return (out, labels) =>
    tf.tidy(() => {
      let total: Tensor = tf.scalar(0);
      for (const f of losses) total = total.add(f(out, labels));
      return total;
    });
}
