import { checkpointBytes, ContributionTracker, cutoffLayer, DirectGradientTracker, GradientNormTracker, modelCost, modelLatency, probeLayers } from '@acn/metrics';
import { createVit, train, truncate, type Connectivity, type Vit, type VitConfigInput } from '@acn/core';
import type { VitData } from './data';
import type { VitExampleOptions } from './cli';

/** Cost and measured latency of one model. */
export interface Deployment {
  readonly layers: number;
  readonly testAccuracy: number;
  readonly params: number;
  readonly flops: number;
  /** safetensors checkpoint size. */
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly latencyMs: { readonly batch1: number; readonly batch128: number };
}

/** Everything measured for one connectivity. */
export interface RunOutcome {
  readonly connectivity: Connectivity;
  readonly model: Vit;
  readonly probeAccuracy: number[];
  readonly probeLoss: number[];
  readonly cutoffLayer: number;
  readonly cutoffBest: number;
  readonly gradNorms: number[][];
  readonly probeHistory: number[][];
  readonly contribution: number[][];
  readonly dgfg?: { readonly cosine: number[][]; readonly normRatio: number[][] };
  readonly trainLoss: number[];
  readonly seconds: number;
  readonly full: Deployment;
}

/**
 * The ViT configuration of one run. With `--quirks repo` the AC (and feedforward, which shares the
 * AC block) model gets the AC-ViT repository's attention-output LN and Dirac FFN, and every model
 * scales attention after the softmax, as `vit/vit_code` does (acn.md §2.3); `paper` turns all off.
 */
export function vitModelConfig(connectivity: Connectivity, data: VitData, o: VitExampleOptions): VitConfigInput {
  const [h, w, c] = data.train.sampleShape;
  const repo = o.quirks === 'repo';
  const acBlock = connectivity !== 'residual';
  return {
    inputShape: [h, w, c],
    numClasses: data.train.numClasses,
    patchSize: o.patchSize,
    hiddenDim: o.width,
    numHeads: o.heads,
    mlpDim: o.mlpDim,
    depth: o.depth,
    connectivity,
    seed: o.seed,
    attnOutputNorm: repo && acBlock,
    diracFfn: repo && acBlock,
    attnScaleAfterSoftmax: repo,
  };
}

/** Measures accuracy, params, FLOPs, checkpoint bytes and latency (median, batch 1 and 128). */
export async function deployment(model: Vit, data: VitData, repeats: number): Promise<Deployment> {
  const cost = modelCost(model); // attention layers are counted by @acn/metrics' `attentionFlops`
  const bytes = checkpointBytes(model);
  const latency = await modelLatency(model, data.test.sampleShape, { batchSizes: [1, 128], repeats, warmup: 3 });
  const { accuracy } = probeLayers(model, data.test);
  return {
    layers: model.depth,
    testAccuracy: accuracy[accuracy.length - 1],
    params: cost.total.params,
    flops: cost.total.flops,
    bytes: bytes.safetensors,
    gzipBytes: bytes.gzip,
    latencyMs: { batch1: latency[1].medianMs, batch128: latency[128].medianMs },
  };
}

/** Trains one ViT with the given connectivity and measures everything the report shows. */
export async function runOne(connectivity: Connectivity, data: VitData, o: VitExampleOptions): Promise<RunOutcome> {
  const model = createVit(vitModelConfig(connectivity, data, o));
  const gradNorms = new GradientNormTracker(o.depth);
  const contribution = new ContributionTracker();
  const dgfg = o.dgfgEvery > 0 ? new DirectGradientTracker(model, { every: o.dgfgEvery, labelSmoothing: 0.1 }) : undefined;
  console.log(
    `\n== ${connectivity} ViT: depth ${o.depth}, width ${o.width}, ${o.heads} heads, ${model.tokens} tokens, ${model.paramCount().toLocaleString()} params, ` +
      `${o.epochs} epochs on ${data.train.count} images (quirks: ${o.quirks}) ==`,
  );
  const t0 = performance.now();
  const result = await train(model, data.train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    warmupEpochs: Math.min(o.warmupEpochs, o.epochs),
    labelSmoothing: 0.1,
    clipNorm: 1,
    seed: o.seed,
    evalData: data.test,
    evalProbes: true,
    callbacks: [gradNorms, contribution, ...(dgfg ? [dgfg] : [])],
  });
  result.optimizer.dispose();
  const seconds = (performance.now() - t0) / 1000;
  const probes = probeLayers(model, data.test);
  const cut = cutoffLayer(probes.accuracy, { delta: o.delta });
  return {
    connectivity,
    model,
    probeAccuracy: probes.accuracy,
    probeLoss: probes.loss,
    cutoffLayer: cut.relativeToFinal,
    cutoffBest: cut.relativeToBest,
    gradNorms: gradNorms.matrix(),
    probeHistory: contribution.probeHistory.map((r) => [...r]),
    contribution: contribution.matrix(),
    dgfg: dgfg ? { cosine: dgfg.matrix('cosine'), normRatio: dgfg.matrix('normRatio') } : undefined,
    trainLoss: result.history.map((e) => e.trainLoss),
    seconds,
    full: await deployment(model, data, o.latencyRepeats),
  };
}

/** Truncates `model` to `layers` blocks (at least 1) and measures the smaller model. */
export async function truncated(model: Vit, layers: number, data: VitData, repeats: number): Promise<Deployment> {
  const small = truncate(model, Math.max(1, Math.min(layers, model.depth)));
  try {
    return await deployment(small, data, repeats);
  } finally {
    small.dispose();
  }
}
