/**
 * Private test helpers shared by `@acn/*` packages (not published).
 *
 * @example
 * ```ts
 * import { compressorConformance } from '@acn/test-utils';
 * compressorConformance('magnitude 50%', () => magnitudePruning({ sparsity: 0.5 }));
 * ```
 */
export { compressorConformance } from './conformance';
export type { ConformanceOptions } from './conformance';
export { CONFORMANCE_CHECKS } from './conformance-checks';
export type { CheckOptions, ConformanceCheck } from './conformance-checks';
export { tinyModelZoo, transformerZoo, zooBatch, ZOO_CONNECTIVITIES } from './models';
export { EXACT_QDQ, maxDiff, runOrt, tfForward } from './ort-compare';
export type { OrtLike, OrtLikeSession } from './ort-compare';
export type { ZooEntry } from './models';
