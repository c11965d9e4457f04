/*
 * Test-only fixtures (not exported): a learnable quadrant dataset, tiny models, and helpers to get
 * exit decisions that really mix early and late exits.
 */
import { createMixer, createMlp, initBackend, makeBatch, Rng, tf, train, type ArrayDataset, type BlockModel, type Connectivity, type Tensor } from '@acn/core';
import { attachBranches, type BranchExits } from './branches';
import { simulateExits } from './calibrate';
import { allExitLogits } from './exit-forward';
import type { ExitHeads } from './exits';
import { alignedExitLoss, branchExitLoss, sumExitLosses } from './losses';
import { entropy, entropyPolicy } from './policy';

/** The wasm backend (what users get on CPU-only machines). */
export async function useWasm(): Promise<void> {
  const info = await initBackend('wasm');
  if (info.name !== 'wasm') throw new Error(`expected wasm, got ${info.name}`);
}

/** `count` images `[8, 8, 1]`; the label is the quadrant holding a bright blob (4 classes), noisy. */
export function quadrantDataset(count: number, seed = 0): ArrayDataset {
  const rng = new Rng(seed);
  const side = 8;
  const per = side * side;
  const inputs = new Float32Array(count * per);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const q = rng.int(4);
    labels[i] = q;
    const r0 = q < 2 ? 0 : 4;
    const c0 = q % 2 === 0 ? 0 : 4;
    const bright = 0.2 + 0.6 * rng.next(); // some samples are hard
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const inBlob = r >= r0 && r < r0 + 4 && c >= c0 && c < c0 + 4;
        inputs[i * per + r * side + c] = (inBlob ? bright : 0.1) + 0.4 * rng.next();
      }
    }
  }
  return { inputs, labels, count, sampleShape: [side, side, 1], numClasses: 4 };
}

/** A tiny Mixer: 8×8×1, patch 4 (4 tokens + CLS), width 16, depth 4. */
export function tinyMixer(connectivity: Connectivity, seed = 7): BlockModel {
  return createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 16, tokenMlpDim: 8, channelMlpDim: 32, depth: 4, connectivity, seed });
}

/** A tiny MLP on the same images (rank-2 block outputs). */
export function tinyMlp(connectivity: Connectivity, seed = 7): BlockModel {
  return createMlp({ inputShape: [8, 8, 1], numClasses: 4, depth: 4, hiddenDim: 16, connectivity, seed });
}

/**
 * Attaches branches after blocks 1, 2, 3 and trains model and branches jointly with the Aligned
 * shared-head loss plus the branch losses, so that every exit is informative and exits mix.
 */
export async function trainedWithBranches(model: BlockModel, data: ArrayDataset, epochs = 6): Promise<BranchExits> {
  const branches = attachBranches(model, { layers: [1, 2, 3] });
  const extraLoss = sumExitLosses(alignedExitLoss({ mode: 'add' }), branchExitLoss(branches, [0.8, 0.6, 0.4]));
  const r = await train(model, data, { epochs, batchSize: 32, lr: 3e-3, seed: 1, probes: true, extraLoss, progress: 'none' });
  r.optimizer.dispose();
  return branches;
}

/** The first `n` samples of a dataset as tensors. */
export function batchOf(data: ArrayDataset, n: number, from = 0): { x: Tensor; y: Tensor } {
  return makeBatch(data, Array.from({ length: n }, (_, i) => from + i));
}

/** An entropy threshold (a quantile of the intermediate exits' entropies) under which the exit layers of `x` are the most varied. */
export function mixingTau(model: BlockModel, x: Tensor, exits: ExitHeads, minLayer = 0): number {
  const logits = allExitLogits(model, x, exits);
  const probs = logits.map((l) => {
    const p = tf.softmax(l);
    const v = p.dataSync() as Float32Array;
    p.dispose();
    return v;
  });
  tf.dispose(logits);
  const c = (model.config as { numClasses: number }).numClasses;
  const n = x.shape[0];
  const hs: number[] = [];
  probs.slice(0, -1).forEach((p, j) => {
    if (exits.layers[j] >= minLayer) for (let r = 0; r < n; r++) hs.push(entropy(p, r * c, c));
  });
  hs.sort((a, b) => a - b);
  let best = { tau: hs[Math.floor(hs.length / 2)], distinct: 0 };
  for (let q = 0.1; q < 0.95; q += 0.1) {
    const tau = hs[Math.floor(q * hs.length)];
    const sim = simulateExits({ layers: exits.layers, probs, numClasses: c, count: n }, entropyPolicy({ tau, minLayer }));
    const distinct = new Set(sim.exitLayers).size;
    if (distinct > best.distinct) best = { tau, distinct };
  }
  return best.tau;
}

/** Largest absolute difference of two tensors of the same shape. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  expectSameShape(a, b);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = d.dataSync()[0];
  d.dispose();
  return v;
}

function expectSameShape(a: Tensor, b: Tensor): void {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape mismatch ${JSON.stringify(a.shape)} vs ${JSON.stringify(b.shape)}`);
}
