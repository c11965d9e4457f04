/**
 * Train one model and measure what every experiment reads: final and best-epoch test accuracy,
 * probe accuracies of every prefix, the cutoff layer, and per-epoch train / test loss.
 */
import { fromImageDataset, train, type ArrayDataset, type BlockModel, type ProgressMode, type TrainOptions, type TrainerCallbacks } from '@acn/core';
import type { ImageDataset } from '@acn/datasets';
import { cutoffLayer, probeLayers } from '@acn/metrics';
import { trainWorkers } from './model';
import type { PaperOptions } from './options';

/** What `fit` measured. Accuracies are fractions. */
export interface FitOutcome {
  /** Test accuracy after the last epoch. */
  readonly finalAccuracy: number;
  /** Best per-epoch test accuracy and its epoch (1-based; acn.md A12: the paper likely reports this). */
  readonly bestAccuracy: number;
  readonly bestEpoch: number;
  /** Probe accuracy of prefixes 0..L after training (index L = the full model). */
  readonly probeAccuracy: number[];
  /** Smallest k with probe(k) >= probe(L) − δ. */
  readonly cutoffLayer: number;
  /** Per-epoch mean training loss (with label smoothing, as optimised). */
  readonly trainLoss: number[];
  /** Per-epoch test loss (plain cross-entropy) and accuracy. */
  readonly testLoss: number[];
  readonly testAccuracy: number[];
  readonly seconds: number;
  /** Worker threads that trained (0 = the main thread; see `trainWorkers`). */
  readonly workers: number;
}

/** Per-call extras of {@link fit}. */
export interface FitExtras {
  readonly callbacks?: readonly TrainerCallbacks[];
  readonly extraLoss?: TrainOptions['extraLoss'];
  readonly probes?: boolean;
  /** Train this view of the model instead (e.g. `directGradientOnly(model)`; always on the main thread); probing uses `model`. */
  readonly trainView?: BlockModel;
  readonly epochs?: number;
  readonly progress?: ProgressMode;
}

/** `ImageDataset` → `ArrayDataset` (shares the arrays). */
export function toArrays(ds: ImageDataset): ArrayDataset {
  return fromImageDataset(ds);
}

/**
 * Trains `model` with the options' recipe (AdamW, warm-up + cosine, label smoothing, clipping 1.0,
 * the run's seed for shuffling, `--workers` threads unless a view or an extra loss is trained),
 * evaluating on `test` every epoch, then probes every prefix.
 *
 * @example
 * ```ts
 * const r = await fit(model, train, test, opts, 0);
 * console.log(r.finalAccuracy, r.cutoffLayer);
 * ```
 */
export async function fit(model: BlockModel, trainSet: ArrayDataset, test: ArrayDataset, o: PaperOptions, seed: number, extras: FitExtras = {}): Promise<FitOutcome> {
  const epochs = extras.epochs ?? o.epochs;
  const t0 = performance.now();
  const trained = extras.trainView ?? model;
  const result = await train(trained, trainSet, {
    epochs,
    batchSize: o.batch,
    lr: o.lr,
    warmupEpochs: Math.min(o.warmup, epochs),
    labelSmoothing: o.labelSmoothing,
    clipNorm: 1,
    seed,
    evalData: test,
    callbacks: extras.callbacks ? [...extras.callbacks] : undefined,
    extraLoss: extras.extraLoss,
    probes: extras.probes,
    progress: extras.progress ?? 'auto',
    workers: trainWorkers(o, trained, extras.extraLoss),
  });
  result.optimizer.dispose();
  const testAccuracy = result.history.map((h) => h.eval!.accuracy);
  const best = testAccuracy.reduce((bi, a, i) => (a > testAccuracy[bi] ? i : bi), 0);
  const probes = probeLayers(model, test);
  return {
    finalAccuracy: testAccuracy[testAccuracy.length - 1],
    bestAccuracy: testAccuracy[best],
    bestEpoch: best + 1,
    probeAccuracy: probes.accuracy,
    cutoffLayer: cutoffLayer(probes.accuracy, { delta: o.delta }).relativeToFinal,
    trainLoss: result.history.map((h) => h.trainLoss),
    testLoss: result.history.map((h) => h.eval!.loss),
    testAccuracy,
    seconds: (performance.now() - t0) / 1000,
    workers: result.workers,
  };
}
