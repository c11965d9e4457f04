/**
 * The ViT example: trains an AC-ViT and a residual ViT of the same size and budget on
 * Fashion-MNIST, shows the probe accuracy of every prefix (shared head on the partial sums / block
 * outputs) and the cutoff layers, truncates each model at its cutoff (and the residual one at the
 * AC cutoff) and reports accuracy, params, FLOPs, checkpoint bytes and measured latency before vs
 * after; writes results/vit.{json,html}.
 */
import { createVit, type Connectivity, type Vit, type VitConfigInput } from '@acn/core';
import { runMain, runStudy, type ImageData, type StudySpec } from '@acn-examples/kit';
import { cli, type VitExampleOptions } from './cli';

/**
 * The ViT configuration of one run. With `--quirks repo` the AC (and feedforward, which shares the
 * AC block) model gets the AC-ViT repository's attention-output LN and Dirac FFN, and every model
 * scales attention after the softmax, as `vit/vit_code` does (acn.md §2.3); `paper` turns all off.
 */
export function vitModelConfig(connectivity: Connectivity, data: ImageData, o: VitExampleOptions): VitConfigInput {
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

const labelOf = (c: Connectivity) => `${c === 'acn' ? 'AC' : c === 'residual' ? 'Res' : 'FF'}-ViT`;

/** What is this example's own: the ViT per connectivity, its labels, and its config in the results. */
export const SPEC: StudySpec<VitExampleOptions, Vit> = {
  name: 'vit',
  title: 'AC-ViT vs residual ViT on Fashion-MNIST',
  model: 'vit',
  build: (connectivity, data, o) => createVit(vitModelConfig(connectivity, data, o)),
  describe: (model, connectivity, data, o) =>
    `${connectivity} ViT: depth ${o.depth}, width ${o.width}, ${o.heads} heads, ${model.tokens} tokens, ${model.paramCount().toLocaleString()} params, ` +
    `${o.epochs} epochs on ${data.train.count} images (quirks: ${o.quirks})`,
  label: labelOf,
  runFields: (r) => ({ label: labelOf(r.connectivity), config: { ...r.model.config } }),
};

/** Runs the whole example and returns the path of the JSON it wrote. */
export const runVitExample = (o: VitExampleOptions): Promise<string> => runStudy(SPEC, o);

runMain(import.meta.url, cli, runVitExample);
