import type { AutoCompressionResults } from '@acn/metrics';
import type { DemoOptions } from './cli';
import type { DemoData } from './data';
import type { Deployment, RunOutcome } from './run';

/** JSON has no NaN: a metric that is undefined for a step (e.g. a zero gradient norm) becomes null. */
function finiteOrNull(m: number[][]): (number | null)[][] {
  return m.map((row) => row.map((v) => (Number.isFinite(v) ? v : null)));
}

function truncatedJson(d: Deployment) {
  return { layers: d.layers, testAccuracy: d.testAccuracy, params: d.params, flops: d.flops, bytes: d.bytes, gzipBytes: d.gzipBytes, latencyMs: d.latencyMs };
}

/** Assembles `results/auto-compression.json` (validated by @acn/metrics' schema before writing). */
export function buildResults(
  o: DemoOptions,
  data: DemoData,
  runs: readonly RunOutcome[],
  cuts: ReadonlyMap<RunOutcome, Deployment>,
  sameDepth: ReadonlyMap<RunOutcome, Deployment>,
  seconds: number,
  backend: string,
): AutoCompressionResults {
  return {
    dataset: data.name,
    trainSize: data.train.count,
    testSize: data.test.count,
    seed: o.seed,
    durationSeconds: seconds,
    config: { ...o, backend, model: 'mixer', labelSmoothing: 0.1, clipNorm: 1, weightDecay: 0.01, cutoffDelta: o.delta },
    runs: runs.map((r) => {
      const cut = cuts.get(r);
      const same = sameDepth.get(r);
      return {
        connectivity: r.connectivity,
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
        ...(cut ? { truncated: truncatedJson(cut) } : {}),
        ...(same ? { truncatedAtAcCutoff: truncatedJson(same) } : {}),
      };
    }) as AutoCompressionResults['runs'],
  };
}
