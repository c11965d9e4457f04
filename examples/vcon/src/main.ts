/**
 * The VCON example: one trained AC-Mixer on Fashion-MNIST, then for each modality (90% pruning,
 * binary weights, low rank with ≥4× fewer FLOPs, depth) and seed: compress at once and fine-tune
 * N steps (baseline) versus VCON with Q < N for the same N steps and optimizer. Reports test
 * accuracy, bytes and FLOPs ratios; writes results/vcon.json (or vcon-long.json with --budget long).
 */
import { evaluate, truncate, type BlockModel } from '@acn/core';
import { formatTable } from '@acn/metrics';
import { loadFashionMnistSplits, runMain, startBackend, writeResultJson, type ImageData } from '@acn-examples/kit';
import { stepsPerEpoch } from '@acn/vcon';
import { budgetSteps, cli, type Modality, type VconExampleOptions } from './cli';
import { compressorModalities, footprint, type Footprint } from './modalities';
import { mean, std, validateVconResults, type ModalityResult, type VconResults } from './results';
import { baseModel, oneShotAccuracy, runCompressor, runDepth, type FineTuneOptions, type RunOutcome } from './run';

const pct = (a: number) => `${(100 * a).toFixed(2)}`;
const pm = (xs: readonly number[]) => `${pct(mean(xs))} ± ${pct(std(xs))}`;

function summarize(
  modality: Modality,
  setting: string,
  seeds: readonly number[],
  runs: { baseline: RunOutcome[]; vcon: RunOutcome[] },
  dense: Footprint,
  oneShot: number,
  keep?: number,
): ModalityResult {
  const b = runs.baseline.map((r) => r.accuracy);
  const v = runs.vcon.map((r) => r.accuracy);
  const d = v.map((x, i) => x - b[i]);
  const fp = runs.vcon[0].footprint; // FLOPs and params depend only on the compressed structure
  const bytesOf = (rs: RunOutcome[]) => rs.map((r) => r.footprint.bytes);
  const compressedBytes = mean([...bytesOf(runs.baseline), ...bytesOf(runs.vcon)]);
  return {
    modality,
    setting,
    baselineAccuracy: mean(b),
    vconAccuracy: mean(v),
    bytesRatio: dense.bytes / compressedBytes,
    flopsRatio: dense.flops / fp.flops,
    seeds: [...seeds],
    baselinePerSeed: b,
    vconPerSeed: v,
    baselineStd: std(b),
    vconStd: std(v),
    deltaMean: mean(d),
    deltaStd: std(d),
    vconWins: d.filter((x) => x > 0).length,
    oneShotAccuracy: oneShot,
    bytes: { uncompressed: dense.bytes, compressed: compressedBytes },
    compressedBytesPerRun: { baseline: bytesOf(runs.baseline), vcon: bytesOf(runs.vcon) },
    flops: { uncompressed: dense.flops, compressed: fp.flops },
    params: { uncompressed: dense.params, compressed: fp.params },
    blockDenseFlopsRatio: dense.blockDenseFlops / fp.blockDenseFlops,
    baselineSeconds: mean(runs.baseline.map((r) => r.seconds)),
    vconSeconds: mean(runs.vcon.map((r) => r.seconds)),
    baselineFinalLoss: mean(runs.baseline.map((r) => r.finalLoss)),
    vconFinalLoss: mean(runs.vcon.map((r) => r.finalLoss)),
    ...(keep !== undefined ? { keep } : {}),
  };
}

function report(r: VconResults): string {
  const rows = r.results.map((m) => ({
    modality: m.modality,
    'baseline acc %': pm(m.baselinePerSeed),
    'VCON acc %': pm(m.vconPerSeed),
    'VCON − baseline': `${m.deltaMean >= 0 ? '+' : ''}${pct(m.deltaMean)} ± ${pct(m.deltaStd)} (${m.vconWins}/${m.seeds.length} seeds)`,
    'no fine-tune %': pct(m.oneShotAccuracy),
    'bytes ratio': `${m.bytesRatio.toFixed(2)}x`,
    'FLOPs ratio': `${m.flopsRatio.toFixed(2)}x`,
    'block dense FLOPs': `${m.blockDenseFlopsRatio.toFixed(2)}x`,
  }));
  return formatTable(rows, {
    title: `${r.dataset}: uncompressed ${pct(r.uncompressedAccuracy)}%, N = ${r.steps} steps (${(r.steps / r.stepsPerEpoch).toFixed(1)} epochs), Q = ${r.Q} (mean ± std over ${r.results[0].seeds.length} seeds)`,
  });
}

/** Runs the whole example and returns the path of the JSON it wrote. */
export async function runVconExample(o: VconExampleOptions): Promise<string> {
  const t0 = performance.now();
  const backend = await startBackend(o.backend);
  const data: ImageData = await loadFashionMnistSplits(o);
  const { steps, Q } = budgetSteps(o, data.train.count);
  const perEpoch = stepsPerEpoch(data.train.count, o.batchSize);
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.seed + i);

  const base = await baseModel(o, data);
  const model: BlockModel = base.model;
  const dense = footprint(model, 'dense');
  const keep = o.keep ?? Math.max(1, Math.floor(model.depth / 2));
  if (keep >= model.depth) throw new Error(`--keep (${keep}) must be < the base model's depth (${model.depth})`);
  console.log(`\nfine-tuning budget '${o.budget}': N = ${steps} steps (${(steps / perEpoch).toFixed(1)} epochs of ${perEpoch}), Q = ${Q}; seeds ${seeds.join(', ')}`);

  const mods = compressorModalities(o, model);
  const results: ModalityResult[] = [];
  for (const modality of o.modalities) {
    const runs = { baseline: [] as RunOutcome[], vcon: [] as RunOutcome[] };
    const mod = mods.find((m) => m.modality === modality);
    const setting = mod ? mod.setting : `fade out blocks ${keep}..${model.depth - 1} of ${model.depth} (keep ${keep}; the baseline truncates at once)`;
    let oneShot: number;
    if (mod) oneShot = oneShotAccuracy(model, mod, data);
    else {
      const small = truncate(model, keep);
      oneShot = evaluate(small, data.test).accuracy;
      small.dispose();
    }
    console.log(`\n== ${modality}: ${setting}; before fine-tuning ${pct(oneShot)}% ==`);
    for (const seed of seeds) {
      const ft: FineTuneOptions = { steps, seed, lr: o.lr, batchSize: o.batchSize };
      for (const method of ['baseline', 'vcon'] as const) {
        const r = mod ? runCompressor(model, mod, method, Q, data, ft) : runDepth(model, keep, method, Q, data, ft);
        runs[method].push(r);
        console.log(`  seed ${seed} ${method.padEnd(8)} test ${pct(r.accuracy)}%  (last-epoch train loss ${r.finalLoss.toFixed(4)}, ${r.seconds.toFixed(1)} s)`);
      }
    }
    results.push(summarize(modality, setting, seeds, runs, dense, oneShot, mod ? undefined : keep));
  }

  const out: VconResults = validateVconResults({
    dataset: data.name,
    steps,
    Q,
    uncompressedAccuracy: base.testAccuracy,
    results,
    budget: o.budget,
    stepsPerEpoch: perEpoch,
    trainSize: data.train.count,
    testSize: data.test.count,
    batchSize: o.batchSize,
    lr: o.lr,
    schedule: `linear β(t) = max(1 − t/${Q}, 0); AdamW (wd 0.01), cosine lr ${o.lr} → 1e-6 over N, label smoothing 0.1, clip 1`,
    model: { ...model.config },
    baseTraining: { epochs: base.loadedFrom ? 0 : o.baseEpochs, seconds: base.seconds, ...(base.loadedFrom ? { loadedFrom: base.loadedFrom } : {}) },
    backend: backend.name,
    durationSeconds: (performance.now() - t0) / 1000,
  });
  model.dispose();
  console.log(`\n${report(out)}`);
  const path = writeResultJson(o.outDir, o.budget === 'long' ? 'vcon-long.json' : 'vcon.json', out);
  console.log(`\nwrote ${path} (${out.durationSeconds.toFixed(0)} s in all)`);
  return path;
}

runMain(import.meta.url, cli, runVconExample);
