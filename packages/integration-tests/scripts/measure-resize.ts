/*
 * Measures what removing row-pruned hidden units saves on a Mixer: FLOPs per sample (as
 * @acn/metrics counts them), parameters and checkpoint bytes, before and after, and checks that
 * the logits stay the same. Run: `pnpm --filter @acn/integration-tests measure:resize`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressorHook, createMixer, initBackend, saveCheckpoint, tf, type BlockModel, type MixerConfigInput } from '@acn/core';
import { modelCost } from '@acn/metrics';
import { magnitudePruning, removePrunedNeurons } from '@acn/prune';

// The MNIST Mixer of the ACN paper's setup, scaled down: 28×28 input, patch 4 (49 tokens + CLS).
const cfg: MixerConfigInput = { inputShape: [28, 28, 1], numClasses: 10, patchSize: 4, hiddenDim: 128, tokenMlpDim: 64, channelMlpDim: 512, depth: 4, seed: 1 };

function measure(m: BlockModel, dir: string, name: string) {
  const cost = modelCost(m);
  const channel = cost.layers.filter((l) => /channelMlp\.fc[12]$/.test(l.path)).reduce((s, l) => s + l.flops, 0);
  saveCheckpoint(join(dir, name), { model: m });
  return { flops: cost.total.flops, channelMlpFlops: channel, params: cost.total.params, safetensorsBytes: statSync(join(dir, name, 'model.safetensors')).size };
}

async function main(): Promise<void> {
  const backend = await initBackend('auto');
  const m = createMixer(cfg);
  const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 2);
  const dir = mkdtempSync(join(tmpdir(), 'acn-measure-'));
  try {
    const dense = measure(m, dir, 'dense');
    m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path: /channelMlp\.fc1$/ } }))).bake();
    const pruned = m.predict(x);
    const removals = removePrunedNeurons(m, { path: /channelMlp$/ });
    const shrunk = m.predict(x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(pruned, shrunk))).dataSync()[0]);
    const after = measure(m, dir, 'resized');
    console.log(JSON.stringify({ backend: backend.name, config: cfg, hiddenDims: removals.map((r) => `${r.pathA}: ${r.hiddenDimBefore} -> ${r.hiddenDim}`), maxAbsLogitDiff: diff, before: dense, after }, null, 2));
    tf.dispose([x, pruned, shrunk]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
