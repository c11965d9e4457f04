import { CONNECTIVITIES, initBackend, tf } from '@acn/core';
import { earlyExitForward, entropyPolicy, maxProbPolicy, patiencePolicy, sharedExits, type ExitPolicy } from '@acn/early-exit';
import { createEarlyExitRunner, exportOnnxSegments, loadOnnxRuntime, type OrtModule } from '@acn/onnx';
import { tinyModelZoo, transformerZoo, zooBatch } from '@acn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

// @acn/onnx's early-exit runner (exit segments on onnxruntime-node) against @acn/early-exit's
// earlyExitForward with the same policies. Plugins may not depend on each other, so this lives here.

let ort: OrtModule;

beforeAll(async () => {
  await initBackend('wasm');
  ort = await loadOnnxRuntime('node');
});

/**
 * A max-prob threshold halfway between two distinct sample values at exit `layer`, so about half
 * the batch stops there and no sample sits within float error of it (a Mixer's probe 0 reads the
 * CLS token, the same for every sample: then nobody stops there).
 */
function midThreshold(probes: tf.Tensor[], layer: number): number {
  const p = tf.tidy(() => tf.max(tf.softmax(probes[layer]), 1).dataSync() as Float32Array);
  const s = [...new Set(Array.from(p, (v) => Math.fround(v)))].sort((a, b) => a - b);
  if (s.length === 1 || s[s.length - 1] - s[0] < 1e-5) return s[s.length - 1] + 1e-3;
  const i = Math.max(1, Math.floor(s.length / 2));
  return (s[i - 1] + s[i]) / 2;
}

const zoo = [...tinyModelZoo(CONNECTIVITIES), ...transformerZoo(['acn', 'residual', 'denseformer'])];

describe('early exit on onnxruntime equals @acn/early-exit at batch > 1', () => {
  for (const entry of zoo) {
    it(`${entry.name}: predictions, exit layers and rows per block`, async () => {
      const model = entry.create();
      const x = zooBatch(entry, 16);
      const r = model.forward(x, { probes: true });
      const policies: ExitPolicy[] = [
        maxProbPolicy({ p: midThreshold(r.probes!, 1), minLayer: 1 }), // about half the batch stops at layer 1
        maxProbPolicy({ p: midThreshold(r.probes!, 0) }),
        entropyPolicy({ tau: 0 }), // nobody exits early: the full model
        patiencePolicy({ patience: 1 }),
        maxProbPolicy({ p: 0, minLayer: 1 }), // everyone stops at layer 1
      ];
      tf.dispose([r.logits, ...r.probes!]);
      const runner = await createEarlyExitRunner(ort, exportOnnxSegments(model));
      const data = x.dtype === 'int32' ? Int32Array.from(x.dataSync()) : Float32Array.from(x.dataSync());
      let early = 0;
      for (const policy of policies) {
        const ours = earlyExitForward(model, x, { exits: sharedExits(model), policy });
        const got = await runner.run(data, x.shape, policy);
        expect(Array.from(got.exitLayers), policy.label).toEqual(Array.from(ours.exitLayers));
        expect(Array.from(got.predictions), policy.label).toEqual(Array.from(ours.predictions));
        expect(got.rowsPerBlock, policy.label).toEqual(ours.rowsPerBlock);
        early += got.exitLayers.filter((l) => l < model.depth).length;
      }
      expect(early, 'some samples exit before the last block').toBeGreaterThan(0);
      await runner.release();
      x.dispose();
      model.dispose();
    });
  }

  it('exits at chosen layers only, and segments carry only what later blocks read', async () => {
    const entry = tinyModelZoo(['densenet'])[0];
    const model = entry.create();
    const x = zooBatch(entry, 8);
    const seg = exportOnnxSegments(model, { exits: [1, 2] });
    expect(seg.exits).toEqual([1, 2, 3]);
    expect(seg.segments.map((s) => [s.from, s.to])).toEqual([
      ['input', 1],
      [1, 2],
      [2, 3],
    ]);
    const policy = maxProbPolicy({ p: 0 }); // everyone stops at the first exit
    const runner = await createEarlyExitRunner(ort, seg);
    const got = await runner.run(Float32Array.from(x.dataSync()), x.shape, policy);
    const ours = earlyExitForward(model, x, { exits: sharedExits(model, { layers: [1, 2] }), policy });
    expect(Array.from(got.exitLayers)).toEqual(new Array(8).fill(1));
    expect(Array.from(got.predictions)).toEqual(Array.from(ours.predictions));
    expect(got.rowsPerBlock).toEqual([8, 0, 0]);
    await runner.release();
    x.dispose();
    model.dispose();
  });
});
