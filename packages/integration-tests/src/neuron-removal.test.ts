import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressorHook, createMixer, initBackend, loadCheckpoint, saveCheckpoint, tf, truncate, type BlockModel, type Tensor } from '@acn/core';
import { modelCost } from '@acn/metrics';
import { magnitudePruning, removePrunedNeurons } from '@acn/prune';
import { beforeAll, describe, expect, it } from 'vitest';

// Tiny Mixer: D = 16, channel MLP 16 → 32 → 16, 5 tokens (4 patches + CLS), 3 blocks.
const cfg = { inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 3, seed: 7 } as const;
const T = 5;

function maxAbsDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** FLOPs per sample of the channel MLPs' dense layers, as `@acn/metrics` counts them (from recorded shapes). */
function channelMlpFlops(m: BlockModel): number {
  return modelCost(m)
    .layers.filter((l) => /^blocks\.\d+\.channelMlp\.fc[12]$/.test(l.path))
    .reduce((s, l) => s + l.flops, 0);
}

describe('removing pruned hidden units makes a smaller, equivalent model', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('Mixer: 50% of the channel-MLP units pruned by row, removed: same logits, half the FLOPs of those layers, smaller checkpoint', () => {
    const m = createMixer(cfg);
    const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3);
    const dense = m.predict(x);
    const flopsBefore = channelMlpFlops(m);
    const totalBefore = modelCost(m).total;
    m.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path: /channelMlp\.fc1$/ } }))).bake();
    const pruned = m.predict(x);
    const tensors = tf.memory().numTensors;
    const removals = removePrunedNeurons(m, { path: /channelMlp$/ });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(removals.map((r) => [r.pathA, r.hiddenDimBefore, r.hiddenDim, r.exact])).toEqual([0, 1, 2].map((i) => [`blocks.${i}.channelMlp.fc1`, 32, 16, true]));
    const shrunk = m.predict(x);
    expect(maxAbsDiff(pruned, shrunk)).toBeLessThan(1e-5);
    expect(maxAbsDiff(dense, pruned)).toBeGreaterThan(0); // pruning itself changed the model; removal did not

    // FLOPs: per block fc1 2·T·16·32 + T·32 and fc2 2·T·32·16 + T·16 before; widths 16 after.
    const flopsAfter = channelMlpFlops(m);
    expect(flopsBefore).toBe(3 * (2 * T * 16 * 32 + T * 32 + 2 * T * 32 * 16 + T * 16));
    expect(flopsAfter).toBe(3 * (2 * T * 16 * 16 + T * 16 + 2 * T * 16 * 16 + T * 16));
    expect(flopsAfter / flopsBefore).toBeGreaterThan(0.45);
    expect(flopsAfter / flopsBefore).toBeLessThan(0.55);
    const totalAfter = modelCost(m).total;
    expect(totalBefore.flops - totalAfter.flops).toBe(flopsBefore - flopsAfter);
    expect(totalBefore.params - totalAfter.params).toBe(3 * (16 * 16 + 16 + 16 * 16));

    // Checkpoint: smaller file, the structure comes back, identical logits.
    const dir = mkdtempSync(join(tmpdir(), 'acn-removal-'));
    try {
      const full = createMixer(cfg);
      saveCheckpoint(join(dir, 'full'), { model: full });
      full.dispose();
      const manifest = saveCheckpoint(join(dir, 'shrunk'), { model: m });
      expect(Object.keys(manifest.structure?.resized ?? {})).toHaveLength(6);
      const size = (d: string) => statSync(join(dir, d, 'model.safetensors')).size;
      expect(size('shrunk')).toBeLessThan(size('full') - 4 * 3 * (16 * 16 + 16 + 16 * 16) + 400);
      const loaded = loadCheckpoint(join(dir, 'shrunk'));
      const y = loaded.model.predict(x);
      expect(maxAbsDiff(y, shrunk)).toBe(0);
      // Truncation of the resized model keeps the first blocks' widths and equals the probe.
      const probes = m.forward(x, { probes: true }).probes!;
      const small = truncate(loaded.model, 2);
      expect(Object.keys(small.structure().resized ?? {})).toEqual(['blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2', 'blocks.1.channelMlp.fc1', 'blocks.1.channelMlp.fc2']);
      const ys = small.predict(x);
      expect(maxAbsDiff(ys, probes[2])).toBeLessThan(1e-5);
      console.info(
        `[resize] channel-MLP FLOPs/sample ${flopsBefore} -> ${flopsAfter}; model FLOPs ${totalBefore.flops} -> ${totalAfter.flops}; params ${totalBefore.params} -> ${totalAfter.params}; model.safetensors ${size('full')} -> ${size('shrunk')} bytes`,
      );
      tf.dispose([y, ys, ...probes]);
      small.dispose();
      loaded.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    tf.dispose([x, dense, pruned, shrunk]);
    m.dispose();
  });
});
