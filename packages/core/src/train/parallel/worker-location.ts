import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How to start a data-parallel worker: the script and extra `workerData`. */
export interface WorkerLocation {
  readonly script: string;
  /** For the TypeScript-source case: the `.ts` entry the bootstrap imports. */
  readonly tsEntry?: string;
}

/**
 * This module's own file. In the CJS build `__filename` exists; in ESM (build, vitest, tsx)
 * `import.meta.url` does. Checked with `typeof` so neither form throws in the other.
 */
function currentFile(): string {
  if (typeof __filename === 'string' && __filename.length > 0) return __filename;
  return fileURLToPath(import.meta.url);
}

/**
 * Finds the worker entry for the way `@acn/core` is running:
 * - built package: `dist/index.js` → `dist/parallel-worker.js`, `dist/index.cjs` → `.cjs`;
 * - TypeScript source (vitest, tsx): `ts-bootstrap.mjs`, which registers tsx's loader in the worker
 *   and imports `worker-entry.ts` (tsx is a dev dependency of the repository).
 *
 * @throws Error naming the missing file when neither exists.
 * @example
 * ```ts
 * const { script } = locateWorker(); // .../dist/parallel-worker.js
 * ```
 */
export function locateWorker(): WorkerLocation {
  const here = currentFile();
  const dir = dirname(here);
  if (here.endsWith('.ts')) {
    const script = join(dir, 'ts-bootstrap.mjs');
    const entry = join(dir, 'worker-entry.ts');
    if (!existsSync(script) || !existsSync(entry)) throw new Error(`worker entry not found next to ${here}`);
    return { script, tsEntry: pathToFileURL(entry).href };
  }
  const script = join(dir, here.endsWith('.cjs') ? 'parallel-worker.cjs' : 'parallel-worker.js');
  if (!existsSync(script)) throw new Error(`worker entry ${script} not found (is the package built with its parallel-worker entry?)`);
  return { script };
}
