import { initBackend, type BackendInfo, type BackendKind } from '@acn/core';

/**
 * Initialises the tfjs backend and prints one line saying which (for `'auto'`, core's own line,
 * which on the cpu fallback also says what to install).
 *
 * @example
 * ```ts
 * const backend = await startBackend(o.backend); // "@acn/core: tfjs backend 'wasm' (auto; ...)"
 * ```
 */
export async function startBackend(kind: BackendKind): Promise<BackendInfo> {
  const info = await initBackend(kind, { log: (line) => console.log(line) });
  if (kind !== 'auto') console.log(`backend: ${info.name}${info.fastPaths ? ' (+ wasm matmul fast paths)' : ''}`);
  return info;
}
