/**
 * Runs a quantizer's math once on a kernel tensor and reads the effective values and parameters to
 * the host: the shared first step of every packer, so packed kernels come from exactly the same
 * float32 computation as the compressors' forward.
 */
import { tf, type Tensor } from '@acn/core';
import { checkKernel2d, readFloat32, type KernelShape } from './kernel';
import { tidyParts, type QuantParams, type QuantTensors } from './spec';

/** Effective values (row-major), shape and parameters of one quantization. */
export interface HostQuantized {
  readonly values: Float32Array;
  readonly shape: KernelShape;
  readonly params: QuantParams;
}

/** Quantizes `kernel` (2-D, not modified) with `parts` and reads the result; frees every intermediate. */
export function quantizeOnHost(kernel: Tensor, parts: (w: Tensor) => QuantTensors, where: string): HostQuantized {
  const shape = checkKernel2d(kernel, where);
  const { value, scales, zeroPoints, nonZero } = tidyParts(() => parts(kernel));
  // Read outside tidy: tidy walks returned typed arrays element by element (platform.md §3).
  const values = readFloat32(value);
  const params: QuantParams = zeroPoints ? { scales: readFloat32(scales), zeroPoints: Uint16Array.from(zeroPoints.dataSync()) } : { scales: readFloat32(scales) };
  tf.dispose([value, scales, zeroPoints, nonZero].filter((t): t is Tensor => t !== undefined));
  return { values, shape, params };
}
