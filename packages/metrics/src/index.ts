/**
 * `@acn/metrics`: see auto-compression happen and measure it — layer probing, cutoff layer,
 * incremental contributions, gradient norms, direct-vs-full gradients, params/FLOPs/bytes,
 * latency, and JSON / terminal / HTML reports.
 *
 * @example
 * ```ts
 * import { probeLayers, cutoffLayer, modelCost } from '@acn/metrics';
 * const { accuracy } = probeLayers(model, testSet);
 * const { relativeToFinal } = cutoffLayer(accuracy, { delta: 0.005 });
 * const { total } = modelCost(model);
 * ```
 */
export {
  ContributionTracker,
  DirectGradientTracker,
  GradientNormTracker,
  MIXER_REPRESENTATIVE_PATTERN,
  blockGradientNorms,
  blockGradients,
  compareBlockGradients,
  cutoffLayer,
  directVsFullGradients,
  groupBlockPaths,
  incrementalContribution,
  probeLayers,
  transpose,
} from './analysis';
export type {
  BlockGradientNormOptions,
  BlockGradientsOptions,
  BlockPattern,
  CompareBlockGradientsOptions,
  CutoffOptions,
  CutoffResult,
  DirectGradientMetric,
  DirectGradientTrackerOptions,
  DirectVsFullOptions,
  GradientComparison,
  GradientNormTrackerOptions,
  ProbeOptions,
  ProbeResult,
} from './analysis';
// Cost and latency accounting live in @acn/core (so plugins need not install the report stack);
// re-exported here so `import { modelCost } from '@acn/metrics'` keeps working.
export {
  DEFAULT_KIND_FLOPS,
  GELU_FLOPS_PER_ELEMENT,
  LAYER_NORM_FLOPS_PER_ELEMENT,
  SOFTMAX_FLOPS_PER_ELEMENT,
  attentionFlops,
  checkpointBytes,
  compareCost,
  denseFlops,
  elements,
  measureLatency,
  mlpFlops,
  modelCost,
  modelLatency,
  normFlops,
} from '@acn/core';
export type {
  BlockCost,
  CheckpointBytes,
  CostComparison,
  CostTotals,
  KindFlops,
  KindFlopsInput,
  LatencyOptions,
  LatencyStats,
  LayerCall,
  LayerCostEntry,
  ModelCost,
  ModelCostOptions,
  ModelLatencyOptions,
} from '@acn/core';
export {
  ReportError,
  autoCompressionResultsSchema,
  chartSpecs,
  escapeHtml,
  formatBytes,
  formatSi,
  formatTable,
  fullCostSchema,
  probeTable,
  renderHtmlReport,
  runLabels,
  runResultSchema,
  truncatedResultSchema,
  validateResults,
} from './report';
export type {
  AutoCompressionResults,
  ChartKind,
  ChartOptions,
  ChartSpec,
  FormatTableOptions,
  HtmlReportOptions,
  ReportErrorCode,
  RunResult,
  TruncatedResult,
  VegaLiteSpec,
} from './report';
