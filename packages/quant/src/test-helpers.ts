/*
 * Test-only helpers (not exported from the package).
 */
import { initBackend, tf, type Tensor } from '@acn/core';

/** Uses the wasm backend, as the conformance suite and users on CPU do. */
export async function useWasm(): Promise<void> {
  const info = await initBackend('wasm');
  if (info.name !== 'wasm') throw new Error(`expected wasm, got ${info.name}`);
}

/** Values of a tensor as a plain array. */
export function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Exact elementwise equality (=== per element, so +0 and -0 are equal; NaN never is). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Largest absolute difference of two arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs `fn` and returns how many tensors it left behind. */
export function leaked(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}

/**
 * The test vector of vcon.md §2.6, `W` in PyTorch layout `[out = 2, in = 4]`, and the same matrix
 * as our `[in, out]` kernel (its transpose).
 */
export const VCON_W_TORCH = [
  [0.5, -0.1, 0.3, -0.8],
  [0.05, 0.2, -0.15, 0.1],
];
export const VCON_KERNEL = VCON_W_TORCH[0].map((_, i) => VCON_W_TORCH.map((row) => row[i])); // [4, 2]
