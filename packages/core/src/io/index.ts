/**
 * Checkpoint I/O: safetensors encoding, crash-safe writes, checksums.
 *
 * @example
 * ```ts
 * import { tensorsToSafetensors, writeFileAtomic, sha256Hex } from './io';
 * const bytes = tensorsToSafetensors({ w });
 * writeFileAtomic('/ckpt/model.safetensors', bytes);
 * const digest = sha256Hex(bytes);
 * ```
 */
export { CheckpointError } from './errors';
export type { CheckpointErrorCode } from './errors';
export {
  encodeSafetensors,
  decodeSafetensors,
  tensorsToSafetensors,
  safetensorsToTensors,
  readSafetensorsHeader,
} from './safetensors';
export type { SafetensorsDtype, SafetensorsData, SafetensorsTensor, DecodedSafetensors } from './safetensors';
export { writeFileAtomic, writeDirAtomic, atomicLeftovers } from './atomic-write';
export type { AtomicFs, AtomicWriteOptions, AtomicLeftover } from './atomic-write';
export { sha256Hex } from './checksum';
