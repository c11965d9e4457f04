/**
 * Assembles one ONNX graph from an architecture's emitters and the connectivity's wiring: the
 * whole model (with optional probe outputs), or a segment of the block loop for early exit
 * (state in, state + exit logits out).
 */
import { CONNECTIVITIES, type BlockModel } from '@acn/core';
import { ARCHITECTURES } from './architectures';
import type { ArchEmitter, BlockCtx } from './arch/types';
import { quantByPath } from './check';
import { EmitContext, type QuantForms } from './emit-context';
import { OnnxError } from './errors';
import { DT, GraphBuilder } from './graph';
import type { OnnxQuantizedWeight } from './quant-info';
import { WIRING, type OnnxState, type OnnxWiring } from './wiring';

/** Opsets: ONNX 20 (`Gelu` 20, `LayerNormalization` 17) and com.microsoft 1 (quantized MatMuls). IR 9 goes with opset 20. */
export const OPSETS = { '': 20, 'com.microsoft': 1 } as const;
/** ONNX IR version written (IR 9 = opset 20). */
export const IR_VERSION = 9;

/** Name of the model input in every full graph. */
export const INPUT_NAME = 'input';

/** What one graph computes. */
export interface GraphPlan {
  /** `input`: from the model input; a number k: from the loop state after k blocks (segment inputs). */
  readonly from: 'input' | number;
  /** Blocks executed at the end (≤ depth). */
  readonly to: number;
  /** Extra outputs `probe_k` (the shared head after k blocks), k inside the range. */
  readonly probes: readonly number[];
  /** Also output the loop state after `to` blocks (and the per-sample context), for the next segment. */
  readonly emitState: boolean;
}

/** @internal the emitter and wiring of a model, with clear errors for unknown ones. */
export function resolve(model: BlockModel): { arch: ArchEmitter; wiring: OnnxWiring } {
  const factory = ARCHITECTURES[model.config.architecture];
  if (!factory) {
    throw new OnnxError('unsupported-layer', `architecture '${model.config.architecture}' has no ONNX exporter (known: ${Object.keys(ARCHITECTURES).join(', ')})`, '');
  }
  const wiring = (WIRING as Record<string, OnnxWiring | undefined>)[model.connectivity];
  if (!wiring) throw new OnnxError('unsupported-layer', `connectivity '${model.connectivity}' has no ONNX wiring (known: ${CONNECTIVITIES.join(', ')})`, '');
  return { arch: factory(model), wiring };
}

/** Names of the per-sample context values a segment passes on. */
function ctxKeys(arch: ArchEmitter): Array<keyof BlockCtx> {
  return Object.keys(arch.ctxDims) as Array<keyof BlockCtx>;
}

/**
 * Emits one graph; returns the builder and the emitter state (for reports and checks).
 *
 * @example
 * ```ts
 * const { g, cx } = buildGraph(model, { from: 'input', to: model.depth, probes: [], emitState: false }, [], {});
 * ```
 */
export function buildGraph(model: BlockModel, plan: GraphPlan, quantized: readonly OnnxQuantizedWeight[], forms: QuantForms): { g: GraphBuilder; cx: EmitContext; arch: ArchEmitter } {
  const { arch, wiring } = resolve(model);
  const g = new GraphBuilder(`${model.config.architecture}-${model.connectivity}`);
  const cx = new EmitContext(g, quantByPath(model, quantized), { int8: forms.int8 ?? 'dynamic', lowBit: forms.lowBit ?? 'matmulnbits' });
  const numClasses = model.config.numClasses;
  const logitsDims = ['batch', numClasses];

  let state: OnnxState;
  let ctx: BlockCtx;
  let k: number;
  if (plan.from === 'input') {
    const x = g.input(INPUT_NAME, arch.input.elemType, arch.input.dims);
    g.scope = 'embedding';
    const e = arch.embedding(cx, x);
    state = wiring.start(e.h);
    ctx = e.ctx;
    k = 0;
  } else {
    k = plan.from;
    state = wiring.unpack(Array.from({ length: wiring.packedSize(k) }, (_, i) => g.input(`state_${i}`, DT.FLOAT, arch.stateDims)));
    ctx = Object.fromEntries(ctxKeys(arch).map((key) => [key, g.input(`ctx_${key}`, DT.FLOAT, arch.ctxDims[key]!)]));
  }
  const head = (kk: number, as: string) => {
    g.scope = `head@${kk}`;
    g.output(arch.head(cx, state.y, ctx), DT.FLOAT, logitsDims, as);
  };
  if (plan.probes.includes(k)) head(k, `probe_${k}`);
  for (; k < plan.to; k++) {
    g.scope = `blocks.${k}`;
    const connection = model.connections[k];
    const out = arch.block(cx, k, wiring.blockInput(cx, state, connection), ctx);
    state = wiring.join(cx, state, out, connection);
    if (plan.probes.includes(k + 1) && k + 1 < plan.to) head(k + 1, `probe_${k + 1}`);
  }
  head(plan.to, 'logits');
  if (plan.probes.includes(plan.to)) g.output('logits', DT.FLOAT, logitsDims, `probe_${plan.to}`);
  if (plan.emitState) {
    wiring.pack(state).forEach((s, i) => g.output(s, DT.FLOAT, arch.stateDims, `state_out_${i}`));
    for (const key of ctxKeys(arch)) g.output(ctx[key]!, DT.FLOAT, arch.ctxDims[key]!, `ctx_out_${key}`);
  }
  return { g, cx, arch };
}
