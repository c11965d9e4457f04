/*
 * Structured pruning made real: removing hidden units of a dense pair A → act → B (an MLP's
 * fc1 → GELU → fc2). Unit j is column j of A's kernel `[in, h]` (and `bias_A[j]`) and row j of B's
 * kernel `[h, out]`; dropping both shrinks the hidden width h → h' and the FLOPs of both layers.
 *
 * A unit pruned by `row` granularity still emits its bias: h_j = act(0·x + b_A[j]) = act(b_A[j]),
 * a constant, so its contribution act(b_A[j])·B[j, :] is folded into B's bias and the removal is
 * exact (not just approximately so).
 *
 * The model itself is resized (core's `DenseLayer.resize`): `model.structure().resized` records
 * the new widths, so checkpoints, truncation and cost accounting see the smaller layers.
 */
import { DenseLayer, gelu, tf, type BlockModel, type Layer, type Tensor } from '@acn/core';

/**
 * The elementwise function between A and B: `gelu` (exact erf, as core's `MlpLayer`), `relu`,
 * `identity`, or any elementwise function.
 *
 * @example
 * ```ts
 * const act: Activation = (x) => tf.tanh(x);
 * ```
 */
export type Activation = 'gelu' | 'relu' | 'identity' | ((x: Tensor) => Tensor);

/**
 * Options of {@link removeNeurons}.
 *
 * @example
 * ```ts
 * const o: RemoveNeuronsOptions = { keep: [0, 2, 3], activation: 'gelu' };
 * ```
 */
export interface RemoveNeuronsOptions {
  /**
   * Hidden units to keep: indices, or a boolean per unit. Default: the units whose column of A's
   * kernel has a non-zero (those not removed by `row` pruning and `bake`).
   */
  readonly keep?: readonly number[] | readonly boolean[];
  /**
   * What sits between A and B. Default `gelu` when A and B are the `fc1`, `fc2` of one core `mlp`
   * layer (channel MLP, token mixing, transformer FFN); required otherwise.
   */
  readonly activation?: Activation;
  /** Check the result on a random probe batch (default true; throws when off by more than `tolerance`). */
  readonly verify?: boolean;
  /** Max abs error allowed in the check, relative to max(1, max |reference|). Default 1e-4. */
  readonly tolerance?: number;
  /** Rows of the probe batch. Default 16. */
  readonly probeRows?: number;
  /** Seed of the probe batch. Default 0. */
  readonly seed?: number;
}

/**
 * Result of {@link removeNeurons}: what was removed and what it saves (the model is already resized).
 *
 * @example
 * ```ts
 * const r: NeuronRemoval = removeNeurons(model, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2');
 * r.hiddenDim; // h'
 * ```
 */
export interface NeuronRemoval {
  /** Path of layer A (now `[in, h']`). */
  readonly pathA: string;
  /** Path of layer B (now `[h', out]`). */
  readonly pathB: string;
  /** The hidden width before the removal. */
  readonly hiddenDimBefore: number;
  /** The new hidden width h'. */
  readonly hiddenDim: number;
  /** Kept unit indices of the original hidden layer, ascending. */
  readonly kept: readonly number[];
  /** Removed unit indices, ascending. */
  readonly removed: readonly number[];
  /**
   * True when every removed unit's column of A was already all zero: the resized model computes
   * exactly what it computed before. False: it computes the model with those columns zeroed.
   */
  readonly exact: boolean;
  /** Max abs difference from the pruned dense computation on the probe batch (NaN with `verify: false`). */
  readonly maxAbsError: number;
  /** FLOPs of A and B per input row (`2·in·h + h + 2·h·out + out`, biases as present) before and after. */
  readonly flopsPerRow: { readonly before: number; readonly after: number };
  /** Stored parameters of A and B before and after. */
  readonly params: { readonly before: number; readonly after: number };
}

function denseAt(model: BlockModel, path: string, role: string): DenseLayer {
  let layer: Layer;
  try {
    layer = model.layer(path);
  } catch {
    throw new Error(`removeNeurons: no layer at path '${path}' (${role})`);
  }
  if (!(layer instanceof DenseLayer)) throw new Error(`removeNeurons: ${role} '${path}' is a ${layer.kind} layer; only dense layers can be shrunk`);
  if (layer.rank !== undefined) throw new Error(`removeNeurons: ${role} '${path}' is stored factorized (rank ${layer.rank}); shrink it before low-rank baking`);
  return layer;
}

/** The `mlp` layer whose children are exactly [a, b], if any (then the activation is GELU). */
function mlpParentOf(model: BlockModel, a: Layer, b: Layer): Layer | undefined {
  return model.layers().find((l) => l.kind === 'mlp' && l.children.length === 2 && l.children[0] === a && l.children[1] === b);
}

function activationFn(act: Activation): (x: Tensor) => Tensor {
  if (typeof act === 'function') return act;
  if (act === 'gelu') return gelu;
  if (act === 'relu') return tf.relu;
  if (act === 'identity') return (x) => x;
  throw new Error(`removeNeurons: unknown activation '${String(act)}' (gelu, relu, identity or a function)`);
}

function keptIndices(keep: readonly number[] | readonly boolean[], h: number, pathA: string): number[] {
  if (keep.length > 0 && typeof keep[0] === 'boolean') {
    if (keep.length !== h) throw new Error(`removeNeurons: keep mask has ${keep.length} entries but ${pathA} has ${h} output units`);
    return (keep as readonly boolean[]).flatMap((k, j) => (k ? [j] : []));
  }
  const idx = [...new Set(keep as readonly number[])].sort((x, y) => x - y);
  for (const j of idx) {
    if (!Number.isInteger(j) || j < 0 || j >= h) throw new Error(`removeNeurons: keep index ${j} is out of range for ${pathA} with ${h} output units`);
  }
  return idx;
}

/** Refuses when hooks are bound to A or B: their state (masks, scales) has the old width. */
function checkNoHooks(layer: DenseLayer, role: string): void {
  if (layer.bindings.length === 0) return;
  const names = layer.bindings.map((b) => `'${b.hook.name}'`).join(', ');
  throw new Error(
    `removeNeurons: ${role} '${layer.path}' has un-baked hooks attached (${names}); bake them (handle.bake(), model.hooks.bakeAll()) or dispose them before removing units, since their state has the old width`,
  );
}

/**
 * Removes hidden units between two dense layers A → act → B (e.g. `blocks.0.channelMlp.fc1` →
 * `fc2`, or `blocks.0.tokenMix.mlp.fc1` → `fc2`) and resizes the model: keeps columns `kept` of
 * A's kernel and bias and the same rows of B's kernel, folds the constant output
 * `act(b_A[j])·B[j, :]` of every removed unit into B's bias, checks on a random batch that
 * `act(x A' + b_A') B' + b_B'` equals the pruned dense computation `act(x (A ⊙ M) + b_A) B + b_B`
 * (M zeroes the removed columns), and only then writes the smaller weights into A and B (core's
 * `DenseLayer.resize`). `model.structure().resized` records the new widths, so checkpoints,
 * truncation and cost accounting (`modelCost`) see the smaller layers.
 *
 * Hooks must be baked (or disposed) first: a pruning mask or quantizer scale attached to A or B
 * has the old width, so removal refuses while any is bound to them. Assumes B is the only
 * consumer of A's output (true inside core's `mlp` layers).
 *
 * @throws Error for unknown paths, non-dense or factorized layers, hooks bound to A or B,
 *   mismatched widths, an empty or out-of-range `keep`, a B without bias when the removed units
 *   emit a constant, or a verification error above `tolerance` (the model is then unchanged).
 * @example
 * ```ts
 * const h = model.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path: /channelMlp\.fc1$/ } })));
 * h.bake();
 * const r = removeNeurons(model, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2');
 * console.log(r.hiddenDim, r.flopsPerRow, r.maxAbsError); // half the units, about half the FLOPs, ~1e-7
 * ```
 */
export function removeNeurons(model: BlockModel, pathA: string, pathB: string, options: RemoveNeuronsOptions = {}): NeuronRemoval {
  const a = denseAt(model, pathA, 'layer A');
  const b = denseAt(model, pathB, 'layer B');
  if (a.outDim !== b.inDim) throw new Error(`removeNeurons: ${pathA} outputs ${a.outDim} units but ${pathB} takes ${b.inDim} inputs ([${a.inDim}, ${a.outDim}] → [${b.inDim}, ${b.outDim}])`);
  if (options.activation === undefined && !mlpParentOf(model, a, b)) {
    throw new Error(`removeNeurons: ${pathA} → ${pathB} are not the fc1, fc2 of one mlp layer, so the activation between them is unknown; pass options.activation`);
  }
  checkNoHooks(a, 'layer A');
  checkNoHooks(b, 'layer B');
  const act = activationFn(options.activation ?? 'gelu');
  const h = a.outDim;

  // Kernel of A, row-major [in, h] (no hooks, so stored = effective): which units are already all zero.
  const kAValues = a.weights.kernel.dataSync();
  const zeroColumn = new Array<boolean>(h).fill(true);
  for (let i = 0; i < a.inDim; i++) for (let j = 0; j < h; j++) if (kAValues[i * h + j] !== 0) zeroColumn[j] = false;

  const kept = options.keep ? keptIndices(options.keep, h, pathA) : zeroColumn.flatMap((z, j) => (z ? [] : [j]));
  if (kept.length === 0) throw new Error(`removeNeurons: no unit of ${pathA} would be kept (all ${h} removed); keep at least one`);
  const keptSet = new Set(kept);
  const removed = Array.from({ length: h }, (_, j) => j).filter((j) => !keptSet.has(j));
  const exact = removed.every((j) => zeroColumn[j]);

  const out = tf.tidy(() => {
    const kernelA = a.weights.kernel; // [in, h]
    const biasA = a.hasBias ? a.weights.bias : undefined; // [h]
    const kernelB = b.weights.kernel; // [h, out]
    const keepIdx = tf.tensor1d(kept, 'int32');
    const newKernelA = tf.gather(kernelA, keepIdx, 1); // [in, h']
    const newBiasA = biasA ? tf.gather(biasA, keepIdx) : undefined; // [h']
    const newKernelB = tf.gather(kernelB, keepIdx, 0); // [h', out]
    // Removed units emit act(b_A[j]) whatever x is: Σ_j act(b_A[j])·B[j, :], folded into b_B. [out]
    let folded: Tensor = tf.zeros([b.outDim]);
    if (removed.length > 0) {
      const remIdx = tf.tensor1d(removed, 'int32');
      const constIn = act(biasA ? tf.gather(biasA, remIdx) : tf.zeros([removed.length])); // [r]
      folded = tf.reshape(tf.matMul(tf.reshape(constIn, [1, removed.length]), tf.gather(kernelB, remIdx, 0)), [b.outDim]);
    }
    const newBiasB = b.hasBias ? tf.add(b.weights.bias, folded) : undefined; // [out]
    const foldedMax = tf.max(tf.abs(folded));
    return { kernelA: newKernelA, biasA: newBiasA, kernelB: newKernelB, biasB: newBiasB, foldedMax };
  });
  const disposeOut = () => tf.dispose([out.kernelA, out.kernelB, out.foldedMax, ...(out.biasA ? [out.biasA] : []), ...(out.biasB ? [out.biasB] : [])]);
  if (!b.hasBias && out.foldedMax.dataSync()[0] !== 0) {
    disposeOut();
    throw new Error(`removeNeurons: the removed units of ${pathA} emit a constant (act(bias)) but ${pathB} has no bias to fold it into`);
  }

  let maxAbsError = NaN;
  if (options.verify ?? true) {
    const tolerance = options.tolerance ?? 1e-4;
    const [err, scale] = tf.tidy(() => {
      const x = tf.randomNormal([options.probeRows ?? 16, a.inDim], 0, 1, 'float32', options.seed ?? 0); // [R, in]
      const colMask = tf.tensor1d(Array.from({ length: h }, (_, j) => (keptSet.has(j) ? 1 : 0)), 'float32'); // [h]
      const affine = (k: Tensor, bias?: Tensor) => (bias ? tf.add(tf.matMul(x, k), bias) : tf.matMul(x, k));
      const hidden = act(affine(tf.mul(a.weights.kernel, colMask), a.hasBias ? a.weights.bias : undefined)); // [R, h]
      let reference = tf.matMul(hidden, b.weights.kernel); // [R, out]
      if (b.hasBias) reference = tf.add(reference, b.weights.bias);
      let shrunk = tf.matMul(act(affine(out.kernelA, out.biasA)), out.kernelB); // [R, out]
      if (out.biasB) shrunk = tf.add(shrunk, out.biasB);
      return [tf.max(tf.abs(tf.sub(reference, shrunk))).dataSync()[0], tf.max(tf.abs(reference)).dataSync()[0]];
    });
    maxAbsError = err;
    if (!(err <= tolerance * Math.max(1, scale))) {
      disposeOut();
      throw new Error(`removeNeurons: the shrunk ${pathA} → ${pathB} differs from the pruned dense computation by ${err} (tolerance ${tolerance} × ${Math.max(1, scale)}); the model was not changed`);
    }
  }

  const paramsBefore = a.weights.kernel.size + (a.hasBias ? h : 0) + b.weights.kernel.size + (b.hasBias ? b.outDim : 0);
  try {
    if (removed.length > 0) {
      a.resize(out.kernelA, out.biasA);
      b.resize(out.kernelB, out.biasB);
    }
  } finally {
    disposeOut(); // resize copies
  }
  const hp = kept.length;
  const flops = (width: number) => 2 * a.inDim * width + (a.hasBias ? width : 0) + 2 * width * b.outDim + (b.hasBias ? b.outDim : 0);
  const paramsAfter = a.weights.kernel.size + (a.hasBias ? hp : 0) + b.weights.kernel.size + (b.hasBias ? b.outDim : 0);
  return {
    pathA,
    pathB,
    hiddenDimBefore: h,
    hiddenDim: hp,
    kept,
    removed,
    exact,
    maxAbsError,
    flopsPerRow: { before: flops(h), after: flops(hp) },
    params: { before: paramsBefore, after: paramsAfter },
  };
}

/**
 * Options of {@link removePrunedNeurons}.
 *
 * @example
 * ```ts
 * const o: RemovePrunedNeuronsOptions = { path: /channelMlp$/ };
 * ```
 */
export interface RemovePrunedNeuronsOptions extends Omit<RemoveNeuronsOptions, 'keep' | 'activation'> {
  /** Which `mlp` layers (by path); default every one. */
  readonly path?: RegExp;
}

/**
 * Runs {@link removeNeurons} on every core `mlp` layer (fc1 → GELU → fc2; channel MLPs, token
 * MLPs, transformer FFNs) whose path matches, removing the hidden units whose column of fc1 is
 * all zero (e.g. after `row` pruning of fc1 and `bake`). Layers with nothing to remove are
 * skipped. The model's output is unchanged (each removal is exact).
 *
 * @example
 * ```ts
 * model.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.5, granularity: 'row', filter: { kind: 'dense', path: /channelMlp\.fc1$/ } }))).bake();
 * const removals = removePrunedNeurons(model, { path: /channelMlp$/ }); // one per block
 * ```
 */
export function removePrunedNeurons(model: BlockModel, options: RemovePrunedNeuronsOptions = {}): NeuronRemoval[] {
  const pairs = model
    .layers()
    .filter((l) => l.kind === 'mlp' && (!options.path || options.path.test(l.path)) && l.children.length === 2 && l.children.every((c) => c instanceof DenseLayer))
    .map((l) => [l.children[0] as DenseLayer, l.children[1] as DenseLayer] as const);
  const out: NeuronRemoval[] = [];
  for (const [fc1, fc2] of pairs) {
    const r = removeNeurons(model, fc1.path, fc2.path, options);
    if (r.removed.length > 0) out.push(r);
  }
  return out;
}
