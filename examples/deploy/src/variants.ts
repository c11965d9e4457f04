import { compressorHook, truncate, type MlpMixer } from '@acn/core';
import { factorizeModel } from '@acn/lowrank';
import { exportOnnx, type OnnxExport } from '@acn/onnx';
import { magnitudePruning, removePrunedNeurons } from '@acn/prune';
import { exportQuantized, uniformQuantizer } from '@acn/quant';

/** One deployable form: the baked tfjs model and its ONNX export. */
export interface Variant {
  readonly name: string;
  /** How it was made (for the table). */
  readonly recipe: string;
  readonly model: MlpMixer;
  readonly onnx: OnnxExport;
}

/** Attaches a compressor and bakes it at once (post-training compression, no fine-tuning). */
function bakeNow(model: MlpMixer, c: Parameters<typeof compressorHook>[0]): void {
  model.hooks.attach(compressorHook(c)).bake();
}

/**
 * The six forms of the table, from the trained AC-Mixer and its cutoff layer. Quantization
 * is post-training (baked at once); low rank and structured pruning change the function more, so
 * they get `fineTune` (a short training run of the compressed model) before export. Every ONNX
 * file is checked against the tfjs model it came from.
 */
export async function buildVariants(model: MlpMixer, cutoff: number, fineTune: (m: MlpMixer) => Promise<void>): Promise<Variant[]> {
  const out: Variant[] = [];
  const add = (name: string, recipe: string, m: MlpMixer, onnx: OnnxExport) => out.push({ name, recipe, model: m, onnx });
  add('fp32', `full model, ${model.depth} blocks`, model, exportOnnx(model));

  const cut = truncate(model, cutoff);
  add('truncated', `first ${cutoff} blocks (cutoff layer)`, cut, exportOnnx(cut));

  const lr = truncate(model, cutoff);
  factorizeModel(lr, { rank: { fraction: 0.5 }, filter: { path: /^blocks\.\d+\.channelMlp\.fc[12]$/ } });
  await fineTune(lr); // the factors are ordinary weights now
  add('truncated + low rank', 'channel-MLP kernels at half their rank (truncated SVD), two MatMuls each, fine-tuned', lr, exportOnnx(lr));

  const q8 = truncate(model, cutoff);
  bakeNow(q8, uniformQuantizer({ bits: 8 }));
  add('truncated + int8', 'every dense kernel int8 symmetric per channel; DynamicQuantizeMatMul', q8, exportOnnx(q8, { quantized: exportQuantized(q8).weights }));

  const q4 = truncate(model, cutoff);
  bakeNow(q4, uniformQuantizer({ bits: 4, filter: { kind: 'dense', path: /^blocks\./ } }));
  add('truncated + 4-bit', 'block kernels 4-bit symmetric per channel (MatMulNBits), embedding and head fp32', q4, exportOnnx(q4, { quantized: exportQuantized(q4).weights }));

  const pruned = truncate(model, cutoff);
  const prune = pruned.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path: /channelMlp\.fc1$/ } })));
  await fineTune(pruned); // with the mask attached: the kept units adapt
  prune.bake();
  removePrunedNeurons(pruned, { path: /channelMlp$/ });
  add('structured-pruned', 'truncated, half the channel-MLP units removed (L2 row pruning, fine-tuned, removeNeurons)', pruned, exportOnnx(pruned));
  return out;
}
