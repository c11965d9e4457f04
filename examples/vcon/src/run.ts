/**
 * The pieces of one comparison: the base Mixer, the N-step fine-tuning loop shared by every run,
 * and one baseline or VCON run per modality and seed.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  AdamW,
  compressorHook,
  copyWeights,
  createModel,
  evaluate,
  loadCheckpoint,
  makeBatch,
  Rng,
  saveCheckpoint,
  tf,
  train,
  trainStep,
  truncate,
  warmupCosine,
  type ArrayDataset,
  type BlockModel,
} from '@acn/core';
import { fadeDepth, vcon } from '@acn/vcon';
import type { VconExampleOptions } from './cli';
import { fashionMixer, type ImageData } from '@acn-examples/kit';
import { footprint, type CompressorModality, type Footprint } from './modalities';

/** Label smoothing and clipping of every training run (the auto-compression example's recipe). */
export const RECIPE = { labelSmoothing: 0.1, clipNorm: 1, minLr: 1e-6 } as const;

/** The trained base model and where it came from. */
export interface BaseModel {
  readonly model: BlockModel;
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly loadedFrom?: string;
}

function hasCheckpoint(dir: string | undefined): dir is string {
  return !!dir && existsSync(dir) && readdirSync(dir).length > 0;
}

/**
 * Trains the AC-Mixer of the auto-compression example (at `o.depth`), or loads it from
 * `o.checkpoint` when that directory holds one (and saves it there after training otherwise).
 */
export async function baseModel(o: VconExampleOptions, data: ImageData): Promise<BaseModel> {
  const t0 = performance.now();
  if (hasCheckpoint(o.checkpoint)) {
    const { model } = loadCheckpoint(o.checkpoint);
    const { accuracy } = evaluate(model, data.test);
    console.log(`base model loaded from ${o.checkpoint}: depth ${model.depth}, ${model.paramCount().toLocaleString()} params, test accuracy ${(100 * accuracy).toFixed(2)}%`);
    return { model, testAccuracy: accuracy, seconds: (performance.now() - t0) / 1000, loadedFrom: o.checkpoint };
  }
  const model = fashionMixer(data, o, 'acn', o.seed);
  console.log(`\n== base AC-Mixer: depth ${o.depth}, width ${o.width}, ${model.paramCount().toLocaleString()} params, ${o.baseEpochs} epochs on ${data.train.count} images ==`);
  const res = await train(model, data.train, {
    epochs: o.baseEpochs,
    batchSize: o.batchSize,
    lr: o.baseLr,
    warmupEpochs: Math.min(1, o.baseEpochs),
    labelSmoothing: RECIPE.labelSmoothing,
    clipNorm: RECIPE.clipNorm,
    minLr: RECIPE.minLr,
    seed: o.seed,
    progress: o.quick ? 'none' : 'lines',
  });
  res.optimizer.dispose();
  if (o.checkpoint) {
    mkdirSync(dirname(resolve(o.checkpoint)), { recursive: true });
    saveCheckpoint(o.checkpoint, { model, metadata: { source: 'vcon-example base model' } });
  }
  const { accuracy } = evaluate(model, data.test);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`base model: test accuracy ${(100 * accuracy).toFixed(2)}% after ${seconds.toFixed(0)} s${o.checkpoint ? ` (saved to ${o.checkpoint})` : ''}`);
  return { model, testAccuracy: accuracy, seconds };
}

/** A fresh model with the base model's configuration and weights (core `createModel` + `copyWeights`). */
export function copyOf(base: BlockModel): BlockModel {
  const m = createModel(base.config);
  m.applyStructure(base.structure());
  copyWeights(base, m);
  return m;
}

/** Options of the fine-tuning loop; identical for every baseline and VCON run. */
export interface FineTuneOptions {
  readonly steps: number;
  readonly seed: number;
  readonly lr: number;
  readonly batchSize: number;
}

/**
 * N optimizer steps of AdamW (core defaults, weight decay 0.01) with a cosine learning rate from
 * `lr` to 1e-6, label smoothing 0.1 and clipping at 1, on seeded reshuffled epochs (as core's
 * trainer does). Before each step it signals `model.hooks.step(t)` (VCON's β, pruning masks), and
 * after the last one `model.hooks.step(N)`, so a transition with Q < N ends at β = 0.
 */
export function fineTune(model: BlockModel, data: ArrayDataset, o: FineTuneOptions): { finalLoss: number } {
  const opt = new AdamW();
  const rng = new Rng(o.seed);
  const lr = warmupCosine({ peakLr: o.lr, warmupSteps: 0, totalSteps: o.steps, minLr: RECIPE.minLr });
  const perEpoch = Math.ceil(data.count / o.batchSize);
  let order = rng.permutation(data.count);
  let lossSum = 0;
  let lossCount = 0;
  for (let t = 0; t < o.steps; t++) {
    const s = t % perEpoch;
    if (s === 0 && t > 0) order = rng.permutation(data.count);
    const idx = order.subarray(s * o.batchSize, Math.min((s + 1) * o.batchSize, data.count));
    model.hooks.step(t);
    const { x, y } = makeBatch(data, idx);
    try {
      const { loss } = trainStep(model, opt, x, y, { lr: lr(t), labelSmoothing: RECIPE.labelSmoothing, clipNorm: RECIPE.clipNorm, step: t });
      if (t >= o.steps - perEpoch) {
        lossSum += loss;
        lossCount += 1;
      }
    } finally {
      tf.dispose([x, y]);
    }
  }
  model.hooks.step(o.steps);
  opt.dispose();
  return { finalLoss: lossSum / Math.max(1, lossCount) };
}

/** One fine-tuned, baked model's outcome. */
export interface RunOutcome {
  readonly accuracy: number;
  readonly finalLoss: number;
  readonly seconds: number;
  readonly footprint: Footprint;
}

/**
 * Compress-then-fine-tune (`baseline`: `compressorHook`, β = 0 from step 0) or VCON (`vcon`:
 * `vcon(compressor, { Q })`) for N steps on a copy of the base model; then bake (β = 0) and measure
 * the deployed model.
 */
export function runCompressor(
  base: BlockModel,
  mod: CompressorModality,
  method: 'baseline' | 'vcon',
  Q: number,
  data: ImageData,
  ft: FineTuneOptions,
): RunOutcome {
  const t0 = performance.now();
  const model = copyOf(base);
  try {
    const hook = method === 'baseline' ? compressorHook(mod.make()) : vcon(mod.make(), { Q });
    const handle = model.hooks.attach(hook);
    const { finalLoss } = fineTune(model, data.train, ft);
    const attached = evaluate(model, data.test).accuracy;
    handle.bake();
    const accuracy = evaluate(model, data.test).accuracy;
    if (Math.abs(accuracy - attached) > 2 / data.test.count) {
      throw new Error(`${mod.modality}/${method}: the baked model scores ${accuracy}, the attached one ${attached}; bake must not change the model`);
    }
    return { accuracy, finalLoss, seconds: (performance.now() - t0) / 1000, footprint: footprint(model, mod.modality) };
  } finally {
    model.dispose();
  }
}

/** Accuracy of the compressed model before any fine-tuning (the "post-shot" starting point). */
export function oneShotAccuracy(base: BlockModel, mod: CompressorModality, data: ImageData): number {
  const model = copyOf(base);
  try {
    model.hooks.attach(compressorHook(mod.make()));
    return evaluate(model, data.test).accuracy;
  } finally {
    model.dispose();
  }
}

/**
 * Depth: `baseline` truncates to `keep` blocks at once and fine-tunes the small model; `vcon`
 * fades blocks ≥ keep out over Q steps (`fadeDepth`) while fine-tuning the full model, then
 * truncates (`fade.truncate()`). Same N steps and optimizer.
 */
export function runDepth(base: BlockModel, keep: number, method: 'baseline' | 'vcon', Q: number, data: ImageData, ft: FineTuneOptions): RunOutcome {
  const t0 = performance.now();
  if (method === 'baseline') {
    const small = truncate(base, keep);
    try {
      const { finalLoss } = fineTune(small, data.train, ft);
      const accuracy = evaluate(small, data.test).accuracy;
      return { accuracy, finalLoss, seconds: (performance.now() - t0) / 1000, footprint: footprint(small, 'depth') };
    } finally {
      small.dispose();
    }
  }
  const model = copyOf(base);
  try {
    const fade = fadeDepth(model, { keep, Q });
    model.hooks.attach(fade);
    const { finalLoss } = fineTune(model, data.train, ft);
    const attached = evaluate(model, data.test).accuracy;
    const small = fade.truncate();
    try {
      const accuracy = evaluate(small, data.test).accuracy;
      if (Math.abs(accuracy - attached) > 2 / data.test.count) {
        throw new Error(`depth/vcon: the truncated model scores ${accuracy}, the faded one ${attached}; at β = 0 they must agree`);
      }
      return { accuracy, finalLoss, seconds: (performance.now() - t0) / 1000, footprint: footprint(small, 'depth') };
    } finally {
      small.dispose();
    }
  } finally {
    model.dispose();
  }
}
