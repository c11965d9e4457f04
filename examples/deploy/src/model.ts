import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint, train, type MlpMixer } from '@acn/core';
import { fashionMixer, loadFashionMnistSplits, type ImageData } from '@acn-examples/kit';
import type { DeployOptions } from './cli';

/** Fashion-MNIST splits (`--data-dir` / `ACN_DATA_DIR`, else the embedded subset). */
export type DeployData = ImageData;

/** Fashion-MNIST from `--data-dir` / `ACN_DATA_DIR`, else the embedded subset (6,000 / 1,000 images). */
export function loadData(o: DeployOptions): Promise<DeployData> {
  return loadFashionMnistSplits(o);
}

/**
 * The demo's AC-Mixer: loaded from `--checkpoint`, or trained with the demo's recipe and saved to
 * `<out>/ac-mixer` (pass it as `--checkpoint` to skip training next time).
 */
export async function acMixer(o: DeployOptions, data: DeployData): Promise<{ model: MlpMixer; source: string }> {
  if (o.checkpoint) {
    const { model } = loadCheckpoint(o.checkpoint);
    if (model.config.architecture !== 'mixer') throw new Error(`--checkpoint ${o.checkpoint} holds a ${model.config.architecture} model; this example deploys the demo's AC-Mixer`);
    return { model: model as MlpMixer, source: `checkpoint ${o.checkpoint}` };
  }
  const model = fashionMixer(data, o, 'acn', o.seed);
  console.log(`training an AC-Mixer (depth ${o.depth}, width ${o.width}, ${o.epochs} epochs on ${data.train.count} images)...`);
  await train(model, data.train, { epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, warmupEpochs: Math.min(1, o.epochs / 2), labelSmoothing: 0.1, clipNorm: 1, seed: o.seed, progress: 'none' });
  const dir = join(o.outDir, 'ac-mixer');
  saveCheckpoint(dir, { model });
  return { model, source: `trained here (${o.epochs} epochs), saved to ${dir}` };
}
