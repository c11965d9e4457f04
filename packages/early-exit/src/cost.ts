/**
 * FLOPs of early-exit inference with the cost accounting of `@acn/core` (`modelCost`: a
 * multiply-add is 2 FLOPs, dense bias adds counted, data movement free): a sample that stops at
 * exit j costs the embedding, the blocks it executed, and every exit head evaluated on the way
 * (acn.md §3.5: "FLOPs of the executed prefix (+ exit heads)").
 */
import { denseFlops, GELU_FLOPS_PER_ELEMENT, modelCost, type ModelCost, type ModelCostOptions, type Variable } from '@acn/core';
import type { BranchExits } from './branches';
import type { ExitHeads } from './exits';

/**
 * Per-sample FLOPs of every part an early-exit run may execute.
 *
 * @example
 * ```ts
 * const cost = exitCost(sharedExits(model));
 * cost.flopsAt(3); // embedding + blocks 0..2 + the head evaluated at exits 0..3
 * ```
 */
export interface ExitCost {
  /** Exit layers (executed blocks), as in `exits.layers`. */
  readonly layers: readonly number[];
  readonly embedding: number;
  /** FLOPs of every block, index 0..L−1 (`modelCost(model).blocks[i].flops`). */
  readonly blocks: readonly number[];
  /** FLOPs of evaluating each exit: the shared head, or a branch (the last exit is the model's head). */
  readonly exitHeads: readonly number[];
  /** FLOPs of the model's plain forward: embedding + all blocks + head (`modelCost(model).total.flops`). */
  readonly full: number;
  /**
   * Per-sample FLOPs of a sample that stops at exit `exitIndex` when exits below `minLayer` are
   * skipped (not evaluated, as `earlyExitForward` does). Default minLayer 0.
   */
  flopsAt(exitIndex: number, minLayer?: number): number;
}

/** Which parts of a model a layer path belongs to. */
function partOf(path: string): 'embedding' | 'head' | 'block' {
  if (path === 'embedding' || path.startsWith('embedding.')) return 'embedding';
  if (path === 'head' || path.startsWith('head.')) return 'head';
  return 'block';
}

/**
 * FLOPs per sample of one branch `Dense(d→h) → GELU → Dense(h→C)` on a `[1, d]` input, through
 * `@acn/core`'s `denseFlops` (GELU only with `includeElementwise`, as `mlpFlops` counts it).
 *
 * @example
 * ```ts
 * branchFlops(branches, 0); // 2·64·128 + 128 + 2·128·10 + 10 = 19,082 for d = 64, C = 10
 * ```
 */
export function branchFlops(branches: BranchExits, index: number, options: { includeElementwise?: boolean } = {}): number {
  const [d, hidden, c] = branches.dims;
  const w = branches.weights(index);
  const includeElementwise = options.includeElementwise ?? false;
  const fc = (path: string, kernel: Variable, bias: Variable, inDim: number, outDim: number) =>
    denseFlops({
      layer: { path, kind: 'dense', depth: -1, weights: { kernel, bias }, children: [] },
      calls: [{ input: [1, inDim], output: [1, outDim] }],
      callsOf: () => [],
      batch: 1,
      includeElementwise,
    });
  const path = `${branches.handle.layers[index].path}.exit`;
  const gelu = includeElementwise ? GELU_FLOPS_PER_ELEMENT * hidden : 0;
  return fc(`${path}.fc1`, w['exit.fc1.kernel'], w['exit.fc1.bias'], d, hidden) + gelu + fc(`${path}.fc2`, w['exit.fc2.kernel'], w['exit.fc2.bias'], hidden, c);
}

/**
 * The per-sample FLOPs of an early-exit run's parts, from `modelCost(exits.model)` (so compression
 * hooks that lower a layer's cost, e.g. low rank, are reflected) plus the branch heads.
 *
 * @example
 * ```ts
 * const cost = exitCost(exits);
 * const speedup = modelCost(residualModel).total.flops / cost.flopsAt(2);
 * ```
 */
export function exitCost(exits: ExitHeads, options: Pick<ModelCostOptions, 'includeElementwise' | 'kindFlops'> & { readonly modelCost?: ModelCost } = {}): ExitCost {
  const mc = options.modelCost ?? modelCost(exits.model, { includeElementwise: options.includeElementwise, kindFlops: options.kindFlops });
  let embedding = 0;
  let head = 0;
  for (const l of mc.layers) {
    const part = partOf(l.path);
    if (part === 'embedding') embedding += l.flops;
    else if (part === 'head') head += l.flops;
  }
  const blocks = mc.blocks.map((b) => b.flops);
  const last = exits.layers.length - 1;
  const exitHeads = exits.layers.map((_, j) => {
    if (exits.kind === 'shared' || j === last) return head;
    return branchFlops(exits as BranchExits, j, options);
  });
  // prefix[k] = embedding + blocks 0..k−1
  const prefix = [embedding];
  for (const b of blocks) prefix.push(prefix[prefix.length - 1] + b);
  const layers = exits.layers;
  return {
    layers,
    embedding,
    blocks,
    exitHeads,
    full: mc.total.flops,
    flopsAt(exitIndex: number, minLayer = 0): number {
      if (!Number.isInteger(exitIndex) || exitIndex < 0 || exitIndex > last) throw new RangeError(`exitCost.flopsAt: exit index ${exitIndex} is out of range [0, ${last}]`);
      if (exitIndex !== last && layers[exitIndex] < minLayer) {
        throw new RangeError(`exitCost.flopsAt: exit ${exitIndex} (after ${layers[exitIndex]} blocks) is below minLayer ${minLayer}; no sample stops there`);
      }
      let f = prefix[layers[exitIndex]];
      for (let j = 0; j <= exitIndex; j++) if (j === last || layers[j] >= minLayer) f += exitHeads[j];
      return f;
    },
  };
}

/**
 * FLOPs speed-up relative to a baseline (acn.md §3.5: the full residual model's FLOPs), i.e.
 * `baselineFlops / meanFlops`.
 *
 * @example
 * ```ts
 * flopsSpeedup(modelCost(resModel).total.flops, evaluation.flopsPerSample); // e.g. 2.4
 * ```
 */
export function flopsSpeedup(baselineFlops: number, meanFlops: number): number {
  if (!(baselineFlops > 0) || !(meanFlops > 0)) throw new RangeError(`flopsSpeedup: FLOPs must be > 0, got baseline ${baselineFlops} and mean ${meanFlops}`);
  return baselineFlops / meanFlops;
}
