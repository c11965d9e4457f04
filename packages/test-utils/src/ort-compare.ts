/**
 * Helpers for tests that run an exported ONNX model on onnxruntime and compare it with the tfjs
 * forward (used by `@acn/onnx`'s own tests and by the cross-plugin tests in
 * `@acn/integration-tests`). The runtime is passed in, so this package needs neither
 * onnxruntime nor `@acn/onnx` (whose tests depend on this package).
 */
import { tf, type BlockModel, type Tensor } from '@acn/core';

/** A session as `runOrt` uses it: feeds in, outputs with a `data` array out. */
export interface OrtLikeSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown }>>;
  release?(): Promise<void>;
}

/**
 * The part of an onnxruntime module `runOrt` uses. `@acn/onnx`'s `OrtModule` (what
 * `loadOnnxRuntime('node')` returns) fits it.
 */
export interface OrtLike {
  readonly InferenceSession: { create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtLikeSession> };
  readonly Tensor: new (type: 'float32' | 'int32', data: Float32Array | Int32Array, dims: readonly number[]) => unknown;
}

/**
 * Session options under which `DequantizeLinear` + `MatMul` stays exact: ORT's extended
 * optimizations fuse it into its dynamic int8 MatMul (activations quantized at run time).
 *
 * @example
 * ```ts
 * const got = await runOrt(ort, exportOnnx(model, { quantized, forms: { int8: 'qdq' } }).bytes, x, EXACT_QDQ);
 * ```
 */
export const EXACT_QDQ = { graphOptimizationLevel: 'basic' } as const;

/**
 * Runs ONNX bytes on `ort` with the tensor `x` (`[B, ...sampleShape]`, float32 or int32 ids) as
 * the graph input `input`; returns every output as a Float32Array. Releases the session.
 *
 * @example
 * ```ts
 * const got = await runOrt(await loadOnnxRuntime('node'), exportOnnx(model).bytes, x);
 * expect(maxDiff(got.logits, tfForward(model, x).logits)).toBeLessThan(1e-4);
 * ```
 */
export async function runOrt(ort: OrtLike, bytes: Uint8Array, x: Tensor, sessionOptions: Record<string, unknown> = {}): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const data = x.dtype === 'int32' ? Int32Array.from(x.dataSync()) : Float32Array.from(x.dataSync());
  const out = await session.run({ input: new ort.Tensor(x.dtype === 'int32' ? 'int32' : 'float32', data, x.shape) });
  await session.release?.();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/**
 * Max |a − b| over two equally long arrays (throws when the lengths differ).
 *
 * @example
 * ```ts
 * maxDiff([1, 2], [1, 2.5]); // 0.5
 * ```
 */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxDiff: length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * The tfjs forward of `model` on `x`: logits `[B, classes]` and every probe (one per exit
 * layer 0..depth), flattened to arrays; frees its tensors.
 *
 * @example
 * ```ts
 * const { logits, probes } = tfForward(model, x);
 * ```
 */
export function tfForward(model: BlockModel, x: Tensor): { logits: Float32Array; probes: Float32Array[] } {
  const r = model.forward(x, { probes: true });
  const out = { logits: Float32Array.from(r.logits.dataSync()), probes: r.probes!.map((p) => Float32Array.from(p.dataSync())) };
  tf.dispose([r.logits, ...r.probes!]);
  return out;
}
