import type { AutoCompressionResults } from '@acn/metrics';
import type { VitExampleOptions } from './cli';
import type { VitData } from './data';
import type { Deployment, RunOutcome } from './run';

/** JSON has no NaN: a metric that is undefined for a step (e.g. a zero gradient norm) becomes null. */
function finiteOrNull(m: number[][]): (number | null)[][] {
  return m.map((row) => row.map((v) => (Number.isFinite(v) ? v : null)));
}

function truncatedJson(d: Deployment) {
  return { layers: d.layers, testAccuracy: d.testAccuracy, params: d.params, flops: d.flops, bytes: d.bytes, gzipBytes: d.gzipBytes, latencyMs: d.latencyMs };
}

/**
 * Assembles `results/vit.json` in the auto-compression results shape (validated by @acn/metrics'
 * `validateResults` before writing). Each run also records its full model config (quirks included).
 */
export function buildResults(
  o: VitExampleOptions,
  data: VitData,
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
    config: { ...o, backend, model: 'vit', labelSmoothing: 0.1, clipNorm: 1, weightDecay: 0.01, cutoffDelta: o.delta },
    runs: runs.map((r) => {
      const cut = cuts.get(r);
      const same = sameDepth.get(r);
      return {
        connectivity: r.connectivity,
        label: `${r.connectivity === 'acn' ? 'AC' : r.connectivity === 'residual' ? 'Res' : 'FF'}-ViT`,
        config: { ...r.model.config },
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
