import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@acn/core';
import { renderResultHtml } from './html';
import { validatePaperResult, type PaperResult } from './schema';

/**
 * Validates `result` and writes `<out>/<experiment>.json` and `.html` atomically (a reader never
 * sees a half-written file). Quick runs go to `<out>/quick/` so they never overwrite real results.
 * Returns the JSON path.
 *
 * @example
 * ```ts
 * const path = await writeResult('results', result); // results/baselines.json
 * ```
 */
export async function writeResult(outDir: string, result: PaperResult): Promise<string> {
  const r = validatePaperResult(result);
  const dir = resolve(r.quick ? join(outDir, 'quick') : outDir);
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${r.experiment}.json`);
  writeFileAtomic(jsonPath, `${JSON.stringify(r, null, 2)}\n`);
  writeFileAtomic(join(dir, `${r.experiment}.html`), await renderResultHtml(r));
  return jsonPath;
}
