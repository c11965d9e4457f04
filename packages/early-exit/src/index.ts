/**
 * `@acn/early-exit`: shared-head and branch exits, exit policies (entropy, max probability,
 * patience, static; minimum layer; per-exit thresholds), per-sample early exit at any batch size,
 * exit losses for training (Aligned, fixed branch weights, LayerSkip-style curriculum), threshold
 * calibration, and FLOPs / wall-clock reporting with `@acn/core`'s cost accounting.
 *
 * @example
 * ```ts
 * import { sharedExits, entropyPolicy, earlyExitForward } from '@acn/early-exit';
 * const r = earlyExitForward(model, images, { exits: sharedExits(model), policy: entropyPolicy({ tau: 0.7 }) });
 * console.log(r.predictions, r.exitLayers);
 * ```
 */

// Policies
export { entropy, argMaxRow, entropyPolicy, maxProbPolicy, patiencePolicy, staticExitPolicy, softmaxRows, ENTROPY_EPS } from './policy';
export type {
  EntropyPolicyOptions,
  ExitInput,
  ExitPolicy,
  ExitPolicyKind,
  ExitState,
  MaxProbPolicyOptions,
  PatiencePolicyOptions,
  PolicyBaseOptions,
  Threshold,
} from './policy';

// Exits
export { sharedExits } from './exits';
export type { ExitHeads, PrefixState, SharedExitOptions } from './exits';
export { attachBranches, defaultBranchLayers, freezeBackbone, BRANCH_WEIGHTS } from './branches';
export type { BranchExits, BranchOptions } from './branches';

// Inference
export { earlyExitForward, allExitLogits } from './exit-forward';
export type { EarlyExitOptions, EarlyExitResult } from './exit-forward';

// Cost
export { exitCost, branchFlops, flopsSpeedup } from './cost';
export type { ExitCost } from './cost';

// Calibration and evaluation
export { collectExitScores, simulateExits, evaluatePolicy, sweepThresholds, entropyGrid, pickThreshold } from './calibrate';
export type { EvaluateExitOptions, ExitEvaluation, ExitScores, PickOptions, SimulatedExits, SweepOptions, SweepPoint } from './calibrate';

// Training losses
export { alignedWeights, alignedExitLoss, branchExitLoss, layerSkipWeights, layerSkipExitLoss, sumExitLosses } from './losses';
export type { ExitLoss, LayerSkipOptions, SharedLossMode, SharedLossOptions } from './losses';

// Latency and charts
export { exitLatency } from './latency';
export type { ExitLatencyOptions } from './latency';
export { exitCurveSpec } from './chart';
export type { ExitCurve, ExitCurveOptions, ExitMark } from './chart';
