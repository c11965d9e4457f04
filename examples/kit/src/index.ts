/**
 * `@acn-examples/kit`: what the runnable examples share, so each example keeps only what is its
 * own. Private (never published); examples import the public `@acn/*` entry points through it.
 *
 * @example
 * ```ts
 * import { defineCli, runMain, runOptions, studyOptions, runStudy } from '@acn-examples/kit';
 * const cli = defineCli({ name: 'demo', summary: '...', usage: 'pnpm demo -- [options]', defaults, quick, options: [...studyOptions(), ...runOptions()] });
 * runMain(import.meta.url, cli, (o) => runStudy(spec, o));
 * ```
 */
export { defineCli, withOption } from './cli';
export type { Cli, CliSpec, OptionKind, OptionSpec } from './cli';
export { mixerShapeOptions, runOptions, studyOptions, trainingOptions } from './options';
export type { MixerShapeOptions, RunOptions, StudyOptions, TrainingOptions } from './options';
export { isMain, runCli, runMain } from './main';
export { startBackend } from './backend';
export { loadFashionMnistSplits } from './data';
export type { ImageData } from './data';
export { writeResultJson, writeResultText } from './results';
export { STUDY_RECIPE, comparisonTable, deployment, runStudy, studyResults, trainAndProbe, truncated } from './study';
export type { Deployment, StudyRun, StudySpec } from './study';
export { fashionMixer } from './mixer';
