/**
 * The page: loads the exported AC-Mixer segments with onnxruntime-web (wasm), classifies the
 * embedded test images with per-sample early exit and shows each sample's exit layer. Publishes
 * the result on `window.acnResult` for the browser test.
 */
import * as ort from 'onnxruntime-web';
import { createEarlyExitRunner, type OnnxSegments, type OrtModule } from '@acn/onnx/runner';
import { pagePolicy } from '../src/web-policy';

const CLASSES = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'];

interface Samples {
  readonly dims: number[];
  readonly images: number[];
  readonly labels: number[];
}

async function main(): Promise<void> {
  ort.env.wasm.numThreads = 1; // a static page is not cross-origin isolated: no wasm threads
  const manifest = (await (await fetch('./manifest.json')).json()) as Omit<OnnxSegments, 'segments'> & { files: string[]; policy: { p: number; minLayer: number } };
  const samples = (await (await fetch('./samples.json')).json()) as Samples;
  const segments = await Promise.all(manifest.files.map(async (f, j) => ({ from: j === 0 ? ('input' as const) : manifest.exits[j - 1], to: manifest.exits[j], bytes: new Uint8Array(await (await fetch(`./${f}`)).arrayBuffer()) })));
  const runner = await createEarlyExitRunner(ort as unknown as OrtModule, { ...manifest, segments });
  const t0 = performance.now();
  const r = await runner.run(Float32Array.from(samples.images), samples.dims, pagePolicy(manifest.policy.p, manifest.policy.minLayer));
  const ms = performance.now() - t0;
  const [n, h, w] = samples.dims;
  const body = document.querySelector('#samples tbody')!;
  for (let i = 0; i < n; i++) {
    const tr = document.createElement('tr');
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(w, h);
    for (let p = 0; p < h * w; p++) {
      const v = Math.round(255 * samples.images[i * h * w + p]);
      img.data.set([v, v, v, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
    const cell = (text: string, cls = '') => {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      return td;
    };
    const td0 = document.createElement('td');
    td0.append(canvas);
    const ok = r.predictions[i] === samples.labels[i];
    tr.append(td0, cell(CLASSES[samples.labels[i]] ?? String(samples.labels[i])), cell(CLASSES[r.predictions[i]] ?? String(r.predictions[i]), ok ? 'ok' : 'bad'), cell(`${r.exitLayers[i]} / ${runner.depth}`));
    body.append(tr);
  }
  document.querySelector('#status')!.textContent = `${n} images in ${ms.toFixed(1)} ms with early exit (${manifest.exits.length} exits, policy max-prob ≥ ${manifest.policy.p} from layer ${manifest.policy.minLayer})`;
  (window as unknown as { acnResult: unknown }).acnResult = { predictions: Array.from(r.predictions), exitLayers: Array.from(r.exitLayers) };
}

main().catch((e: unknown) => {
  document.querySelector('#status')!.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  (window as unknown as { acnResult: unknown }).acnResult = { error: String(e) };
});
