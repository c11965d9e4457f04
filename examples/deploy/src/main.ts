/**
 * Deploy what was compressed: the auto-compression demo's AC-Mixer in six forms (fp32, truncated
 * at the cutoff, + low rank, + int8, + 4-bit, structured-pruned), each exported to ONNX and
 * measured side by side: file size, test accuracy on onnxruntime-node (and agreement with the tfjs
 * model it came from), median latency at batch 1 and 128 on onnxruntime-node vs our tfjs-wasm
 * forward. Writes `results/deploy.{json,md}`, the `.onnx` files and the browser page's assets.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { initBackend, train, writeFileAtomic } from '@acn/core';
import { cutoffLayer, probeLayers } from '@acn/metrics';
import { loadOnnxRuntime, onnxSummary } from '@acn/onnx';
import { parseDeployArgs, type DeployOptions } from './cli';
import { accuracies, ortLatency, tfLatency } from './measure';
import { acMixer, loadData } from './model';
import { buildVariants } from './variants';
import { writeBrowserAssets } from './browser-assets';

/** One row of the table. */
export interface DeployRow {
  readonly form: string;
  readonly recipe: string;
  readonly blocks: number;
  readonly params: number;
  readonly fileBytes: number;
  readonly gzipBytes: number;
  readonly weightForms: Record<string, number>;
  readonly accuracy: { readonly tfjs: number; readonly onnx: number; readonly agree: number };
  readonly latencyMs: { readonly ort1: number; readonly tfjs1: number; readonly ort128: number; readonly tfjs128: number };
  readonly loadavg: string;
}

function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return 'n/a';
  }
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const ms = (v: number) => v.toFixed(2);

/** The markdown table of the rows. */
export function table(rows: readonly DeployRow[]): string {
  const head = '| form | blocks | .onnx | gzip | acc. ORT (tfjs) | ORT b1 ms | tfjs b1 ms | tfjs/ORT b1 | ORT b128 ms | tfjs b128 ms | tfjs/ORT b128 | ORT fp32/form b1, b128 |';
  const sep = '|---|---|---|---|---|---|---|---|---|---|---|---|';
  const base = rows[0]?.latencyMs;
  const lines = rows.map((r) => {
    const l = r.latencyMs;
    const vsFp32 = base ? `${(base.ort1 / l.ort1).toFixed(2)}x, ${(base.ort128 / l.ort128).toFixed(2)}x` : '';
    return `| ${r.form} | ${r.blocks} | ${kb(r.fileBytes)} | ${kb(r.gzipBytes)} | ${pct(r.accuracy.onnx)} (${pct(r.accuracy.tfjs)}) | ${ms(l.ort1)} | ${ms(l.tfjs1)} | ${(l.tfjs1 / l.ort1).toFixed(1)}x | ${ms(l.ort128)} | ${ms(l.tfjs128)} | ${(l.tfjs128 / l.ort128).toFixed(1)}x | ${vsFp32} |`;
  });
  return [head, sep, ...lines].join('\n');
}

/** Runs the whole example; returns the rows (the test checks them). */
export async function runDeploy(o: DeployOptions): Promise<{ rows: DeployRow[]; cutoff: number }> {
  await initBackend('wasm');
  const ort = await loadOnnxRuntime('node');
  mkdirSync(join(o.outDir, 'onnx'), { recursive: true });
  const data = await loadData(o);
  const { model, source } = await acMixer(o, data);
  const { accuracy } = probeLayers(model, data.test);
  const cutoff = Math.max(1, cutoffLayer(accuracy, { delta: 0.005 }).relativeToFinal);
  console.log(`AC-Mixer (${source}): test accuracy ${pct(accuracy[model.depth])}, cutoff layer ${cutoff}/${model.depth} (probe accuracy ${pct(accuracy[cutoff])})`);

  const rows: DeployRow[] = [];
  const fineTune = async (m: typeof model) => {
    await train(m, data.train, { epochs: o.fineTuneEpochs, batchSize: o.batchSize, lr: o.lr, warmupEpochs: 0, labelSmoothing: 0.1, clipNorm: 1, seed: o.seed + 1, progress: 'none' });
  };
  for (const v of await buildVariants(model, cutoff, fineTune)) {
    const file = join(o.outDir, 'onnx', `${v.name.replace(/[^a-z0-9]+/gi, '-')}.onnx`);
    writeFileAtomic(file, v.onnx.bytes);
    writeFileAtomic(file.replace(/\.onnx$/, '.json'), JSON.stringify(onnxSummary(v.onnx), null, 2));
    // One thread for onnxruntime: tfjs-wasm runs single-threaded here, so the comparison is per core.
    const session = await ort.InferenceSession.create(v.onnx.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const acc = await accuracies(v.model, session, ort, data.test);
    const shape = data.test.sampleShape;
    const load = loadavg();
    const latencyMs = {
      ort1: await ortLatency(session, ort, shape, 1, o.repeats * 5),
      tfjs1: await tfLatency(v.model, shape, 1, o.repeats * 5),
      ort128: await ortLatency(session, ort, shape, 128, o.repeats),
      tfjs128: await tfLatency(v.model, shape, 128, o.repeats),
    };
    await session.release?.();
    const weightForms = Object.fromEntries(Object.entries(onnxSummary(v.onnx).forms).map(([k, f]) => [k, f.bytes]));
    const row: DeployRow = { form: v.name, recipe: v.recipe, blocks: v.model.depth, params: v.onnx.sizes.params, fileBytes: v.onnx.sizes.fileBytes, gzipBytes: gzipSync(v.onnx.bytes).byteLength, weightForms, accuracy: acc, latencyMs, loadavg: `${load} -> ${loadavg()}` };
    rows.push(row);
    console.log(`${v.name}: ${kb(row.fileBytes)}, accuracy ORT ${pct(acc.onnx)} / tfjs ${pct(acc.tfjs)} (agree ${pct(acc.agree)}), b1 ${ms(latencyMs.ort1)} vs ${ms(latencyMs.tfjs1)} ms, b128 ${ms(latencyMs.ort128)} vs ${ms(latencyMs.tfjs128)} ms  [loadavg ${row.loadavg}]`);
  }
  await writeBrowserAssets(model, data.test, ort, o);
  const md = [
    `# Deploy: the AC-Mixer on onnxruntime`,
    '',
    `Model: ${source}; ${data.name}, ${data.test.count} test images; cutoff layer ${cutoff}/${model.depth}.`,
    `Latency: median of ${o.repeats * 5} (batch 1) / ${o.repeats} (batch 128) runs, onnxruntime-node with 1 thread vs tfjs-wasm (single-threaded), same process, same input.`,
    '',
    table(rows),
    '',
    ...rows.map((r) => `- **${r.form}**: ${r.recipe}; weights ${Object.entries(r.weightForms).map(([k, b]) => `${k} ${kb(b)}`).join(', ')}; ORT/tfjs agreement ${pct(r.accuracy.agree)}; loadavg ${r.loadavg}`),
  ].join('\n');
  writeFileAtomic(join(o.outDir, 'deploy.md'), `${md}\n`);
  writeFileAtomic(join(o.outDir, 'deploy.json'), JSON.stringify({ source, data: data.name, cutoff, depth: model.depth, probeAccuracy: accuracy, rows }, null, 2));
  console.log(`\n${table(rows)}\n\nwrote ${join(o.outDir, 'deploy.md')}`);
  return { rows, cutoff };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDeploy(parseDeployArgs(process.argv.slice(2))).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
