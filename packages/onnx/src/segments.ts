/**
 * The model cut at its exits into segment graphs, for early exit on onnxruntime: segment 0 runs
 * the embedding and the blocks up to the first exit, segment j the blocks between exits j−1 and
 * j. Each outputs its exit's `logits` (the shared head on the prefix, as `@acn/early-exit`'s
 * `sharedExits`) and the loop state the next one takes (`state_out_i` → `state_i`, plus per-sample
 * context such as BERT's padding mask), so rows that exited can be dropped between sessions.
 */
import type { BlockModel } from '@acn/core';
import { buildGraph, IR_VERSION, OPSETS, resolve } from './build';
import { checkAllConsumed, checkNoHooks } from './check';
import type { QuantForms } from './emit-context';
import { OnnxError } from './errors';
import { encodeModelProto } from './proto';
import type { OnnxQuantizedWeight } from './quant-info';

/**
 * Options of {@link exportOnnxSegments}.
 *
 * @example
 * ```ts
 * const opts: ExportSegmentsOptions = { exits: [1, 2, 4], quantized: exportQuantized(model).weights };
 * ```
 */
export interface ExportSegmentsOptions {
  /** Exit layers (blocks executed), strictly increasing; the model depth is always added. Default every prefix 0..L. */
  readonly exits?: readonly number[];
  readonly quantized?: readonly OnnxQuantizedWeight[];
  readonly forms?: QuantForms;
}

/**
 * One segment graph.
 *
 * @example
 * ```ts
 * const s: OnnxSegment = segments.segments[0]; // s.from === 'input', s.to === exits[0]
 * ```
 */
export interface OnnxSegment {
  /** `input` for the first segment, else the exit layer it starts from. */
  readonly from: 'input' | number;
  /** The exit layer it ends at (its `logits` are that exit's). */
  readonly to: number;
  readonly bytes: Uint8Array;
}

/**
 * A model as exit segments (serializable: the browser runner loads it from files).
 *
 * @example
 * ```ts
 * const seg: OnnxSegments = exportOnnxSegments(model, { exits: [2, 4] });
 * ```
 */
export interface OnnxSegments {
  /** Exit layers, last = depth. */
  readonly exits: readonly number[];
  readonly segments: readonly OnnxSegment[];
  readonly numClasses: number;
  /** Per-sample context values passed between segments (`ctx_<key>`). */
  readonly ctxKeys: readonly string[];
  /** Element type of the model input. */
  readonly inputDtype: 'float32' | 'int32';
}

/**
 * Cuts a baked model at its exits into ONNX segment graphs (see the file comment). Same checks as
 * `exportOnnx`.
 *
 * @example
 * ```ts
 * const segments = exportOnnxSegments(model, { exits: [1, 2, 3] });
 * const runner = await createEarlyExitRunner(await loadOnnxRuntime('node'), segments);
 * ```
 */
export function exportOnnxSegments(model: BlockModel, options: ExportSegmentsOptions = {}): OnnxSegments {
  checkNoHooks(model);
  const depth = model.depth;
  const given = options.exits ?? Array.from({ length: depth + 1 }, (_, k) => k);
  given.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0 || k > depth || (i > 0 && k <= given[i - 1])) {
      throw new OnnxError('bad-option', `exportOnnxSegments: exits must be strictly increasing integers in [0, ${depth}], got ${JSON.stringify(given)}`);
    }
  });
  const exits = given[given.length - 1] === depth ? [...given] : [...given, depth];
  const quantized = options.quantized ?? [];
  const forms = options.forms ?? {};
  // Every weight must have an ONNX form: check on the whole model once.
  const whole = buildGraph(model, { from: 'input', to: depth, probes: [], emitState: false }, quantized, forms);
  checkAllConsumed(model, whole.cx.consumed, whole.arch.skipped);
  const segments = exits.map((to, j): OnnxSegment => {
    const from = j === 0 ? ('input' as const) : exits[j - 1];
    const { g } = buildGraph(model, { from, to, probes: [], emitState: j < exits.length - 1 }, quantized, forms);
    return { from, to, bytes: encodeModelProto(g.model(OPSETS, IR_VERSION, `segment ${from} -> ${to}`)) };
  });
  const { arch } = resolve(model);
  return {
    exits,
    segments,
    numClasses: model.config.numClasses,
    ctxKeys: Object.keys(arch.ctxDims),
    inputDtype: arch.input.elemType === 6 ? 'int32' : 'float32',
  };
}
