/**
 * The early-exit example: trains residual and AC Mixers on Fashion-MNIST three ways (plain loss,
 * Aligned shared-head exit loss, joint branch exits), then for every exit configuration calibrates
 * the entropy threshold on a validation split, evaluates τ = 0.7 and the calibrated τ on the test
 * set (accuracy, average exit layer, FLOPs speed-up vs the full residual model, measured wall-clock
 * speed-up at batch 1 and 128) and writes results/early-exit.{json,html}.
 */
import { modelCost } from '@acn/core';
import { runMain, startBackend, writeResultJson, writeResultText } from '@acn-examples/kit';
import { cli, type ExampleOptions } from './cli';
import { loadExampleData } from './data';
import { exitRows, measure, plainRow, timingInputs, type Baseline, type ConfigResult, type CurveResult, type EvalContext } from './evaluate-configs';
import { renderReport } from './html';
import { buildResults, resultsTable, validateEarlyExitResults } from './results';
import { trainModel, type TrainedModel } from './train-models';

/** Runs the whole example and returns the path of the JSON it wrote. */
export async function runEarlyExit(o: ExampleOptions): Promise<string> {
  const t0 = performance.now();
  const backend = await startBackend(o.backend);
  const data = await loadExampleData(o);
  console.log(`data: ${data.name}: ${data.train.count} train / ${data.val.count} validation / ${data.test.count} test images`);

  const models: TrainedModel[] = [];
  const x = timingInputs(data.test);
  try {
    for (const c of ['residual', 'acn'] as const) {
      for (const t of ['plain', 'aligned', 'branches'] as const) models.push(await trainModel(c, t, data, o));
    }
    const get = (c: string, t: string) => models.find((m) => m.connectivity === c && m.training === t)!;

    console.log('\nevaluating: calibration sweeps, test-set curves, latency (median of repeated runs) ...');
    const resPlain = get('residual', 'plain');
    const baselineLatency = await measure(resPlain.model, { o, timingInputs: x });
    const baseline: Baseline = { flops: modelCost(resPlain.model).total.flops, latencyMs: baselineLatency };
    const ctx: EvalContext = { data, o, baseline, baselineModel: resPlain.model, timingInputs: x };

    const rows: ConfigResult[] = [];
    const curves: CurveResult[] = [];
    for (const c of ['residual', 'acn'] as const) {
      const plain = get(c, 'plain');
      rows.push(await plainRow(plain, ctx));
      for (const [t, kind] of [[plain, 'shared'], [get(c, 'aligned'), 'shared'], [get(c, 'branches'), 'branches']] as const) {
        const r = await exitRows(t, kind, ctx);
        rows.push(...r.rows);
        curves.push(r.curve);
      }
    }

    console.log(`\n${resultsTable(rows)}`);
    const seconds = (performance.now() - t0) / 1000;
    const results = validateEarlyExitResults(buildResults(o, data, rows, curves, models, baseline, backend.name, seconds));
    console.log(`\n${results.notes.join('\n')}`);
    const jsonPath = writeResultJson(o.outDir, 'early-exit.json', results);
    writeResultText(o.outDir, 'early-exit.html', await renderReport(results, 'Early exit: residual vs AC Mixers on Fashion-MNIST'));
    console.log(`\nwrote ${jsonPath} and early-exit.html (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`);
    return jsonPath;
  } finally {
    x.dispose();
    for (const m of models) {
      m.branches?.dispose();
      m.model.dispose();
    }
  }
}

runMain(import.meta.url, cli, runEarlyExit);
