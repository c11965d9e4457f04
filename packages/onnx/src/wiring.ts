/**
 * The connectivities in ONNX, in one place: the ONNX twin of core's `ConnectivityStrategy`
 * objects (`@acn/core` `connectivity/`), over ONNX value names instead of tensors. Same four
 * answers (`start`, `blockInput`, `join`, probe k reads `state.y`) and the same state
 * `{ h, y, outputs }`; block internals (short residuals or not) follow the core strategy's
 * `residualBlocks` in the architecture emitters. Typed over core's `Connectivity`, so a new
 * connectivity in core fails to compile here until it has an ONNX form.
 *
 * `pack` / `unpack` flatten the state for segment graphs (early exit): only the distinct values
 * the next blocks need cross a segment boundary.
 */
import { DenseNetConnection, DenseFormerConnection, type Connectivity, type Layer } from '@acn/core';
import { emitDense } from './dense';
import type { EmitContext } from './emit-context';
import { expectLayer } from './layers';

/** The loop state after k blocks (core's `LoopState`) as ONNX value names. */
export interface OnnxState {
  /** `x_k`. */
  readonly h: string;
  /** What the head (probe k) reads. */
  readonly y: string;
  /** `[x_0, …, x_k]` where later blocks read them (densenet, denseformer); else empty. */
  readonly outputs: readonly string[];
}

/**
 * One connectivity's wiring over ONNX values.
 *
 * @example
 * ```ts
 * let s = WIRING.acn.start(x0);
 * s = WIRING.acn.join(cx, s, block(WIRING.acn.blockInput(cx, s, conn)), conn);
 * const logits = head(s.y);
 * ```
 */
export interface OnnxWiring {
  start(x0: string): OnnxState;
  /** Block i's input; `connection` is the model's `blocks.i.connection` layer. */
  blockInput(cx: EmitContext, state: OnnxState, connection: Layer): string;
  /** The state after block i from its output `out`. */
  join(cx: EmitContext, state: OnnxState, out: string, connection: Layer): OnnxState;
  /** Number of values `pack` gives for the state after k blocks. */
  packedSize(k: number): number;
  pack(state: OnnxState): string[];
  unpack(values: readonly string[]): OnnxState;
}

/** residual, feedforward: the state is `x_k` alone. */
const chain: OnnxWiring = {
  start: (x0) => ({ h: x0, y: x0, outputs: [] }),
  blockInput: (_cx, s) => s.h,
  join: (_cx, _s, out) => ({ h: out, y: out, outputs: [] }),
  packedSize: () => 1,
  pack: (s) => [s.h],
  unpack: ([h]) => ({ h, y: h, outputs: [] }),
};

/** The wiring of every connectivity core has (see each core strategy for the math). */
export const WIRING: Readonly<Record<Connectivity, OnnxWiring>> = {
  acn: {
    start: (x0) => ({ h: x0, y: x0, outputs: [] }),
    blockInput: (_cx, s) => s.h,
    join: (cx, s, out) => ({ h: out, y: cx.g.node('Add', [s.y, out]), outputs: [] }), // the long connection to the running sum
    packedSize: () => 2,
    pack: (s) => [s.h, s.y],
    unpack: ([h, y]) => ({ h, y, outputs: [] }),
  },
  residual: chain,
  feedforward: chain,
  densenet: {
    start: (x0) => ({ h: x0, y: x0, outputs: [x0] }),
    // proj(concat(x_0, …, x_i)) along the feature axis: [.., (i+1)·D] -> [.., D]
    blockInput: (cx, s, connection) => {
      const c = expectLayer(connection, DenseNetConnection, 'a DenseNetConnection');
      const all = s.outputs.length === 1 ? s.outputs[0] : cx.g.node('Concat', [...s.outputs], { axis: -1 });
      return emitDense(cx, all, c.proj);
    },
    join: (_cx, s, out) => ({ h: out, y: out, outputs: [...s.outputs, out] }),
    packedSize: (k) => k + 1,
    pack: (s) => [...s.outputs],
    unpack: (v) => ({ h: v[v.length - 1], y: v[v.length - 1], outputs: [...v] }),
  },
  denseformer: {
    start: (x0) => ({ h: x0, y: x0, outputs: [x0] }),
    blockInput: (_cx, s) => s.y,
    // y_i = Σ_j alpha_j · x_j over x_0 … x_{i+1} (the depth-weighted average).
    join: (cx, s, out, connection) => {
      const c = expectLayer(connection, DenseFormerConnection, 'a DenseFormerConnection');
      const g = cx.g;
      const alpha = cx.floatWeight(c, 'alpha').name; // [i + 2]
      const outputs = [...s.outputs, out];
      const terms = outputs.map((x, j) => g.node('Mul', [x, g.node('Gather', [alpha, g.constI64([j], [])], { axis: 0 })]));
      const y = terms.reduce((acc, t) => g.node('Add', [acc, t]));
      return { h: out, y, outputs };
    },
    packedSize: (k) => (k === 0 ? 1 : k + 2),
    pack: (s) => (s.outputs.length === 1 ? [s.outputs[0]] : [s.y, ...s.outputs]),
    unpack: (v) => (v.length === 1 ? { h: v[0], y: v[0], outputs: [v[0]] } : { h: v[v.length - 1], y: v[0], outputs: v.slice(1) }),
  },
};
