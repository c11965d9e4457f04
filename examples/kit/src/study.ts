/**
 * Train → probe → cutoff → truncate → measure, over several connectivities of one architecture:
 * the study the auto-compression and ViT examples run (acn.md §4, §5.10). Each example supplies
 * only how to build its model; this writes `<name>.json` (validated by @acn/metrics' schema) and
 * `<name>.html`.
 */
import { checkpointBytes, modelCost, modelLatency, train, truncate, type BlockModel, type Connectivity } from '@acn/core';
import {
  ContributionTracker,
  DirectGradientTracker,
  GradientNormTracker,
  cutoffLayer,
  formatBytes,
  formatSi,
  formatTable,
  probeLayers,
  probeTable,
  renderHtmlReport,
  validateResults,
  type AutoCompressionResults,
} from '@acn/metrics';
import { startBackend } from './backend';
import { loadFashionMnistSplits, type ImageData } from './data';
import type { StudyOptions } from './options';
import { writeResultJson, writeResultText } from './results';

/**
 * Cost and measured latency of one model.
 *
 * @example
 * ```ts
 * const d: Deployment = await deployment(model, data.test, 5);
 * ```
 */
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

/**
 * Everything measured for one connectivity.
 *
 * @example
 * ```ts
 * const run: StudyRun = await trainAndProbe(model, 'acn', data, o);
 * ```
 */
export interface StudyRun<M extends BlockModel = BlockModel> {
  readonly connectivity: Connectivity;
  readonly model: M;
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
  /** Worker threads that trained the model (0: the main thread; see `--workers`). */
  readonly workers: number;
  readonly full: Deployment;
}

/** The recipe of every study run (the auto-compression example's). */
export const STUDY_RECIPE = { labelSmoothing: 0.1, clipNorm: 1, weightDecay: 0.01 } as const;

/**
 * Measures accuracy, params, FLOPs, checkpoint bytes and latency (median, batch 1 and 128).
 *
 * @example
 * ```ts
 * const { flops, latencyMs } = await deployment(truncate(model, 4), data.test, 5);
 * ```
 */
export async function deployment(model: BlockModel, test: ImageData['test'], repeats: number): Promise<Deployment> {
  const cost = modelCost(model);
  const bytes = checkpointBytes(model);
  const latency = await modelLatency(model, test.sampleShape, { batchSizes: [1, 128], repeats, warmup: 3 });
  const { accuracy } = probeLayers(model, test);
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

/**
 * Truncates `model` to `layers` blocks (clamped to 1..depth), measures the smaller model, frees it.
 *
 * @example
 * ```ts
 * const cut = await truncated(model, run.cutoffLayer, data.test, 5);
 * ```
 */
export async function truncated(model: BlockModel, layers: number, test: ImageData['test'], repeats: number): Promise<Deployment> {
  const small = truncate(model, Math.max(1, Math.min(layers, model.depth)));
  try {
    return await deployment(small, test, repeats);
  } finally {
    small.dispose();
  }
}

/**
 * Trains `model` with the study recipe (gradient-norm, contribution and, every `o.dgfgEvery`
 * steps, direct-vs-full gradient trackers), then probes every prefix, finds the cutoff layer and
 * measures the full model.
 *
 * @example
 * ```ts
 * const run = await trainAndProbe(createMixer(cfg), 'acn', data, o);
 * console.log(run.cutoffLayer, run.full.testAccuracy);
 * ```
 */
export async function trainAndProbe<M extends BlockModel>(model: M, connectivity: Connectivity, data: ImageData, o: StudyOptions): Promise<StudyRun<M>> {
  const gradNorms = new GradientNormTracker(model.depth);
  const contribution = new ContributionTracker();
  const dgfg = o.dgfgEvery > 0 ? new DirectGradientTracker(model, { every: o.dgfgEvery, labelSmoothing: STUDY_RECIPE.labelSmoothing }) : undefined;
  const t0 = performance.now();
  const result = await train(model, data.train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    warmupEpochs: Math.min(o.warmupEpochs, o.epochs),
    workers: o.workers,
    labelSmoothing: STUDY_RECIPE.labelSmoothing,
    clipNorm: STUDY_RECIPE.clipNorm,
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
    workers: result.workers,
    full: await deployment(model, data.test, o.latencyRepeats),
  };
}

/**
 * What an example supplies to {@link runStudy}: its name, its model, and how to label it.
 *
 * @example
 * ```ts
 * const spec: StudySpec<Opts, MlpMixer> = { name: 'auto-compression', title: '...', model: 'mixer', build, describe };
 * ```
 */
export interface StudySpec<O extends StudyOptions, M extends BlockModel> {
  /** Base name of the result files (`<name>.json`, `<name>.html`). */
  readonly name: string;
  /** Title of the HTML report. */
  readonly title: string;
  /** `config.model` of the results JSON. */
  readonly model: string;
  /** A fresh untrained model of one connectivity. */
  build(connectivity: Connectivity, data: ImageData, o: O): M;
  /** The header printed before training (architecture, size, budget). */
  describe(model: M, connectivity: Connectivity, data: ImageData, o: O): string;
  /** Display label of a run (default: the connectivity). */
  label?(connectivity: Connectivity): string;
  /** Extra fields of each run in the results JSON. */
  runFields?(run: StudyRun<M>): Record<string, unknown>;
}

const pct = (a: number) => `${(100 * a).toFixed(2)}%`;

/**
 * The "full vs truncated" table: blocks, accuracy, params, FLOPs, checkpoint and latency.
 *
 * @example
 * ```ts
 * console.log(comparisonTable(run.full, cut, 'AC model: full vs truncated'));
 * ```
 */
export function comparisonTable(full: Deployment, cut: Deployment, title: string): string {
  const ms = (a: number) => `${a.toFixed(2)} ms`;
  const rows = [
    { metric: 'blocks', full: full.layers, truncated: cut.layers, ratio: (cut.layers / full.layers).toFixed(2) },
    { metric: 'test accuracy', full: pct(full.testAccuracy), truncated: pct(cut.testAccuracy), ratio: `${(100 * (cut.testAccuracy - full.testAccuracy)).toFixed(2)} pts` },
    { metric: 'params', full: full.params.toLocaleString(), truncated: cut.params.toLocaleString(), ratio: (cut.params / full.params).toFixed(2) },
    { metric: 'FLOPs / sample', full: formatSi(full.flops), truncated: formatSi(cut.flops), ratio: (cut.flops / full.flops).toFixed(2) },
    { metric: 'checkpoint', full: formatBytes(full.bytes), truncated: formatBytes(cut.bytes), ratio: (cut.bytes / full.bytes).toFixed(2) },
    { metric: 'latency, batch 1', full: ms(full.latencyMs.batch1), truncated: ms(cut.latencyMs.batch1), ratio: (cut.latencyMs.batch1 / full.latencyMs.batch1).toFixed(2) },
    { metric: 'latency, batch 128', full: ms(full.latencyMs.batch128), truncated: ms(cut.latencyMs.batch128), ratio: (cut.latencyMs.batch128 / full.latencyMs.batch128).toFixed(2) },
  ];
  return formatTable(rows, { title });
}

/** JSON has no NaN: a metric that is undefined for a step (e.g. a zero gradient norm) becomes null. */
function finiteOrNull(m: number[][]): (number | null)[][] {
  return m.map((row) => row.map((v) => (Number.isFinite(v) ? v : null)));
}

function deploymentJson(d: Deployment) {
  return { layers: d.layers, testAccuracy: d.testAccuracy, params: d.params, flops: d.flops, bytes: d.bytes, gzipBytes: d.gzipBytes, latencyMs: d.latencyMs };
}

/**
 * The results JSON of a study in @acn/metrics' auto-compression shape (validate before writing).
 *
 * @example
 * ```ts
 * const results = validateResults(studyResults(spec, o, data, runs, cuts, sameDepth, 120, 'wasm'));
 * ```
 */
export function studyResults<O extends StudyOptions, M extends BlockModel>(
  spec: StudySpec<O, M>,
  o: O,
  data: ImageData,
  runs: readonly StudyRun<M>[],
  cuts: ReadonlyMap<StudyRun<M>, Deployment>,
  sameDepth: ReadonlyMap<StudyRun<M>, Deployment>,
  seconds: number,
  backend: string,
): AutoCompressionResults {
  return {
    dataset: data.name,
    trainSize: data.train.count,
    testSize: data.test.count,
    seed: o.seed,
    durationSeconds: seconds,
    config: { ...(o as unknown as Record<string, unknown>), backend, model: spec.model, ...STUDY_RECIPE, cutoffDelta: o.delta },
    runs: runs.map((r) => {
      const cut = cuts.get(r);
      const same = sameDepth.get(r);
      return {
        connectivity: r.connectivity,
        ...(spec.runFields?.(r) ?? {}),
        depth: r.model.depth,
        epochs: o.epochs,
        testAccuracy: r.full.testAccuracy,
        probeAccuracy: r.probeAccuracy,
        probeLoss: r.probeLoss,
        cutoffLayer: r.cutoffLayer,
        cutoffLayerRelativeToBest: r.cutoffBest,
        params: r.full.params,
        flops: r.full.flops,
        gradNorms: r.gradNorms,
        probeHistory: r.probeHistory,
        contribution: r.contribution,
        trainLoss: r.trainLoss,
        durationSeconds: r.seconds,
        full: { params: r.full.params, flops: r.full.flops, bytes: r.full.bytes, gzipBytes: r.full.gzipBytes, latencyMs: r.full.latencyMs },
        ...(r.dgfg ? { dgfg: { cosine: finiteOrNull(r.dgfg.cosine), normRatio: finiteOrNull(r.dgfg.normRatio) } } : {}),
        ...(cut ? { truncated: deploymentJson(cut) } : {}),
        ...(same ? { truncatedAtAcCutoff: deploymentJson(same) } : {}),
      };
    }) as AutoCompressionResults['runs'],
  };
}

/**
 * The whole study: backend, data, one trained and probed model per connectivity, every model cut
 * at its own cutoff (and the non-AC ones also at the AC cutoff, to show what the same truncation
 * costs without auto-compression), tables on stdout, `<name>.json` + `<name>.html` in `o.outDir`.
 * Returns the JSON path; every model is disposed.
 *
 * @example
 * ```ts
 * const jsonPath = await runStudy(spec, cli.parse(['--quick']) as Opts);
 * ```
 */
export async function runStudy<O extends StudyOptions, M extends BlockModel>(spec: StudySpec<O, M>, o: O): Promise<string> {
  const t0 = performance.now();
  const backend = await startBackend(o.backend);
  const data = await loadFashionMnistSplits(o);
  const label = (r: StudyRun<M>) => spec.label?.(r.connectivity) ?? r.connectivity;

  const runs: StudyRun<M>[] = [];
  try {
    for (const c of o.connectivities) {
      const model = spec.build(c, data, o);
      console.log(`\n== ${spec.describe(model, c, data, o)} ==`);
      try {
        runs.push(await trainAndProbe(model, c, data, o));
      } catch (e) {
        model.dispose();
        throw e;
      }
    }

    const acn = runs.find((r) => r.connectivity === 'acn');
    const cuts = new Map<StudyRun<M>, Deployment>();
    for (const r of runs) if (r.cutoffLayer < r.model.depth) cuts.set(r, await truncated(r.model, r.cutoffLayer, data.test, o.latencyRepeats));
    const sameDepth = new Map<StudyRun<M>, Deployment>();
    for (const r of runs) {
      if (acn && r !== acn && acn.cutoffLayer < r.model.depth) sameDepth.set(r, await truncated(r.model, acn.cutoffLayer, data.test, o.latencyRepeats));
    }

    console.log(`\n${probeTable(runs.map((r) => ({ connectivity: r.connectivity, label: label(r), depth: r.model.depth, probeAccuracy: r.probeAccuracy, cutoffLayer: r.cutoffLayer })))}`);
    for (const r of runs) {
      console.log(
        `${label(r)}: test accuracy ${pct(r.full.testAccuracy)}, cutoff layer ${r.cutoffLayer}/${r.model.depth} ` +
          `(delta ${(100 * o.delta).toFixed(1)} pts; ${r.cutoffBest} relative to the best probe), trained in ${r.seconds.toFixed(0)} s ${r.workers > 0 ? `on ${r.workers} worker threads` : 'on the main thread'}`,
      );
    }
    for (const [r, d] of sameDepth) console.log(`${label(r)} truncated to ${d.layers} blocks (the AC cutoff): ${pct(d.testAccuracy)}`);
    if (acn && cuts.has(acn)) console.log(`\n${comparisonTable(acn.full, cuts.get(acn)!, `${label(acn)}: full vs truncated at its cutoff (latency = median)`)}`);
    else if (acn) console.log(`\n${label(acn)} needs all its blocks at this delta: nothing to truncate.`);

    const results = validateResults(studyResults(spec, o, data, runs, cuts, sameDepth, (performance.now() - t0) / 1000, backend.name));
    const jsonPath = writeResultJson(o.outDir, `${spec.name}.json`, results);
    writeResultText(o.outDir, `${spec.name}.html`, await renderHtmlReport(results, { title: spec.title }));
    console.log(`\nwrote ${jsonPath} and ${spec.name}.html (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`);
    return jsonPath;
  } finally {
    for (const r of runs) r.model.dispose();
  }
}
