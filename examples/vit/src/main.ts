/**
 * The ViT example: trains an AC-ViT and a residual ViT of the same size and budget on
 * Fashion-MNIST, shows the probe accuracy of every prefix (shared head on the partial sums / block
 * outputs) and the cutoff layers, truncates each model at its cutoff (and the residual one at the
 * AC cutoff) and reports accuracy, params, FLOPs, checkpoint bytes and measured latency before vs
 * after; writes results/vit.{json,html}.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend, writeFileAtomic } from '@acn/core';
import { formatBytes, formatSi, formatTable, probeTable, renderHtmlReport, validateResults } from '@acn/metrics';
import { HELP, parseCli, type VitExampleOptions } from './cli';
import { loadVitData } from './data';
import { buildResults } from './results';
import { runOne, truncated, type Deployment, type RunOutcome } from './run';

const labelOf = (r: RunOutcome) => `${r.connectivity === 'acn' ? 'AC' : r.connectivity === 'residual' ? 'Res' : 'FF'}-ViT`;

function comparisonTable(full: Deployment, cut: Deployment): string {
  const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
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
  return formatTable(rows, { title: 'AC-ViT: full vs truncated at its cutoff (latency = median)' });
}

/** Runs the whole example and returns the path of the JSON it wrote. */
export async function runVitExample(o: VitExampleOptions): Promise<string> {
  const t0 = performance.now();
  const backend = await initBackend(o.backend);
  console.log(`backend: ${backend.name}${backend.fastPaths ? ' (+ wasm matmul fast paths)' : ''}`);
  const data = await loadVitData(o.dataDir, o.trainLimit, o.testLimit);
  console.log(`data: ${data.name}: ${data.train.count} train / ${data.test.count} test images`);

  const runs: RunOutcome[] = [];
  for (const c of o.connectivities) runs.push(await runOne(c, data, o));

  const acn = runs.find((r) => r.connectivity === 'acn');
  const cuts = new Map<RunOutcome, Deployment>();
  for (const r of runs) {
    // Every model is cut at its own cutoff; a residual model is also cut at the AC cutoff, to show
    // what the same truncation costs without auto-compression.
    if (r.cutoffLayer < r.model.depth) cuts.set(r, await truncated(r.model, r.cutoffLayer, data, o.latencyRepeats));
  }
  const sameDepth = new Map<RunOutcome, Deployment>();
  if (acn) {
    for (const r of runs) {
      if (r !== acn && acn.cutoffLayer < r.model.depth) sameDepth.set(r, await truncated(r.model, acn.cutoffLayer, data, o.latencyRepeats));
    }
  }

  console.log(`\n${probeTable(runs.map((r) => ({ connectivity: r.connectivity, label: labelOf(r), depth: r.model.depth, probeAccuracy: r.probeAccuracy, cutoffLayer: r.cutoffLayer })))}`);
  for (const r of runs) {
    console.log(
      `${labelOf(r)}: test accuracy ${(100 * r.full.testAccuracy).toFixed(2)}%, cutoff layer ${r.cutoffLayer}/${r.model.depth} ` +
        `(delta ${(100 * o.delta).toFixed(1)} pts; ${r.cutoffBest} relative to the best probe), trained in ${r.seconds.toFixed(0)} s`,
    );
  }
  for (const [r, d] of sameDepth) console.log(`${labelOf(r)} truncated to ${d.layers} blocks (the AC cutoff): ${(100 * d.testAccuracy).toFixed(2)}%`);
  if (acn && cuts.has(acn)) console.log(`\n${comparisonTable(acn.full, cuts.get(acn)!)}`);
  else if (acn) console.log('\nThe AC-ViT needs all its blocks at this delta: nothing to truncate.');

  const results = validateResults(buildResults(o, data, runs, cuts, sameDepth, (performance.now() - t0) / 1000, backend.name));
  const out = resolve(o.outDir);
  mkdirSync(out, { recursive: true });
  const jsonPath = join(out, 'vit.json');
  writeFileAtomic(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(join(out, 'vit.html'), await renderHtmlReport(results, { title: 'AC-ViT vs residual ViT on Fashion-MNIST' }));
  for (const r of runs) r.model.dispose();
  console.log(`\nwrote ${jsonPath} and vit.html (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`);
  return jsonPath;
}

async function main(): Promise<void> {
  let o;
  try {
    o = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (o === 'help') {
    console.log(HELP);
    return;
  }
  await runVitExample(o);
}

const isMain = process.argv[1] && resolve(process.argv[1]).replace(/\.ts$/, '') === resolve(new URL(import.meta.url).pathname).replace(/\.ts$/, '');
if (isMain) {
  main().catch((e) => {
    console.error(e instanceof Error ? `error: ${e.message}` : e);
    process.exit(1);
  });
}
