/**
 * `results/bert-sst2.json`: the configuration, the data used and, per connectivity, the MLM loss,
 * dev accuracy, probe accuracy of every prefix, cutoff layer, params and FLOPs (full and cut).
 */
import { CONNECTIVITIES } from '@acn/core';
import type { BertSst2Options } from './cli';
import type { ExampleData } from './data';
import type { Cost, RunOutcome } from './run';

/** One run in the JSON. Accuracies are fractions in [0, 1]; `flops` are per sample at maxLength. */
export interface BertRunJson {
  readonly connectivity: string;
  readonly depth: number;
  /** Held-out masked-LM cross-entropy after pre-training (null without pre-training). */
  readonly mlmLoss: number | null;
  readonly mlmLossAtInit: number | null;
  readonly mlmTrainLoss: number[];
  readonly devAccuracy: number;
  readonly probeAccuracy: number[];
  readonly probeLoss: number[];
  readonly cutoffLayer: number;
  readonly cutoffLayerRelativeToBest: number;
  readonly params: number;
  readonly flops: number;
  readonly truncated: Cost & { readonly devAccuracy: number };
  readonly finetune: { epoch: number; trainLoss: number; devAccuracy: number; probeAccuracy: number[]; seconds: number }[];
  readonly seconds: { mlm: number; finetune: number; total: number };
}

/** The whole file. */
export interface BertSst2Results {
  readonly example: 'bert-sst2';
  readonly dataset: string;
  readonly backend: string;
  readonly durationSeconds: number;
  readonly config: Record<string, unknown>;
  readonly data: Record<string, unknown>;
  readonly anchor: Record<string, unknown>;
  readonly runs: BertRunJson[];
}

/** Assembles the JSON. */
export function buildResults(o: BertSst2Options, data: ExampleData, runs: readonly RunOutcome[], seconds: number, backend: string): BertSst2Results {
  return {
    example: 'bert-sst2',
    dataset: data.name,
    backend,
    durationSeconds: seconds,
    config: { ...o, vocabSize: data.tokenizer.vocabSize, cutoffDelta: o.delta, flopsAt: `one sequence of maxLength=${o.maxLength} tokens` },
    data: {
      mlmSources: data.mlmSources,
      mlmTokens: data.mlmTokens,
      mlmTrainSequences: data.mlmTrain.count,
      mlmHeldOutSequences: data.mlmHeldOut.count,
      trainSize: data.train.count,
      trainTruncated: data.train.truncated,
      devSize: data.dev.count,
    },
    anchor: {
      source: 'acn.md Table 6 (BERT-base, 12 layers, MLM on Wikipedia + BookCorpus, GLUE SST-2 dev)',
      acBertAccuracy: 0.8668,
      resBertAccuracy: 0.8663,
      acBertLayersUsed: '3 of 12',
    },
    runs: runs.map((r) => ({
      connectivity: r.connectivity,
      depth: r.depth,
      mlmLoss: r.mlm ? r.mlm.heldOutLoss : null,
      mlmLossAtInit: r.mlm ? r.mlm.heldOutLossAtInit : null,
      mlmTrainLoss: r.mlm ? r.mlm.trainLoss : [],
      devAccuracy: r.devAccuracy,
      probeAccuracy: r.probeAccuracy,
      probeLoss: r.probeLoss,
      cutoffLayer: r.cutoffLayer,
      cutoffLayerRelativeToBest: r.cutoffLayerRelativeToBest,
      params: r.full.params,
      flops: r.full.flops,
      truncated: r.truncated,
      finetune: r.finetune.map((e) => ({ ...e })),
      seconds: r.seconds,
    })),
  };
}

/** Checks the shape of a parsed results file; throws naming the first bad field. */
export function validateBertResults(x: unknown): BertSst2Results {
  const fail = (path: string, want: string) => {
    throw new Error(`bert-sst2 results: ${path} must be ${want}`);
  };
  const r = x as BertSst2Results;
  if (!r || r.example !== 'bert-sst2') fail('example', "'bert-sst2'");
  if (!Array.isArray(r.runs) || r.runs.length === 0) fail('runs', 'a non-empty array');
  const frac = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
  r.runs.forEach((run, i) => {
    const p = `runs[${i}]`;
    if (!(CONNECTIVITIES as readonly string[]).includes(run.connectivity)) fail(`${p}.connectivity`, CONNECTIVITIES.join(' | '));
    if (!Number.isInteger(run.depth) || run.depth < 1) fail(`${p}.depth`, 'an integer >= 1');
    if (run.mlmLoss !== null && !(typeof run.mlmLoss === 'number' && Number.isFinite(run.mlmLoss))) fail(`${p}.mlmLoss`, 'a finite number or null');
    if (!frac(run.devAccuracy)) fail(`${p}.devAccuracy`, 'a fraction in [0, 1]');
    if (!Array.isArray(run.probeAccuracy) || run.probeAccuracy.length !== run.depth + 1 || !run.probeAccuracy.every(frac)) fail(`${p}.probeAccuracy`, `depth + 1 fractions`);
    if (!Number.isInteger(run.cutoffLayer) || run.cutoffLayer < 0 || run.cutoffLayer > run.depth) fail(`${p}.cutoffLayer`, 'an integer in [0, depth]');
    for (const k of ['params', 'flops'] as const) if (!(typeof run[k] === 'number' && run[k] > 0)) fail(`${p}.${k}`, 'a number > 0');
  });
  return r;
}
