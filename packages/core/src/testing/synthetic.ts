/*
 * A tiny, learnable synthetic dataset for core's tests (no files, no network).
 */
import type { ArrayDataset } from '../data/array-dataset';
import { Rng } from '../random';

/**
 * `count` samples of shape `[side, side, 1]`; the label says which quadrant holds a bright blob
 * (4 classes), with noise. A small model learns it in a few epochs.
 */
export function quadrantDataset(count: number, seed = 0, side = 8): ArrayDataset {
  const rng = new Rng(seed);
  const per = side * side;
  const inputs = new Float32Array(count * per);
  const labels = new Int32Array(count);
  const half = side / 2;
  for (let i = 0; i < count; i++) {
    const q = rng.int(4);
    labels[i] = q;
    const r0 = q < 2 ? 0 : half;
    const c0 = q % 2 === 0 ? 0 : half;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const inBlob = r >= r0 && r < r0 + half && c >= c0 && c < c0 + half;
        inputs[i * per + r * side + c] = (inBlob ? 0.6 : 0.1) + 0.3 * rng.next();
      }
    }
  }
  return { inputs, labels, count, sampleShape: [side, side, 1], numClasses: 4 };
}
