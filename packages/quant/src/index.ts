/**
 * `@acn/quant`: weight quantization for `@acn` models as core `Compressor`s: binary (scaled sign,
 * the VCON reference), ternary (TWN) and k-bit uniform fake quantization, with straight-through
 * estimators on `tf.customGrad`, honest byte costs, 1/2/k-bit packing and a lossless export/load.
 *
 * @example
 * ```ts
 * import { compressorHook } from '@acn/core';
 * import { binaryQuantizer, exportQuantized, serializeQuantized } from '@acn/quant';
 * const h = model.hooks.attach(compressorHook(binaryQuantizer({ scale: 'layer' })));
 * await train(model, data, { epochs: 3 }); // latent float weights train through the STE
 * h.bake();
 * const bytes = serializeQuantized(exportQuantized(model));
 * ```
 */

// Straight-through estimators
export { steClipped, steIdentity, steMasked } from './ste';
export type { PassMaskFn, QuantizeFn } from './ste';

// Quantizers (core Compressors) and their pure math
export { binarize, binaryQuantizer } from './binary';
export type { BinaryQuantizerOptions } from './binary';
export { ternarize, ternaryQuantizer } from './ternary';
export type { TernaryQuantizerOptions, TernaryThreshold } from './ternary';
export { SCALE_EPS, fakeQuantize, fakeQuantizeAffine, uniformConfig, uniformQuantizer } from './uniform';
export type { UniformConfig, UniformOptions, UniformQuantizerOptions } from './uniform';
export type { QuantizerBaseOptions, SteKind, KernelShape } from './kernel';
export type { BinaryScale, Granularity, QuantParams, QuantSpec, UniformScheme } from './spec';

// Cost
export { quantCost, quantizedBytes } from './cost';

// Packing
export { packBits, unpackBits } from './bits';
export { packedBytes, unpackKernel } from './codec';
export type { PackedBinary, PackedKernel, PackedTernary, PackedUniform } from './codec';
export { packBinary, unpackBinary } from './pack-binary';
export type { PackBinaryOptions } from './pack-binary';
export { packTernary, unpackTernary } from './pack-ternary';
export type { PackTernaryOptions } from './pack-ternary';
export { packUniform, unpackUniform } from './pack-uniform';
export { dequantizeUint8, quantizeUint8 } from './uint8';
export type { QuantizedUint8 } from './uint8';

// Export / load
export { exportQuantized, loadQuantized } from './export';
export type { HasLayers, QuantizedModel, QuantizedWeight } from './export';
export { deserializeQuantized, serializeQuantized } from './serialize';
export { QuantFormatError } from './format-error';
export type { QuantFormatErrorCode } from './format-error';
