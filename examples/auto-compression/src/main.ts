/**
 * The auto-compression demo (the README's main job): trains an AC-Mixer and a residual Mixer of
 * the same size and budget on Fashion-MNIST, shows the probe accuracy of every prefix and the
 * cutoff layers, truncates the AC model at its cutoff and reports accuracy, params, FLOPs,
 * checkpoint bytes and measured latency before vs after; writes results/auto-compression.{json,html}.
 */
import type { MlpMixer } from '@acn/core';
import { fashionMixer, runMain, runStudy, type StudySpec } from '@acn-examples/kit';
import { cli, type DemoOptions } from './cli';

/** What is this example's own: a Fashion-MNIST Mixer per connectivity. */
export const SPEC: StudySpec<DemoOptions, MlpMixer> = {
  name: 'auto-compression',
  title: 'Auto-compression: AC-Mixer vs residual Mixer on Fashion-MNIST',
  model: 'mixer',
  build: (connectivity, data, o) => fashionMixer(data, o, connectivity, o.seed),
  describe: (model, connectivity, data, o) =>
    `${connectivity} Mixer: depth ${o.depth}, width ${o.width}, ${model.paramCount().toLocaleString()} params, ${o.epochs} epochs on ${data.train.count} images`,
};

/** Runs the whole demo and returns the path of the JSON it wrote. */
export const runDemo = (o: DemoOptions): Promise<string> => runStudy(SPEC, o);

runMain(import.meta.url, cli, runDemo);
