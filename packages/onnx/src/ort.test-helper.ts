/** Test helpers: run an exported model on onnxruntime-node and compare with the tfjs forward. */
import { tf, type BlockModel, type Tensor } from '@acn/core';
import type { ZooEntry } from '@acn/test-utils';
import { loadOnnxRuntime, type OrtModule } from './runtime';

let ort: OrtModule | undefined;

/** onnxruntime-node, loaded once. */
export async function nodeOrt(): Promise<OrtModule> {
  ort ??= await loadOnnxRuntime('node');
  return ort;
}

/** A batch of valid inputs for a zoo entry. */
export function zooBatch(entry: ZooEntry, b = 3): Tensor {
  return entry.input ? entry.input(b) : tf.randomUniform([b, ...entry.sampleShape], 0, 1, 'float32', 11);
}

/**
 * Session options under which `DequantizeLinear` + `MatMul` stays exact: ORT's extended
 * optimizations fuse it into its dynamic int8 MatMul (activations quantized at run time).
 */
export const EXACT_QDQ = { graphOptimizationLevel: 'basic' } as const;

/** Runs ONNX bytes on onnxruntime-node with the tensor `x` as `input`; returns every output as Float32Array. */
export async function runOrt(bytes: Uint8Array, x: Tensor, sessionOptions: Record<string, unknown> = {}): Promise<Record<string, Float32Array>> {
  const o = await nodeOrt();
  const session = await o.InferenceSession.create(bytes, sessionOptions);
  const data = x.dtype === 'int32' ? Int32Array.from(x.dataSync()) : Float32Array.from(x.dataSync());
  const out = await session.run({ input: new o.Tensor(x.dtype === 'int32' ? 'int32' : 'float32', data, x.shape) });
  await session.release?.();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** Max |a − b| over two equally long arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The tfjs forward of `model` on `x` (logits and every probe) as arrays; frees its tensors. */
export function tfForward(model: BlockModel, x: Tensor): { logits: Float32Array; probes: Float32Array[] } {
  const r = model.forward(x, { probes: true });
  const out = { logits: Float32Array.from(r.logits.dataSync()), probes: r.probes!.map((p) => Float32Array.from(p.dataSync())) };
  tf.dispose([r.logits, ...r.probes!]);
  return out;
}
