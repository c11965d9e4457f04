import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@acn/core';

/**
 * Writes `text` to `outDir/file` atomically (temp file + rename: a reader never sees half a
 * file), creating `outDir`. Returns the absolute path.
 *
 * @example
 * ```ts
 * writeResultText('results', 'report.html', html);
 * ```
 */
export function writeResultText(outDir: string, file: string, text: string): string {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileAtomic(path, text);
  return path;
}

/**
 * Writes `value` as pretty JSON to `outDir/file` atomically. Returns the absolute path.
 *
 * @example
 * ```ts
 * const path = writeResultJson(o.outDir, 'vit.json', results);
 * ```
 */
export function writeResultJson(outDir: string, file: string, value: unknown): string {
  return writeResultText(outDir, file, `${JSON.stringify(value, null, 2)}\n`);
}
