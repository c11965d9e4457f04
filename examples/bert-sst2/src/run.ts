/**
 * One connectivity end to end: MLM pre-training, SST-2 fine-tuning, per-layer probes on dev, the
 * cutoff layer, and params / FLOPs of the full and the truncated classifier.
 */
import { join } from 'node:path';
import { copyWeights, createBert, evaluate, saveCheckpoint, tf, truncate, type Bert, type Connectivity } from '@acn/core';
import { cutoffLayer, modelCost, probeLayers } from '@acn/metrics';
import type { BertSst2Options } from './cli';
import type { ExampleData } from './data';
import { finetune, type FinetuneEpoch } from './finetune';
import { pretrainMlm, type MlmResult } from './pretrain';

/** Params and per-sample FLOPs (at a full `maxLength` sequence) of a classifier. */
export interface Cost {
  readonly layers: number;
  readonly params: number;
  readonly flops: number;
}

/** Everything measured for one connectivity. */
export interface RunOutcome {
  readonly connectivity: Connectivity;
  readonly depth: number;
  readonly mlm?: MlmResult;
  readonly finetune: FinetuneEpoch[];
  readonly devAccuracy: number;
  readonly probeAccuracy: number[];
  readonly probeLoss: number[];
  readonly cutoffLayer: number;
  readonly cutoffLayerRelativeToBest: number;
  readonly full: Cost;
  /** The classifier cut at its cutoff (at least one block), measured for real. */
  readonly truncated: Cost & { readonly devAccuracy: number };
  readonly seconds: { readonly mlm: number; readonly finetune: number; readonly total: number };
}

/**
 * Params and FLOPs per sample of `model` on one full-length sequence (`[1, maxLength]` ids):
 * dense layers and the attention core, as @acn/metrics counts them (elementwise ops excluded).
 * The MLM head is not part of a classifier (models here are built with `mlmHead: false`).
 */
export function classifierCost(model: Bert): Cost {
  const t = model.config.maxLength;
  const ids = Array.from({ length: t }, (_, i) => (i === 0 ? 2 : i === t - 1 ? 3 : 5 + (i % 50))); // [CLS] … [SEP]
  const input = tf.tensor2d([ids], [1, t], 'int32');
  try {
    const c = modelCost(model, { input });
    return { layers: model.depth, params: c.total.params, flops: c.total.flops };
  } finally {
    input.dispose();
  }
}

/** Pre-trains, fine-tunes and measures one encoder. */
export function runOne(connectivity: Connectivity, data: ExampleData, o: BertSst2Options): RunOutcome {
  const t0 = performance.now();
  const base = {
    vocabSize: data.tokenizer.vocabSize,
    numClasses: 2,
    maxLength: o.maxLength,
    hiddenDim: o.width,
    depth: o.depth,
    numHeads: o.heads,
    mlpDim: o.mlpDim,
    tieEmbeddings: o.tieEmbeddings,
    connectivity,
    seed: o.seed,
  };
  const pre = createBert({ ...base, mlmHead: true });
  console.log(`\n== ${connectivity} BERT: depth ${o.depth}, width ${o.width}, ${o.heads} heads, FFN ${o.mlpDim}, vocab ${base.vocabSize}, ${pre.paramCount().toLocaleString()} params with the MLM head ==`);
  let mlm: MlmResult | undefined;
  if (o.mlmSteps > 0) {
    console.log(`MLM pre-training: ${o.mlmSteps} steps of ${o.mlmBatch} x ${o.maxLength} tokens`);
    mlm = pretrainMlm(pre, data, { steps: o.mlmSteps, batchSize: o.mlmBatch, lr: o.mlmLr, warmup: o.mlmWarmup, seed: o.seed, unigramBias: o.unigramBias, logEvery: o.quick ? 0 : 20 });
    console.log(`  held-out MLM loss ${mlm.heldOutLossAtInit.toFixed(3)} -> ${mlm.heldOutLoss.toFixed(3)} (${mlm.seconds.toFixed(0)} s)`);
  }
  // The classifier: the same encoder without the MLM head (copyWeights takes every path it has).
  const model = createBert({ ...base, mlmHead: false });
  copyWeights(pre, model);
  pre.dispose();

  const t1 = performance.now();
  console.log(`SST-2 fine-tuning: ${o.epochs} epochs on ${data.train.count} phrases, batch ${o.batchSize}, lr ${o.lr}`);
  const history = finetune(model, data, { epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, seed: o.seed, logEvery: o.quick ? 0 : 100 });
  const tFinetune = (performance.now() - t1) / 1000;

  const probes = probeLayers(model, data.dev, { batchSize: 128 });
  const cut = cutoffLayer(probes.accuracy, { delta: o.delta });
  const full = classifierCost(model);
  const k = Math.max(1, cut.relativeToFinal);
  const small = truncate(model, k);
  const truncated = { ...classifierCost(small), devAccuracy: evaluate(small, data.dev, { batchSize: 128 }).accuracy };
  small.dispose();
  if (o.saveCheckpoints) saveCheckpoint(join(o.outDir, `bert-${connectivity}`), { model, metadata: { example: 'bert-sst2' } });
  model.dispose();
  return {
    connectivity,
    depth: o.depth,
    mlm,
    finetune: history,
    devAccuracy: probes.accuracy[probes.accuracy.length - 1],
    probeAccuracy: probes.accuracy,
    probeLoss: probes.loss,
    cutoffLayer: cut.relativeToFinal,
    cutoffLayerRelativeToBest: cut.relativeToBest,
    full,
    truncated,
    seconds: { mlm: mlm?.seconds ?? 0, finetune: tFinetune, total: (performance.now() - t0) / 1000 },
  };
}
