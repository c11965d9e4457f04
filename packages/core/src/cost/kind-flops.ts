/**
 * FLOP counting per layer kind: one function per `LayerKind`, fed with the tensor shapes a layer
 * saw during one recorded forward of a single sample. `modelCost` looks the kind up in this table,
 * so a new kind (e.g. `attention` once core has it) only needs one entry here or in the
 * `kindFlops` option.
 *
 * Convention (used by every cost number of `@acn/core` and `@acn/metrics`):
 * - a multiply-add is 2 FLOPs; a dense layer costs `2·rows·in·out` for its matmul plus `rows·out`
 *   for the bias add (`rows` = product of the input's leading dims, per sample);
 * - data movement (reshape, transpose, slice, concat, tile) is free;
 * - with `includeElementwise` (off by default): LayerNorm `7` FLOPs per input element, exact GELU
 *   `5` per hidden activation of an `mlp` layer, softmax `5` per attention score; transcendental
 *   functions (erf, exp, rsqrt) count as 1 FLOP each;
 * - never counted: elementwise glue inside a block's or head's own forward that is not a layer of
 *   its own (an MLP block's GELU, residual skip adds, the Mixer post-block ReLU, mean pooling)
 *   and the model-level ACN running sum `y += x_i`. These are invisible to the hook contract and
 *   O(T·D) per block (below 0.1% of a Mixer block's matmuls); excluding skip adds *and* running
 *   sums keeps ACN-vs-residual comparisons fair.
 */
import type { LayerInfo, LayerKind } from '../hooks/types';

/**
 * FLOPs of one LayerNorm per input element: mean (1 add), centre (1 sub), variance (1 mul + 1 add),
 * normalise (1 mul; the per-row rsqrt is ignored), affine (1 mul + 1 add).
 *
 * @example
 * ```ts
 * const lnFlops = LAYER_NORM_FLOPS_PER_ELEMENT * tokens * dim; // one [T, D] LayerNorm
 * ```
 */
export const LAYER_NORM_FLOPS_PER_ELEMENT = 7;

/**
 * FLOPs of the exact GELU `0.5·x·(1 + erf(x/√2))` per element: scale, erf, add, two muls.
 *
 * @example
 * ```ts
 * const geluFlops = GELU_FLOPS_PER_ELEMENT * tokens * hidden;
 * ```
 */
export const GELU_FLOPS_PER_ELEMENT = 5;

/**
 * FLOPs of a softmax per element: max-reduce, subtract, exp, sum-reduce, divide.
 *
 * @example
 * ```ts
 * const softmaxFlops = SOFTMAX_FLOPS_PER_ELEMENT * heads * tokens * tokens;
 * ```
 */
export const SOFTMAX_FLOPS_PER_ELEMENT = 5;

/**
 * Shapes of one call of a layer during the recorded forward (batch dim first, batch = 1).
 *
 * @example
 * ```ts
 * const call: LayerCall = { input: [1, 5, 8], output: [1, 5, 16] }; // channelMlp.fc1 of a tiny Mixer
 * ```
 */
export interface LayerCall {
  readonly input: readonly number[];
  readonly output: readonly number[];
}

/**
 * What a per-kind FLOP function gets.
 *
 * @example
 * ```ts
 * const perCall: KindFlops = ({ calls, batch }: KindFlopsInput) => calls.length / batch;
 * ```
 */
export interface KindFlopsInput {
  /** The layer; `children` are its direct sub-layers (whose own FLOPs are counted separately). */
  readonly layer: LayerInfo & { readonly children: readonly LayerInfo[] };
  /** Every call of this layer in the recorded forward (usually one; a shared layer is called more). */
  readonly calls: readonly LayerCall[];
  /** Calls of any layer by path (e.g. to read a child's output width). */
  readonly callsOf: (path: string) => readonly LayerCall[];
  /** Batch size of the recorded forward (1 unless a custom input was given); divide by it for per-sample numbers. */
  readonly batch: number;
  /** Count the per-element constants above (LayerNorm, GELU, softmax). */
  readonly includeElementwise: boolean;
}

/**
 * FLOPs of a layer's own computation (children excluded) per sample.
 *
 * @example
 * ```ts
 * const scaleFlops: KindFlops = ({ calls, batch, includeElementwise }) =>
 *   includeElementwise ? calls.reduce((s, c) => s + elements(c.output), 0) / batch : 0;
 * ```
 */
export type KindFlops = (input: KindFlopsInput) => number;

/**
 * Number of elements of a shape (1 for a scalar).
 *
 * @example
 * ```ts
 * elements([1, 5, 8]); // 40
 * ```
 */
export function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Rows of a matmul over the last axis: `[B, ..., in]` → product of all dims but the last. */
function rows(shape: readonly number[]): number {
  return elements(shape.slice(0, -1));
}

/**
 * Dense `y = x K + b` on `[B, ..., in]` → `[B, ..., out]`: `2·rows·in·out` (multiply-adds) plus
 * `rows·out` for the bias; a factorized kernel (`kernelA` `[in, r]`, `kernelB` `[r, out]`) costs
 * `2·rows·r·(in + out)` instead. Widths come from the recorded shapes, so a hook that wraps the forward
 * but keeps the interface is counted as the plain layer (its `cost` adjusts the rest).
 *
 * @example
 * ```ts
 * denseFlops({ layer, calls: [{ input: [1, 6], output: [1, 8] }], callsOf: () => [], batch: 1, includeElementwise: false });
 * // 2·6·8 + 8 = 104 (with a bias)
 * ```
 */
export const denseFlops: KindFlops = ({ layer, calls, batch }) => {
  const hasBias = 'bias' in layer.weights;
  // A factorized layer (core's `DenseLayer.factorize`, low-rank baking) computes (x A) B.
  const rank = layer.weights.kernelA?.shape[1];
  let total = 0;
  for (const c of calls) {
    const r = rows(c.input);
    const inDim = c.input[c.input.length - 1];
    const outDim = c.output[c.output.length - 1];
    const matmul = rank === undefined ? inDim * outDim : rank * (inDim + outDim);
    total += 2 * r * matmul + (hasBias ? r * outDim : 0);
  }
  return total / batch;
};

/**
 * LayerNorm: `LAYER_NORM_FLOPS_PER_ELEMENT` per input element when elementwise ops are counted.
 *
 * @example
 * ```ts
 * normFlops({ layer, calls: [{ input: [1, 5, 8], output: [1, 5, 8] }], callsOf: () => [], batch: 1, includeElementwise: true }); // 280
 * ```
 */
export const normFlops: KindFlops = ({ calls, batch, includeElementwise }) =>
  includeElementwise ? (LAYER_NORM_FLOPS_PER_ELEMENT * calls.reduce((s, c) => s + elements(c.input), 0)) / batch : 0;

/**
 * `mlp` (dense → GELU → dense): its own work is the activation between consecutive dense
 * children, i.e. GELU over the output of every child but the last (`fc1`'s `[B, ..., hidden]`).
 *
 * @example
 * ```ts
 * // channel MLP of a Mixer with T = 5 tokens and hidden 16: 5 · 5·16 = 400 FLOPs per sample
 * const f = mlpFlops({ layer: mixer.layer('blocks.0.channelMlp'), calls, callsOf, batch: 1, includeElementwise: true });
 * ```
 */
export const mlpFlops: KindFlops = ({ layer, callsOf, batch, includeElementwise }) => {
  if (!includeElementwise) return 0;
  let activations = 0;
  for (const child of layer.children.slice(0, -1)) {
    for (const c of callsOf(child.path)) activations += elements(c.output);
  }
  return (GELU_FLOPS_PER_ELEMENT * activations) / batch;
};

/**
 * Multi-head self-attention's own work on `[B, T, D]` (the Q/K/V/output projections are `dense`
 * children and counted there): scores `Q Kᵀ` = `2·T·T·D` and the weighted sum `A V` = `2·T·T·D`,
 * whatever the number of heads (`Σ_h 2·T·T·d_h = 2·T·T·D`). With elementwise ops: scaling (1) and
 * softmax per score, `H·T·T` scores, `H` read from a numeric `numHeads` property of the layer (1
 * if absent). Assumes the inner width equals the input width `D`; override in `kindFlops` otherwise.
 *
 * @example
 * ```ts
 * const costs = modelCost(vit, { kindFlops: { attention: attentionFlops } });
 * ```
 */
export const attentionFlops: KindFlops = ({ layer, calls, batch, includeElementwise }) => {
  const heads = typeof (layer as { numHeads?: unknown }).numHeads === 'number' ? (layer as unknown as { numHeads: number }).numHeads : 1;
  let total = 0;
  for (const c of calls) {
    const d = c.input[c.input.length - 1];
    const t = c.input[c.input.length - 2] ?? 1;
    const b = elements(c.input.slice(0, -2)); // batch (and any extra leading dims)
    total += b * 4 * t * t * d; // QKᵀ and AV, 2 FLOPs per multiply-add
    if (includeElementwise) total += b * heads * t * t * (1 + SOFTMAX_FLOPS_PER_ELEMENT);
  }
  return total / batch;
};

/**
 * The default FLOP function of every kind. Kinds without an entry (`block`, `embedding`, `head`,
 * `token-mix`) have no computation of their own beyond free data movement and the uncounted glue
 * described in this module's header: their children carry the cost.
 *
 * @example
 * ```ts
 * const table = { ...DEFAULT_KIND_FLOPS, block: myBlockGlueFlops };
 * ```
 */
export const DEFAULT_KIND_FLOPS: Readonly<Partial<Record<LayerKind, KindFlops>>> = {
  dense: denseFlops,
  norm: normFlops,
  mlp: mlpFlops,
  attention: attentionFlops,
};
