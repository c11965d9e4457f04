import { join } from 'node:path';
import { writeResultJson, writeResultText } from '@acn-examples/kit';
import { renderResultHtml } from './html';
import { validatePaperResult, type PaperResult } from './schema';

/**
 * Validates `result` and writes `<out>/<experiment>.json` and `.html` atomically with the examples
 * kit (a reader never sees a half-written file). Quick runs go to `<out>/quick/` so they never
 * overwrite real results. Returns the absolute JSON path.
 *
 * @example
 * ```ts
 * const path = await writeResult('results', result); // <abs>/results/baselines.json
 * ```
 */
export async function writeResult(outDir: string, result: PaperResult): Promise<string> {
  const r = validatePaperResult(result);
  const dir = r.quick ? join(outDir, 'quick') : outDir;
  const jsonPath = writeResultJson(dir, `${r.experiment}.json`, r);
  writeResultText(dir, `${r.experiment}.html`, await renderResultHtml(r));
  return jsonPath;
}
