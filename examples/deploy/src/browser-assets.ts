import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeBatch, tf, writeFileAtomic, type ArrayDataset, type MlpMixer } from '@acn/core';
import { createEarlyExitRunner, exportOnnxSegments, type OrtModule } from '@acn/onnx';
import type { DeployOptions } from './cli';
import { PAGE_POLICY, pagePolicy } from './web-policy';

/** Number of embedded test images on the page. */
export const PAGE_SAMPLES = 12;

/**
 * Writes what the browser page loads into `<out>/web-assets/`: the model cut into exit segments
 * (`segment-j.onnx` + `manifest.json`), a few test images (`samples.json`), and what
 * onnxruntime-node's early-exit runner predicts for them with the page's policy (`expected`), which
 * the browser test compares against.
 */
export async function writeBrowserAssets(model: MlpMixer, test: ArrayDataset, ort: OrtModule, o: DeployOptions): Promise<void> {
  const dir = join(o.outDir, 'web-assets');
  mkdirSync(dir, { recursive: true });
  const seg = exportOnnxSegments(model);
  seg.segments.forEach((s, j) => writeFileAtomic(join(dir, `segment-${j}.onnx`), s.bytes));
  const { segments: _bytes, ...spec } = seg;
  const idx = Array.from({ length: Math.min(PAGE_SAMPLES, test.count) }, (_, i) => i);
  const { x, y } = makeBatch(test, idx);
  const images = Float32Array.from(x.dataSync());
  const labels = Array.from(y.dataSync());
  const dims = x.shape;
  tf.dispose([x, y]);
  const runner = await createEarlyExitRunner(ort, seg);
  const r = await runner.run(images, dims, pagePolicy(PAGE_POLICY.p, PAGE_POLICY.minLayer));
  await runner.release();
  writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify({ ...spec, files: seg.segments.map((_, j) => `segment-${j}.onnx`), policy: PAGE_POLICY }, null, 2));
  writeFileAtomic(
    join(dir, 'samples.json'),
    JSON.stringify({ dims, images: Array.from(images), labels, expected: { predictions: Array.from(r.predictions), exitLayers: Array.from(r.exitLayers) } }),
  );
}
