/**
 * Checkpoint → ONNX: `pnpm --filter @acn-examples/deploy export <checkpoint-dir> [--out DIR]
 * [--truncate K] [--quantize int8|4bit] [--probes]` writes `<out>/model.onnx` and
 * `<out>/model.json` (inputs, outputs, sizes, weight forms). Works for every architecture and
 * connectivity `@acn/onnx` exports (Mixer, MLP, ViT, BERT; acn, residual, feedforward, densenet,
 * denseformer); factorized and resized layers saved in the checkpoint export as they are.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compressorHook, initBackend, loadCheckpoint, truncate, writeFileAtomic, type BlockModel } from '@acn/core';
import { exportOnnx, onnxSummary, type OnnxSummary } from '@acn/onnx';
import { exportQuantized, uniformQuantizer } from '@acn/quant';

/** Options of {@link exportCheckpoint}. */
export interface ExportCheckpointOptions {
  readonly out: string;
  /** Keep the first K blocks (e.g. the cutoff layer). */
  readonly truncate?: number;
  /** Post-training weight quantization of every dense kernel before export. */
  readonly quantize?: 'int8' | '4bit';
  /** Add `probe_k` outputs for every prefix. */
  readonly probes?: boolean;
}

/** Loads a checkpoint, applies the options, writes `model.onnx` + `model.json`; returns the summary. */
export async function exportCheckpoint(dir: string, o: ExportCheckpointOptions): Promise<OnnxSummary & { source: string }> {
  await initBackend('wasm');
  let model: BlockModel = loadCheckpoint(dir).model;
  if (o.truncate !== undefined) model = truncate(model, o.truncate);
  let quantized;
  if (o.quantize) {
    model.hooks.attach(compressorHook(uniformQuantizer({ bits: o.quantize === 'int8' ? 8 : 4 }))).bake();
    quantized = exportQuantized(model).weights;
  }
  const ex = exportOnnx(model, { quantized, probes: o.probes });
  mkdirSync(o.out, { recursive: true });
  writeFileAtomic(join(o.out, 'model.onnx'), ex.bytes);
  const summary = { ...onnxSummary(ex), source: dir };
  writeFileAtomic(join(o.out, 'model.json'), JSON.stringify(summary, null, 2));
  return summary;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { out: { type: 'string' }, truncate: { type: 'string' }, quantize: { type: 'string' }, probes: { type: 'boolean' } },
  });
  const q = values.quantize;
  if (positionals.length !== 1 || (q !== undefined && q !== 'int8' && q !== '4bit')) {
    console.error('usage: export <checkpoint-dir> [--out DIR] [--truncate K] [--quantize int8|4bit] [--probes]');
    process.exit(2);
  }
  exportCheckpoint(positionals[0], { out: values.out ?? 'onnx-out', truncate: values.truncate === undefined ? undefined : Number(values.truncate), quantize: q as 'int8' | '4bit' | undefined, probes: values.probes })
    .then((s) => console.log(`wrote ${join(values.out ?? 'onnx-out', 'model.onnx')} (${s.sizes.fileBytes} bytes; weights ${JSON.stringify(s.forms)})`))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
