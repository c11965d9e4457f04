import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVit, initBackend, saveCheckpoint, tf } from '@acn/core';
import { loadOnnxRuntime } from '@acn/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCheckpoint } from './export-checkpoint';

const dir = mkdtempSync(join(tmpdir(), 'acn-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export <checkpoint>', () => {
  it('writes model.onnx and model.json that onnxruntime runs like the checkpoint model', async () => {
    await initBackend('wasm');
    const model = createVit({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, numHeads: 2, mlpDim: 32, depth: 3, connectivity: 'denseformer', seed: 3 });
    saveCheckpoint(join(dir, 'ckpt'), { model });
    const s = await exportCheckpoint(join(dir, 'ckpt'), { out: join(dir, 'out'), truncate: 2, probes: true });
    expect(s.outputs.map((o) => o.name)).toEqual(['logits', 'probe_0', 'probe_1', 'probe_2']);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'model.json'), 'utf8')).sizes.fileBytes).toBe(s.sizes.fileBytes);
    const ort = await loadOnnxRuntime('node');
    const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(dir, 'out', 'model.onnx'))));
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1);
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.dataSync()), x.shape) });
    const ref = model.forward(x, { probes: true });
    const want = ref.probes![2].dataSync();
    const got = out.logits.data as Float32Array;
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
    tf.dispose([x, ref.logits, ...ref.probes!]);
    model.dispose();
  });
});
