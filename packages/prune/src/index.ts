/**
 * `@acn/prune`: magnitude pruning for `@acn` models as core `Compressor`s (unstructured, fan-in,
 * structured rows, N:M, global), tfmot-style sparsity schedules, CSR export, a sparsity report,
 * and real removal of pruned hidden units.
 *
 * @example
 * ```ts
 * import { compressorHook } from '@acn/core';
 * import { magnitudePruning, polynomialDecay, exportSparse } from '@acn/prune';
 * const pruner = magnitudePruning({ schedule: polynomialDecay({ initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 2000 }) });
 * const h = model.hooks.attach(compressorHook(pruner));
 * await train(model, data, { epochs: 5 });
 * h.bake();
 * const sparse = exportSparse(model);
 * ```
 */

// Compressor
export { magnitudePruning } from './magnitude-pruning';
export type { MagnitudePruner, MagnitudePruningOptions } from './magnitude-pruning';
export { applyMask, MASK_GRADIENTS } from './apply-mask';
export type { MaskGradient } from './apply-mask';

// Masks
export { GRANULARITIES, globalThreshold, keptCount, magnitudeMask } from './masks';
export type { Granularity, MaskSpec } from './masks';
export { kthLargest } from './kth-largest';

// Schedules
export { constantSparsity, polynomialDecay } from './schedule';
export type { ConstantSparsityOptions, PolynomialDecayOptions, PruningSchedule, PruningStep } from './schedule';

// Sparse export
export { csrBytes, exportSparseLayer, importSparse } from './csr';
export type { SparseWeight } from './csr';
export { SparseFormatError } from './sparse-error';
export type { SparseFormatErrorCode } from './sparse-error';
export { exportSparse, loadSparse } from './sparse-export';
export type { ExportSparseOptions, SparseModelExport } from './sparse-export';

// Reports and structural removal
export { sparsityReport } from './sparsity-report';
export type { SparsityReport, SparsityReportEntry, SparsityReportOptions } from './sparsity-report';
export { removeNeurons, removePrunedNeurons } from './remove-neurons';
export type { Activation, NeuronRemoval, RemoveNeuronsOptions, RemovePrunedNeuronsOptions } from './remove-neurons';
