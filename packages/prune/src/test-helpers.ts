/*
 * Test-only helpers (not exported from the package).
 */
import { createMlp, initBackend, tf, type BlockModel, type Mlp, type Tensor } from '@acn/core';

/** Tests run on wasm, the backend CPU users get. */
export async function useWasm(): Promise<void> {
  const info = await initBackend('wasm');
  if (info.name !== 'wasm') throw new Error(`expected wasm, got ${info.name}`);
}

/** Largest absolute elementwise difference (shapes must match). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape mismatch ${JSON.stringify(a.shape)} vs ${JSON.stringify(b.shape)}`);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = d.dataSync()[0];
  d.dispose();
  return v;
}

/** A tiny MLP: embedding.proj [8, 8], blocks.{0,1}.fc [8, 8], head.fc [8, 3]. */
export function tinyMlp(seed = 1): Mlp {
  return createMlp({ inputShape: [8], numClasses: 3, depth: 2, hiddenDim: 8, seed });
}

/** Overwrites a stored weight with row-major values. */
export function setWeight(model: BlockModel, path: string, values: ArrayLike<number>): void {
  const v = model.namedWeights()[path];
  if (!v) throw new Error(`no weight ${path}`);
  const t = tf.tensor(Array.from(values), v.shape, 'float32');
  v.assign(t);
  t.dispose();
}

/** Row-major values of a tensor as a plain array (does not dispose it). */
export function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

/** The effective weight of a layer (through attached hooks) as a plain array. */
export function effective(model: BlockModel, path: string, weight = 'kernel'): number[] {
  const t = tf.tidy(() => model.layer(path).w(weight).clone());
  const out = values(t);
  t.dispose();
  return out;
}

/** The sum of a tensor, disposing it. */
export function sumOf(t: Tensor | undefined): number {
  if (!t) throw new Error('no tensor');
  const s = tf.tidy(() => tf.sum(t));
  const v = s.dataSync()[0];
  tf.dispose([s, t]);
  return v;
}
