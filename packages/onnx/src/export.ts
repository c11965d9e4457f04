/**
 * `exportOnnx`: a baked `@acn/core` model (any architecture and connectivity the exporter knows,
 * truncated, low-rank factorized, resized, quantized, pruned) as ONNX bytes, with a report of its
 * inputs, outputs and sizes.
 */
import type { BlockModel } from '@acn/core';
import { buildGraph, INPUT_NAME, IR_VERSION, OPSETS } from './build';
import { checkAllConsumed, checkNoHooks } from './check';
import type { QuantForms, WeightReport } from './emit-context';
import { OnnxError } from './errors';
import { encodeModelProto } from './proto';
import type { OnnxQuantizedWeight } from './quant-info';

/**
 * Options of {@link exportOnnx}.
 *
 * @example
 * ```ts
 * const opts: ExportOnnxOptions = { quantized: exportQuantized(model).weights, forms: { int8: 'dynamic' }, probes: [2, 4] };
 * ```
 */
export interface ExportOnnxOptions {
  /**
   * Quantized kernels of the model (baked quantizers): pass `exportQuantized(model).weights` from
   * `@acn/quant`. Without it every weight is exported as float32 (the baked fake-quant values:
   * same outputs, no size gain).
   */
  readonly quantized?: readonly OnnxQuantizedWeight[];
  /** Which ONNX form quantized kernels take (see `QuantForms`). */
  readonly forms?: QuantForms;
  /**
   * Extra outputs `probe_k` = the shared head after k blocks (`model.forward(x, { probes: true }).probes[k]`):
   * `true` for every k in 0..L, or a list of k.
   */
  readonly probes?: boolean | readonly number[];
}

/**
 * One graph input or output.
 *
 * @example
 * ```ts
 * const io: OnnxIo = { name: 'input', dtype: 'float32', dims: ['batch', 28, 28, 1] };
 * ```
 */
export interface OnnxIo {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly dims: ReadonlyArray<number | string>;
}

/**
 * Sizes of an exported model.
 *
 * @example
 * ```ts
 * const s: OnnxSizes = exportOnnx(model).sizes; // s.fileBytes, s.weightBytes, s.fp32Bytes, s.sparseBytes
 * ```
 */
export interface OnnxSizes {
  /** Bytes of the `.onnx` file. */
  readonly fileBytes: number;
  /** Bytes of every weight as stored in the file (codes, scales, zero points, float32 weights). */
  readonly weightBytes: number;
  /** Bytes the same weights take as float32. */
  readonly fp32Bytes: number;
  /** Scalar parameters. */
  readonly params: number;
  /** Exact zeros among them (unstructured sparsity is exported dense). */
  readonly zeros: number;
  /**
   * Bytes of the float32 weights in a sparse (CSR: 4-byte value + 4-byte column per non-zero, 4
   * bytes per row pointer) form where that is smaller, dense elsewhere, quantized weights as
   * stored: what the sparsity would save in a format with sparse storage. ONNX Runtime's CPU
   * kernels have no sparse MatMul, so the file keeps them dense.
   */
  readonly sparseBytes: number;
}

/**
 * Result of {@link exportOnnx}.
 *
 * @example
 * ```ts
 * const { bytes, inputs, outputs, sizes, weights } = exportOnnx(model);
 * ```
 */
export interface OnnxExport {
  /** The `.onnx` file. */
  readonly bytes: Uint8Array;
  readonly inputs: readonly OnnxIo[];
  readonly outputs: readonly OnnxIo[];
  readonly sizes: OnnxSizes;
  /** How each weight was written, in graph order. */
  readonly weights: readonly WeightReport[];
  readonly opsets: Readonly<Record<string, number>>;
  readonly irVersion: number;
}

function probeList(model: BlockModel, probes: ExportOnnxOptions['probes']): number[] {
  if (probes === undefined || probes === false) return [];
  if (probes === true) return Array.from({ length: model.depth + 1 }, (_, k) => k);
  for (const k of probes) {
    if (!Number.isInteger(k) || k < 0 || k > model.depth) throw new OnnxError('bad-option', `exportOnnx: probes must be integers in [0, ${model.depth}] (blocks executed), got ${JSON.stringify(probes)}`);
  }
  return [...new Set(probes)].sort((a, b) => a - b);
}

/** CSR bytes of an `[rows, cols]` float32 matrix with `nnz` non-zeros. */
function csrBytes(rows: number, nnz: number): number {
  return 8 * nnz + 4 * (rows + 1);
}

/**
 * Exports a model to ONNX (opset 20 + com.microsoft 1). The model must have no attached hook:
 * bake compression first (`handle.bake()` / `model.hooks.bakeAll()`), and pass the quantization
 * of baked quantizers as `options.quantized`. Truncated models (`truncate`), factorized layers
 * (`@acn/lowrank`) and resized layers (`removeNeurons`) export as they are.
 *
 * Outputs: `logits` `[batch, numClasses]`, plus `probe_k` for each requested probe. Input: `input`,
 * float32 `[batch, ...inputShape]` (BERT: int32 ids `[batch, sequence]`).
 *
 * @throws OnnxError `unbaked-hook` / `no-onnx-form` naming the layer and hook, `unsupported-layer`
 *   naming the layer path, `bad-quantization`, `bad-option`.
 * @example
 * ```ts
 * model.hooks.bakeAll();
 * const { bytes, sizes } = exportOnnx(truncate(model, 4), { quantized: exportQuantized(model).weights });
 * await writeFile('model.onnx', bytes);
 * ```
 */
export function exportOnnx(model: BlockModel, options: ExportOnnxOptions = {}): OnnxExport {
  checkNoHooks(model);
  const probes = probeList(model, options.probes);
  const { g, cx, arch } = buildGraph(model, { from: 'input', to: model.depth, probes, emitState: false }, options.quantized ?? [], options.forms ?? {});
  checkAllConsumed(model, cx.consumed, arch.skipped);
  const bytes = encodeModelProto(g.model(OPSETS, IR_VERSION, `${model.config.architecture} (${model.connectivity}), depth ${model.depth}, exported by @acn/onnx`));
  const named = model.namedWeights();
  let sparseBytes = 0;
  for (const w of cx.weights) {
    const shape = named[w.path]?.shape ?? [w.params];
    const rows = shape.length === 2 ? shape[0] : 1;
    sparseBytes += w.form === 'fp32' ? Math.min(w.bytes, csrBytes(rows, w.params - w.zeros)) : w.bytes;
  }
  const dtype = (t: number) => (t === 6 ? ('int32' as const) : ('float32' as const));
  const sizes: OnnxSizes = {
    fileBytes: bytes.byteLength,
    weightBytes: cx.weights.reduce((s, w) => s + w.bytes, 0),
    fp32Bytes: cx.weights.reduce((s, w) => s + 4 * w.params, 0),
    params: cx.weights.reduce((s, w) => s + w.params, 0),
    zeros: cx.weights.reduce((s, w) => s + w.zeros, 0),
    sparseBytes,
  };
  const numClasses = model.config.numClasses;
  return {
    bytes,
    inputs: [{ name: INPUT_NAME, dtype: dtype(arch.input.elemType), dims: arch.input.dims }],
    outputs: [{ name: 'logits', dtype: 'float32', dims: ['batch', numClasses] }, ...probes.map((k) => ({ name: `probe_${k}`, dtype: 'float32' as const, dims: ['batch', numClasses] }))],
    sizes,
    weights: cx.weights,
    opsets: OPSETS,
    irVersion: IR_VERSION,
  };
}
