/**
 * Branch exits (BranchyNet; acn.md §3.5 "EE branches"): a small classifier
 * `Dense(d→2d) → GELU → Dense(2d→C)` on the CLS token of a block's own output `x_k` (not of the
 * running sum, even for AC models; no LayerNorm), attached through the layer-hook contract so its
 * weights are model weights: trained by `train`, saved in checkpoints, visible by path
 * (`blocks.2.exit.fc1.kernel`) and freed when the handle is disposed.
 */
import {
  dense,
  denseFused,
  gelu,
  geluFused,
  HookError,
  Rng,
  tf,
  torchUniform,
  type BlockModel,
  type ForwardContext,
  type HookHandle,
  type LayerHook,
  type LayerInfo,
  type Tensor,
  type Variable,
} from '@acn/core';
import { checkExitLayers, type ExitHeads, type PrefixState } from './exits';

/**
 * Local names of a branch's weights on its block layer.
 *
 * @example
 * ```ts
 * const fc1 = model.namedWeights()[`blocks.2.${BRANCH_WEIGHTS[0]}`]; // [d, 2d]
 * ```
 */
export const BRANCH_WEIGHTS = ['exit.fc1.kernel', 'exit.fc1.bias', 'exit.fc2.kernel', 'exit.fc2.bias'] as const;

/**
 * Options of {@link attachBranches}.
 *
 * @example
 * ```ts
 * const opts: BranchOptions = { layers: [3, 5, 7], hiddenDim: 128, pool: 'cls' };
 * ```
 */
export interface BranchOptions {
  /**
   * Exit after these numbers of executed blocks, each in `[1, L−1]` (the branch reads the output
   * of block `k−1`, 0-based). Default {@link defaultBranchLayers}: the paper's blocks 4, 8, 12 of
   * 16 (0-based) scaled to the model's depth.
   */
  readonly layers?: readonly number[];
  /** Hidden width of the branch MLP. Default `2·d` (acn.md §3.5). */
  readonly hiddenDim?: number;
  /** Token width d of the block outputs. Default `model.config.hiddenDim`. */
  readonly inputDim?: number;
  /**
   * How a `[B, T, d]` block output becomes `[B, d]`: token 0 (`cls`) or the mean over tokens
   * (padding included: use `cls` for padded sequences). Default: the model's `pooling` if it has
   * one, else `cls`.
   */
  readonly pool?: 'cls' | 'mean';
  /** Seed of the branch initialization (PyTorch default init, U(±1/√fan_in)). Default `model.config.seed + 1`. */
  readonly seed?: number;
}

/**
 * Branch exits attached to a model. Also an {@link ExitHeads}: exits at `layers` (the branches)
 * and at `L` (the model's own head).
 *
 * @example
 * ```ts
 * const branches = attachBranches(model, { layers: [3, 5, 7] });
 * await train(model, data, { epochs: 10, extraLoss: branchExitLoss(branches, [0.8, 0.6, 0.4]) });
 * branches.dispose(); // removes the branch weights again
 * ```
 */
export interface BranchExits extends ExitHeads {
  readonly kind: 'branches';
  /** Executed blocks of the branches only (without the final exit). */
  readonly branchLayers: readonly number[];
  /** `[d, hidden, numClasses]` of every branch. */
  readonly dims: readonly [number, number, number];
  /** The hook attachment (its `layers` are the block layers that carry a branch). */
  readonly handle: HookHandle;
  /** The branch weights of branch `i` by local name. */
  weights(i: number): Readonly<Record<(typeof BRANCH_WEIGHTS)[number], Variable>>;
  /** Logits `[B, C]` of branch `i` on a block output `[B, T, d]` or `[B, d]`. */
  branchLogits(i: number, blockOutput: Tensor): Tensor;
  /**
   * The branch logits computed by the last training-mode forward (one per branch, in order), kept
   * alive for a loss term; the caller owns them afterwards. Undefined entries: no training forward
   * reached that block since the last call.
   */
  takeCaptured(): (Tensor | undefined)[];
  /** Frees captured logits nobody took (after a training run that used no branch loss). */
  release(): void;
  /** Detaches the hook and frees the branch weights; the model is exactly as before. */
  dispose(): void;
}

/**
 * The paper's branch positions (after blocks 4, 8, 12 of 16, 0-based, i.e. 5, 9, 13 executed
 * blocks) scaled to `depth` and made distinct, inside `[1, depth−1]`.
 *
 * @example
 * ```ts
 * defaultBranchLayers(16); // [5, 9, 13]
 * defaultBranchLayers(8);  // [3, 5, 7]
 * ```
 */
export function defaultBranchLayers(depth: number): number[] {
  if (!Number.isInteger(depth) || depth < 2) throw new RangeError(`defaultBranchLayers: depth must be an integer >= 2 (a branch needs a block after it), got ${depth}`);
  const out: number[] = [];
  for (const f of [5 / 16, 9 / 16, 13 / 16]) {
    const k = Math.min(depth - 1, Math.max(1, Math.round(f * depth)));
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

function positiveInt(who: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${who}: ${name} must be an integer >= 1, got ${String(v)}`);
  return v;
}

/**
 * Adds branch classifiers to `model` at the given exit layers (a hook on the `block` layers, whose
 * weights are added with `ctx.addWeight`). During training-mode forwards each branch computes its
 * logits from the block output and keeps them for {@link branchExitLoss}; in inference the model's
 * own forward is unchanged (the branches only run inside `earlyExitForward`). Works on a model
 * being trained from scratch (joint training) and on an already trained one (train the branches
 * alone with {@link freezeBackbone}, DeeBERT's second stage).
 *
 * Baking: the hook wraps block forwards and has no `bake`, so `model.hooks.bakeAll()` refuses while
 * branches are attached; dispose them first (their weights go with them) or bake other hooks
 * through their own handles.
 *
 * @example
 * ```ts
 * const branches = attachBranches(model, { layers: [3, 5, 7] });
 * const r = earlyExitForward(model, x, { exits: branches, policy: entropyPolicy({ tau: 0.7 }) });
 * ```
 */
export function attachBranches(model: BlockModel, options: BranchOptions = {}): BranchExits {
  const who = 'attachBranches';
  const depth = model.depth;
  const cfg = model.config as unknown as { hiddenDim?: number; pooling?: string; numClasses: number; seed: number; fused?: boolean };
  const branchLayers = options.layers === undefined ? defaultBranchLayers(depth) : checkExitLayers(who, options.layers, 1, depth - 1);
  const inDim = positiveInt(who, 'inputDim', options.inputDim ?? cfg.hiddenDim);
  const hidden = positiveInt(who, 'hiddenDim', options.hiddenDim ?? 2 * inDim);
  const numClasses = cfg.numClasses;
  const pool = options.pool ?? (cfg.pooling === 'mean' ? 'mean' : 'cls');
  if (pool !== 'cls' && pool !== 'mean') throw new RangeError(`${who}: pool must be 'cls' or 'mean', got ${String(pool)}`);
  const seed = options.seed ?? cfg.seed + 1;
  const fused = cfg.fused ?? true;
  const denseOp = fused ? denseFused : dense;
  const geluOp = fused ? geluFused : gelu;

  // Block index (0-based) → branch position.
  const position = new Map(branchLayers.map((k, i) => [k - 1, i]));
  const blockLayers: LayerInfo[] = new Array(branchLayers.length);
  let captured: (Tensor | undefined)[] = new Array(branchLayers.length).fill(undefined);
  const release = () => {
    for (const t of captured) t?.dispose();
    captured = new Array(branchLayers.length).fill(undefined);
  };

  const forwardOn = (layer: LayerInfo, blockOutput: Tensor): Tensor => {
    let v = blockOutput;
    if (v.rank === 3) v = pool === 'cls' ? tf.squeeze(tf.slice(v, [0, 0, 0], [-1, 1, -1]), [1]) : tf.mean(v, 1); // [B, d]
    else if (v.rank !== 2) throw new HookError(`${who}: block output of ${layer.path} has shape ${JSON.stringify(v.shape)}; expected [B, T, d] or [B, d]`, 'acn:early-exit/branches', layer.path);
    if (v.shape[1] !== inDim) throw new HookError(`${who}: block output of ${layer.path} has width ${v.shape[1]}, the branch expects inputDim ${inDim}`, 'acn:early-exit/branches', layer.path);
    const w = layer.weights;
    const hid = geluOp(denseOp(v, w['exit.fc1.kernel'], w['exit.fc1.bias'])); // [B, 2d]
    return denseOp(hid, w['exit.fc2.kernel'], w['exit.fc2.bias']); // [B, C]
  };

  const rng = new Rng(seed);
  const hook: LayerHook = {
    name: 'acn:early-exit/branches',
    filter: { kind: 'block', where: (l) => position.has(l.depth) },
    setup(layer, ctx) {
      const i = position.get(layer.depth)!;
      blockLayers[i] = layer;
      ctx.addWeight('exit.fc1.kernel', torchUniform([inDim, hidden], inDim, rng));
      ctx.addWeight('exit.fc1.bias', torchUniform([hidden], inDim, rng));
      ctx.addWeight('exit.fc2.kernel', torchUniform([hidden, numClasses], hidden, rng));
      ctx.addWeight('exit.fc2.bias', torchUniform([numClasses], hidden, rng));
    },
    wrapForward: (next, layer) => (x: Tensor, ctx: ForwardContext) => {
      const out = next(x, ctx);
      if (ctx.training) {
        const i = position.get(layer.depth)!;
        if (i === 0) release(); // a new training forward: drop what the last one left behind
        captured[i]?.dispose();
        captured[i] = tf.keep(forwardOn(layer, out));
      }
      return out;
    },
  };
  const found = model.blocks.filter((b) => position.has(b.depth)).length;
  if (found !== branchLayers.length) {
    throw new HookError(`${who}: found ${found} block layers for branch layers ${JSON.stringify(branchLayers)} in a depth-${depth} model`, hook.name);
  }
  const handle = model.hooks.attach(hook);
  const layers = Object.freeze([...branchLayers, depth]);

  const checkIndex = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= branchLayers.length) throw new RangeError(`branch index ${i} is out of range [0, ${branchLayers.length - 1}]`);
    if (!handle.active) throw new HookError('these branches were disposed', hook.name);
  };

  return {
    kind: 'branches',
    model,
    layers,
    branchLayers: Object.freeze([...branchLayers]),
    dims: [inDim, hidden, numClasses],
    handle,
    weights(i) {
      checkIndex(i);
      const w = blockLayers[i].weights;
      return { 'exit.fc1.kernel': w['exit.fc1.kernel'], 'exit.fc1.bias': w['exit.fc1.bias'], 'exit.fc2.kernel': w['exit.fc2.kernel'], 'exit.fc2.bias': w['exit.fc2.bias'] };
    },
    branchLogits(i, blockOutput) {
      checkIndex(i);
      return forwardOn(blockLayers[i], blockOutput);
    },
    logits(exitIndex: number, state: PrefixState, ctx: ForwardContext) {
      if (exitIndex === branchLayers.length) return model.head.apply(state.y, ctx);
      checkIndex(exitIndex);
      return forwardOn(blockLayers[exitIndex], state.h);
    },
    takeCaptured() {
      const out = captured;
      captured = new Array(branchLayers.length).fill(undefined);
      return out;
    },
    release,
    dispose() {
      release();
      handle.dispose();
    },
  };
}

/**
 * Marks every model weight except the branch weights as not trainable (DeeBERT's second stage:
 * train exits on a frozen backbone) and returns a function that restores the flags. The trainer
 * only differentiates trainable weights, so the model's own loss term then changes nothing.
 *
 * @example
 * ```ts
 * const unfreeze = freezeBackbone(model, branches);
 * await train(model, data, { epochs: 3, extraLoss: branchExitLoss(branches, [1, 1, 1]) }); // only the branches learn
 * unfreeze();
 * ```
 */
export function freezeBackbone(model: BlockModel, branches: BranchExits): () => void {
  if (branches.model !== model) throw new Error('freezeBackbone: these branches belong to another model');
  const own = new Set<Variable>();
  for (let i = 0; i < branches.branchLayers.length; i++) for (const v of Object.values(branches.weights(i))) own.add(v);
  const changed: Variable[] = [];
  for (const v of Object.values(model.namedWeights())) {
    if (!own.has(v) && v.trainable) {
      v.trainable = false;
      changed.push(v);
    }
  }
  return () => changed.forEach((v) => (v.trainable = true));
}
