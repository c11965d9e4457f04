/**
 * The BERT example: for each connectivity (AC and residual by default) pre-trains a small BERT
 * encoder with masked-LM on offline corpora, fine-tunes it on SST-2, scores every prefix
 * sub-network on the dev set through the shared head (layer probing), finds the cutoff layer,
 * truncates there and reports params and FLOPs; writes results/bert-sst2.json and the vocabulary.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatSi, formatTable, probeTable } from '@acn/metrics';
import { runMain, startBackend, writeResultJson } from '@acn-examples/kit';
import { cli, type BertSst2Options } from './cli';
import { loadExampleData } from './data';
import { buildResults, validateBertResults } from './results';
import { runOne, type RunOutcome } from './run';

function summaryTable(runs: readonly RunOutcome[]): string {
  const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
  return formatTable(
    runs.map((r) => ({
      model: `${r.connectivity} (${r.depth})`,
      'MLM loss': r.mlm ? r.mlm.heldOutLoss.toFixed(3) : '-',
      'dev acc': pct(r.devAccuracy),
      cutoff: `${r.cutoffLayer}/${r.depth}`,
      'cut acc': pct(r.truncated.devAccuracy),
      params: r.full.params.toLocaleString(),
      'cut params': r.truncated.params.toLocaleString(),
      FLOPs: formatSi(r.full.flops),
      'cut FLOPs': formatSi(r.truncated.flops),
      seconds: r.seconds.total.toFixed(0),
    })),
    { title: 'SST-2 dev (cut = truncated at the cutoff layer, at least 1 block)' },
  );
}

/** Runs the whole example and returns the path of the JSON it wrote. */
export async function runBertSst2(o: BertSst2Options): Promise<string> {
  const t0 = performance.now();
  const backend = await startBackend(o.backend);
  const data = loadExampleData(o);
  console.log(
    `data: ${data.name}\n  MLM: ${data.mlmTokens.toLocaleString()} word pieces -> ${data.mlmTrain.count} train / ${data.mlmHeldOut.count} held-out sequences of ${o.maxLength}` +
      `\n  SST-2: ${data.train.count} train phrases (${data.train.truncated} truncated), ${data.dev.count} dev sentences; vocabulary ${data.tokenizer.vocabSize} WordPieces`,
  );
  const out = resolve(o.outDir);
  mkdirSync(out, { recursive: true });
  data.tokenizer.save(join(out, 'bert-sst2-vocab.txt'));

  const runs: RunOutcome[] = [];
  for (const c of o.connectivities) runs.push(runOne(c, data, { ...o, outDir: out }));

  console.log(`\n${probeTable(runs.map((r) => ({ connectivity: r.connectivity, depth: r.depth, probeAccuracy: r.probeAccuracy, cutoffLayer: r.cutoffLayer })))}`);
  console.log(`\n${summaryTable(runs)}`);
  console.log(`cutoff: earliest probe within ${(100 * o.delta).toFixed(1)} points of the full model. Paper anchor (acn.md Table 6, BERT-base): AC-BERT 86.68% vs Res-BERT 86.63% on SST-2 with 3 of 12 layers.`);

  const seconds = (performance.now() - t0) / 1000;
  const results = validateBertResults(buildResults(o, data, runs, seconds, backend.name));
  const jsonPath = writeResultJson(out, 'bert-sst2.json', results);
  console.log(`\nwrote ${jsonPath} and bert-sst2-vocab.txt (${seconds.toFixed(0)} s in all)`);
  return jsonPath;
}

runMain(import.meta.url, cli, runBertSst2);
