/*
 * Test-only helpers for core's own tests (not exported from the package).
 */
import { initBackend } from '../backend';
import { tf, type Tensor } from '../tf';

/** Uses the wasm backend (the fast path on CPU-only machines, as users get with `auto`). */
export async function useWasm(): Promise<void> {
  const info = await initBackend('wasm');
  if (info.name !== 'wasm') throw new Error(`expected wasm, got ${info.name}`);
}

/** Largest absolute elementwise difference of two tensors of the same shape. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape mismatch ${JSON.stringify(a.shape)} vs ${JSON.stringify(b.shape)}`);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = d.dataSync()[0];
  d.dispose();
  return v;
}

/** Runs `fn` and returns how many tensors it left behind. */
export async function leakedTensors(fn: () => unknown | Promise<unknown>): Promise<number> {
  const before = tf.memory().numTensors;
  await fn();
  return tf.memory().numTensors - before;
}

/** A deterministic random image batch `[B, H, W, C]` in [0, 1). */
export function randomImages(b: number, shape: readonly number[], seed = 1): Tensor {
  return tf.randomUniform([b, ...shape], 0, 1, 'float32', seed);
}
