/**
 * The root README's "A first model", runnable: an AC-Mixer on the embedded Fashion-MNIST subset,
 * the accuracy of every prefix x_0 + … + x_k, and the model truncated to its first 4 blocks.
 * `--quick` (the test) trains a smaller model on 1,024 images for 2 epochs.
 */
import { createMixer, evaluate, fromImageDataset, initBackend, modelCost, train, truncate } from '@acn/core';
import { loadEmbeddedFashionMnist } from '@acn/datasets';
import { defineCli, runMain } from '@acn-examples/kit';

/** What the command line can change (the defaults are the README's snippet). */
export interface FirstModelOptions {
  readonly epochs: number;
  readonly depth: number;
  readonly width: number;
  readonly keep: number;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly quick: boolean;
}

export const DEFAULTS: FirstModelOptions = { epochs: 10, depth: 8, width: 64, keep: 4, quick: false };
export const QUICK: Partial<FirstModelOptions> = { epochs: 2, depth: 4, width: 32, keep: 2, trainLimit: 1024, testLimit: 500 };

export const cli = defineCli<FirstModelOptions>({
  name: 'first-model',
  summary: "the root README's first model: train an AC-Mixer, probe every prefix, truncate",
  usage: 'pnpm --filter @acn-examples/first-model start [-- options]',
  defaults: DEFAULTS,
  quick: QUICK,
  options: [
    { flag: 'epochs', key: 'epochs', help: 'training epochs', kind: { type: 'int', min: 1 } },
    { flag: 'depth', key: 'depth', help: 'blocks', kind: { type: 'int', min: 1 } },
    { flag: 'width', key: 'width', help: 'token width D', kind: { type: 'int', min: 1 } },
    { flag: 'keep', key: 'keep', help: 'blocks kept by the truncated model', kind: { type: 'int', min: 1 } },
    { flag: 'train-limit', key: 'trainLimit', help: 'use only the first N training images', kind: { type: 'int', min: 1 } },
    { flag: 'test-limit', key: 'testLimit', help: 'use only the first N test images', kind: { type: 'int', min: 1 } },
  ],
  check: (o) => {
    if (o.keep > o.depth) throw new Error(`--keep (${o.keep}) must be <= --depth (${o.depth})`);
  },
});

/** What the run measured. */
export interface FirstModelResult {
  readonly probeAccuracy: number[];
  readonly truncatedAccuracy: number;
  readonly flops: { readonly full: number; readonly truncated: number };
  readonly seconds: number;
}

/** The README snippet, with its numbers printed. */
export async function firstModel(o: FirstModelOptions): Promise<FirstModelResult> {
  const t0 = performance.now();
  await initBackend('auto'); // tfjs-node-gpu > tfjs-node > wasm > cpu; prints its choice
  const trainSet = fromImageDataset(await loadEmbeddedFashionMnist({ split: 'train', limit: o.trainLimit }));
  const testSet = fromImageDataset(await loadEmbeddedFashionMnist({ split: 'test', limit: o.testLimit }));

  const model = createMixer({ inputShape: [28, 28, 1], numClasses: 10, patchSize: 7, hiddenDim: o.width, depth: o.depth, connectivity: 'acn', seed: 0 });
  const progress = o.quick ? 'none' : 'lines';
  const { optimizer } = await train(model, trainSet, { epochs: o.epochs, lr: 1e-3, warmupEpochs: 1, labelSmoothing: 0.1, clipNorm: 1, seed: 0, evalData: testSet, evalProbes: true, progress });
  optimizer.dispose();

  const { probeAccuracy } = evaluate(model, testSet, { probes: true }); // accuracy of every prefix x_0+…+x_k
  const small = truncate(model, o.keep); // a genuinely smaller model: its output equals probe `keep`
  const truncatedAccuracy = evaluate(small, testSet).accuracy;
  const flops = { full: modelCost(model).total.flops, truncated: modelCost(small).total.flops };
  small.dispose();
  model.dispose();

  const seconds = (performance.now() - t0) / 1000;
  console.log(`probe accuracy by prefix (k = 0..${o.depth}): ${probeAccuracy!.map((a) => (100 * a).toFixed(1)).join(' ')}`);
  console.log(`truncated to ${o.keep} blocks: ${(100 * truncatedAccuracy).toFixed(1)}% (= probe ${o.keep}), FLOPs per image ${flops.full} -> ${flops.truncated}`);
  console.log(`${seconds.toFixed(0)} s`);
  return { probeAccuracy: probeAccuracy!, truncatedAccuracy, flops, seconds };
}

runMain(import.meta.url, cli, firstModel);
