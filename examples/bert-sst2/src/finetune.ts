/**
 * SST-2 fine-tuning with dynamic padding: batches of similar lengths are padded only to their
 * longest sentence (rounded up to a multiple of 8), which the model's pad masking makes exact,
 * and which saves most of the compute on SST-2's short training phrases. Each step is core's
 * `trainStep` (AdamW, clipping); the dev set is scored with every probe after each epoch.
 */
import { AdamW, Rng, tf, trainStep, warmupCosine, type Bert } from '@acn/core';
import { probeLayers } from '@acn/metrics';
import type { ExampleData } from './data';

/** Options of {@link finetune}. */
export interface FinetuneOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Print a progress line every this many steps (0 = never). */
  readonly logEvery?: number;
}

/** Per-epoch summary. Accuracies are fractions. */
export interface FinetuneEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly devAccuracy: number;
  readonly probeAccuracy: number[];
  readonly seconds: number;
}

/**
 * Length-bucketed batches: shuffle, sort each window of 50 batches by length, cut into batches,
 * shuffle the batch order. Returns sample indices per batch.
 */
export function bucketedBatches(lengths: Int32Array, batchSize: number, rng: Rng): Int32Array[] {
  const order = rng.permutation(lengths.length);
  const window = batchSize * 50;
  const batches: Int32Array[] = [];
  for (let s = 0; s < order.length; s += window) {
    const part = Array.from(order.subarray(s, s + window)).sort((a, b) => lengths[a] - lengths[b]);
    for (let i = 0; i < part.length; i += batchSize) batches.push(Int32Array.from(part.slice(i, i + batchSize)));
  }
  const perm = rng.permutation(batches.length);
  return Array.from(perm, (i) => batches[i]);
}

/** `[b, width]` int32 ids of the given rows, cut to `width` columns (everything cut is padding). */
function batchIds(ids: Int32Array, rowLength: number, idx: Int32Array, width: number): Int32Array {
  const out = new Int32Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) out.set(ids.subarray(idx[i] * rowLength, idx[i] * rowLength + width), i * width);
  return out;
}

/** Fine-tunes `model` on SST-2 train; returns per-epoch train loss and dev probe accuracies. */
export function finetune(model: Bert, data: ExampleData, o: FinetuneOptions): FinetuneEpoch[] {
  const { train } = data;
  const rng = new Rng(o.seed + 7);
  const stepsPerEpoch = Math.ceil(train.count / o.batchSize);
  const total = stepsPerEpoch * o.epochs;
  const schedule = warmupCosine({ peakLr: o.lr, warmupSteps: Math.round(0.06 * total), totalSteps: total });
  const optimizer = new AdamW({ weightDecay: 0.01 });
  const history: FinetuneEpoch[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0;
      for (const idx of bucketedBatches(train.lengths, o.batchSize, rng)) {
        let longest = 0;
        for (const i of idx) longest = Math.max(longest, train.lengths[i]);
        const width = Math.min(train.length, Math.ceil(longest / 8) * 8);
        const x = tf.tensor2d(batchIds(train.ids, train.length, idx, width), [idx.length, width], 'int32');
        const y = tf.tensor1d(Int32Array.from(idx, (i) => train.labels[i]), 'int32');
        model.hooks.step(step);
        try {
          const { loss } = trainStep(model, optimizer, x, y, { lr: schedule(step), clipNorm: 1, step, epoch });
          lossSum += loss * idx.length;
        } finally {
          tf.dispose([x, y]);
        }
        step += 1;
        if (o.logEvery && step % o.logEvery === 0) {
          console.log(`  fine-tune step ${step}/${total} (epoch ${epoch}): lr ${schedule(step - 1).toExponential(2)} | ${((performance.now() - t0) / 1000).toFixed(0)} s into the epoch`);
        }
      }
      const probes = probeLayers(model, data.dev, { batchSize: 128 });
      const summary: FinetuneEpoch = {
        epoch,
        trainLoss: lossSum / train.count,
        devAccuracy: probes.accuracy[probes.accuracy.length - 1],
        probeAccuracy: probes.accuracy,
        seconds: (performance.now() - t0) / 1000,
      };
      history.push(summary);
      console.log(
        `  epoch ${epoch}/${o.epochs}: train loss ${summary.trainLoss.toFixed(4)} | dev acc ${(100 * summary.devAccuracy).toFixed(2)}% | probes ${probes.accuracy.map((a) => (100 * a).toFixed(1)).join(' ')} | ${summary.seconds.toFixed(0)} s`,
      );
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}
