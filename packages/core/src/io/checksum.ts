import { createHash } from 'node:crypto';

/**
 * SHA-256 of `bytes` as 64 lowercase hex characters.
 *
 * Why node:crypto and not WebCrypto: `crypto.subtle.digest` is async only, and checkpoint
 * manifests are written and verified on synchronous paths next to `writeFileAtomic`.
 *
 * @example
 * ```ts
 * sha256Hex(new TextEncoder().encode('abc'));
 * // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
