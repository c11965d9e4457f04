import { CONNECTIVITIES, initBackend, tf, truncate } from '@acn/core';
import { maxDiff, runOrt, tfForward, tinyModelZoo, transformerZoo, zooBatch } from '@acn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from './export';
import { decodeModelProto } from './proto';
import { loadOnnxRuntime, type OrtModule } from './runtime';

const FP32_TOL = 1e-4;

let ort: OrtModule;

beforeAll(async () => {
  await initBackend('wasm');
  ort = await loadOnnxRuntime('node');
});

// Every connectivity core has (read from core, so new ones are checked as they land).
const zoo = [...tinyModelZoo(CONNECTIVITIES), ...transformerZoo(CONNECTIVITIES)];

describe('exportOnnx: fp32 models equal the tfjs forward on onnxruntime-node', () => {
  for (const entry of zoo) {
    it(`${entry.name}: logits and every probe within ${FP32_TOL}`, async () => {
      const model = entry.create();
      // Learned connections start at identity-like values (DenseFormer's [0, …, 0, 1]): move them
      // so the export of the weighted average / projection is really exercised.
      for (const [path, v] of Object.entries(model.namedWeights())) {
        if (path.includes('.connection.')) tf.tidy(() => v.assign(v.add(tf.randomUniform(v.shape, -0.3, 0.3, 'float32', 5))));
      }
      const x = zooBatch(entry);
      const before = tf.memory().numTensors;
      const ex = exportOnnx(model, { probes: true });
      expect(tf.memory().numTensors).toBe(before);
      const ours = tfForward(model, x);
      const got = await runOrt(ort, ex.bytes, x);
      expect(maxDiff(got.logits, ours.logits)).toBeLessThan(FP32_TOL);
      for (let k = 0; k <= model.depth; k++) expect(maxDiff(got[`probe_${k}`], ours.probes[k]), `probe ${k}`).toBeLessThan(FP32_TOL);
      // Every weight is in the file except BERT's masked-LM head (not part of classification).
      const exported = Object.entries(model.namedWeights()).filter(([p]) => !p.startsWith('mlm.'));
      expect(ex.sizes.params).toBe(exported.reduce((s, [, v]) => s + v.size, 0));
      x.dispose();
      model.dispose();
    });
  }

  it('a truncated model equals probe k of the full one, and its file is smaller', async () => {
    const entry = zoo.find((e) => e.name === 'mixer/acn')!;
    const model = entry.create();
    const small = truncate(model, 2);
    const x = zooBatch(entry);
    const full = exportOnnx(model);
    const cut = exportOnnx(small);
    expect(cut.sizes.fileBytes).toBeLessThan(full.sizes.fileBytes);
    const got = await runOrt(ort, cut.bytes, x);
    expect(maxDiff(got.logits, tfForward(model, x).probes[2])).toBeLessThan(FP32_TOL);
    const graph = decodeModelProto(cut.bytes).graph;
    expect(graph.initializer.some((i) => i.name.startsWith('blocks.2.'))).toBe(false);
    x.dispose();
    model.dispose();
    small.dispose();
  });
});
