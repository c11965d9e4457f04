import { makeBatch, measureLatency, tf, type ArrayDataset, type BlockModel } from '@acn/core';
import type { OrtModule, OrtSession } from '@acn/onnx';

/** Median of a list. */
function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The test set in batches of 128: flat float32 images and their labels. */
function* batches(data: ArrayDataset, size = 128): Generator<{ x: Float32Array; dims: number[]; labels: Int32Array }> {
  for (let i = 0; i < data.count; i += size) {
    const idx = Array.from({ length: Math.min(size, data.count - i) }, (_, j) => i + j);
    const { x, y } = makeBatch(data, idx);
    yield { x: Float32Array.from(x.dataSync()), dims: x.shape, labels: Int32Array.from(y.dataSync()) };
    tf.dispose([x, y]);
  }
}

function argmaxRows(v: Float32Array, c: number): Int32Array {
  const out = new Int32Array(v.length / c);
  for (let r = 0; r < out.length; r++) {
    let b = 0;
    for (let j = 1; j < c; j++) if (v[r * c + j] > v[r * c + b]) b = j;
    out[r] = b;
  }
  return out;
}

/** Test accuracy of the tfjs model and of its ONNX session, and how often their predictions agree. */
export async function accuracies(model: BlockModel, session: OrtSession, ort: OrtModule, data: ArrayDataset): Promise<{ tfjs: number; onnx: number; agree: number }> {
  let tfOk = 0;
  let ortOk = 0;
  let agree = 0;
  const c = model.config.numClasses;
  for (const b of batches(data)) {
    const tfPred = tf.tidy(() => argmaxRows(Float32Array.from(model.predict(tf.tensor(b.x, b.dims)).dataSync()), c));
    const out = await session.run({ input: new ort.Tensor('float32', b.x, b.dims) });
    const ortPred = argmaxRows(out.logits.data as Float32Array, c);
    for (let i = 0; i < b.labels.length; i++) {
      tfOk += Number(tfPred[i] === b.labels[i]);
      ortOk += Number(ortPred[i] === b.labels[i]);
      agree += Number(tfPred[i] === ortPred[i]);
    }
  }
  return { tfjs: tfOk / data.count, onnx: ortOk / data.count, agree: agree / data.count };
}

/** Median latency (ms) of one ONNX session run at `batch` (warm-up runs first). */
export async function ortLatency(session: OrtSession, ort: OrtModule, sampleShape: readonly number[], batch: number, repeats: number): Promise<number> {
  const n = batch * sampleShape.reduce((a, b) => a * b, 1);
  const x = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => (i % 255) / 255), [batch, ...sampleShape]);
  for (let i = 0; i < 3; i++) await session.run({ input: x });
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await session.run({ input: x });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median latency (ms) of the tfjs forward (`model.predict`, data read back) at `batch`. */
export async function tfLatency(model: BlockModel, sampleShape: readonly number[], batch: number, repeats: number): Promise<number> {
  const n = batch * sampleShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(Float32Array.from({ length: n }, (_, i) => (i % 255) / 255), [batch, ...sampleShape]);
  try {
    return (await measureLatency(() => model.predict(x), { warmup: 3, repeats })).medianMs;
  } finally {
    x.dispose();
  }
}
