import { train, type Connectivity, type EpochSummary, type MlpMixer } from '@acn/core';
import { fashionMixer } from '@acn-examples/kit';
import { alignedExitLoss, attachBranches, branchExitLoss, defaultBranchLayers, type BranchExits } from '@acn/early-exit';
import { defaultBranchWeights, type ExampleOptions } from './cli';
import type { ExampleData } from './data';

/** How a model was trained: plainly, with the Aligned shared-head exit loss, or jointly with branch exits. */
export type Training = 'plain' | 'aligned' | 'branches';

/** A trained Mixer and how it got there. */
export interface TrainedModel {
  readonly connectivity: Connectivity;
  readonly training: Training;
  readonly model: MlpMixer;
  readonly branches?: BranchExits;
  readonly branchWeights?: readonly number[];
  readonly history: EpochSummary[];
  readonly seconds: number;
}

const LABEL_SMOOTHING = 0.1;

/** Trains one Mixer (same init seed for every training kind, so only the loss differs). */
export async function trainModel(connectivity: Connectivity, training: Training, data: ExampleData, o: ExampleOptions): Promise<TrainedModel> {
  const model = fashionMixer(data, o, connectivity, o.seed);
  let branches: BranchExits | undefined;
  let branchWeights: readonly number[] | undefined;
  let extra: Parameters<typeof train>[2]['extraLoss'];
  if (training === 'aligned') extra = alignedExitLoss({ labelSmoothing: LABEL_SMOOTHING });
  if (training === 'branches') {
    branches = attachBranches(model, { layers: o.branchLayers ?? defaultBranchLayers(o.depth) });
    branchWeights = o.branchWeights ?? defaultBranchWeights(branches.branchLayers.length);
    extra = branchExitLoss(branches, branchWeights, { labelSmoothing: LABEL_SMOOTHING });
  }
  const what = training === 'plain' ? 'plain loss' : training === 'aligned' ? 'Aligned shared-head exit loss' : `branches at ${branches!.branchLayers.join(', ')} (weights ${branchWeights!.join(', ')})`;
  console.log(`\n== ${connectivity} Mixer, ${what}: depth ${o.depth}, width ${o.width}, ${model.paramCount().toLocaleString()} params, ${o.epochs} epochs on ${data.train.count} images ==`);
  const t0 = performance.now();
  const result = await train(model, data.train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    warmupEpochs: Math.min(o.warmupEpochs, o.epochs),
    // extraLoss is a closure and cannot cross threads: exit-loss training stays on the main thread.
    workers: extra === undefined ? o.workers : 0,
    labelSmoothing: LABEL_SMOOTHING,
    clipNorm: 1,
    seed: o.seed,
    probes: training === 'aligned',
    extraLoss: extra,
  });
  result.optimizer.dispose();
  branches?.release();
  return { connectivity, training, model, branches, branchWeights, history: result.history, seconds: (performance.now() - t0) / 1000 };
}
