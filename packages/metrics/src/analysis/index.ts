/**
 * Analysis metrics of acn.md §4: layer probing, cutoff layer, incremental contribution,
 * per-block gradient norms and direct vs full gradients (latency lives in `@acn/core`).
 *
 * @example
 * ```ts
 * import { probeLayers, cutoffLayer } from './analysis';
 * const { accuracy } = probeLayers(model, testSet);
 * const { relativeToFinal, fractionUsed } = cutoffLayer(accuracy, { delta: 0.005 });
 * ```
 */
export { MIXER_REPRESENTATIVE_PATTERN, groupBlockPaths } from './block-paths';
export type { BlockPattern } from './block-paths';
export { probeLayers } from './probing';
export type { ProbeOptions, ProbeResult } from './probing';
export { cutoffLayer } from './cutoff';
export type { CutoffOptions, CutoffResult } from './cutoff';
export { ContributionTracker, incrementalContribution } from './contribution';
export { GradientNormTracker, blockGradientNorms } from './gradient-norms';
export type { BlockGradientNormOptions, GradientNormTrackerOptions } from './gradient-norms';
export { DirectGradientTracker, blockGradients, compareBlockGradients, directVsFullGradients } from './direct-gradient';
export type {
  BlockGradientsOptions,
  CompareBlockGradientsOptions,
  DirectGradientMetric,
  DirectGradientTrackerOptions,
  DirectVsFullOptions,
  GradientComparison,
} from './direct-gradient';
export { transpose } from './matrix';
