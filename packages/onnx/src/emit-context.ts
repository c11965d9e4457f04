/**
 * State shared by every emitter during one export: the graph, the quantization info by weight
 * path, the chosen quantized forms, the weights consumed so far (every model weight must end up in
 * the graph, or the export fails naming it) and the per-weight report.
 */
import type { Layer, Variable } from '@acn/core';
import { OnnxError } from './errors';
import type { GraphBuilder } from './graph';
import type { OnnxQuantizedWeight } from './quant-info';

/**
 * How quantized kernels are written (see the package README for why):
 * - `int8`: `dynamic` (default) = com.microsoft `DynamicQuantizeMatMul` (int8 weights, activations
 *   quantized to uint8 at run time: the fast path, approximate); `qdq` = `DequantizeLinear` +
 *   `MatMul` (portable, exact weights, float speed).
 * - `lowBit` (2-4-bit uniform, binary, ternary): `matmulnbits` (default) = com.microsoft
 *   `MatMulNBits` (packed codes, exact weights, float accumulation); `qdq` = uint8 codes +
 *   `DequantizeLinear` (portable, 1 byte per weight).
 *
 * @example
 * ```ts
 * const forms: QuantForms = { int8: 'qdq', lowBit: 'matmulnbits' };
 * ```
 */
export interface QuantForms {
  readonly int8?: 'dynamic' | 'qdq';
  readonly lowBit?: 'matmulnbits' | 'qdq';
}

/**
 * How one weight was written into the graph, with its stored bytes.
 *
 * @example
 * ```ts
 * const w: WeightReport = { path: 'blocks.0.fc.kernel', form: 'int8-dynamic', bytes: 4160, params: 4096 };
 * ```
 */
export interface WeightReport {
  readonly path: string;
  /** `fp32`, `int8-dynamic`, `int8-qdq`, `nbits-2`, `nbits-4`, `qdq-uint8`. */
  readonly form: string;
  /** Bytes of the initializers holding it (codes, scales, zero points). */
  readonly bytes: number;
  /** Scalar parameters of the (unpacked) weight. */
  readonly params: number;
  /** Exact zeros among them (unstructured sparsity is exported dense). */
  readonly zeros: number;
}

/** @internal the emitter state of one export. */
export class EmitContext {
  readonly consumed = new Set<string>();
  readonly weights: WeightReport[] = [];
  /** Initializers of every weight written so far (a head used by several probes is stored once). */
  private readonly written = new Map<string, { readonly inits: readonly string[] }>();

  constructor(
    readonly g: GraphBuilder,
    readonly quant: ReadonlyMap<string, OnnxQuantizedWeight>,
    readonly forms: Required<QuantForms>,
  ) {}

  /** The stored weight `name` of `layer` (marks it consumed). */
  variable(layer: Layer, name: string): Variable {
    const v = layer.weights[name];
    if (!v) throw new OnnxError('unsupported-layer', `layer ${layer.path} (${layer.kind}) has no weight '${name}' (has: ${Object.keys(layer.weights).join(', ') || 'none'})`, layer.path);
    this.consumed.add(`${layer.path}.${name}`);
    return v;
  }

  /** A float32 weight as an initializer named by its model path. */
  floatWeight(layer: Layer, name: string): { name: string; shape: number[] } {
    const path = `${layer.path}.${name}`;
    const v = this.variable(layer, name);
    if (this.quant.has(path)) throw new OnnxError('no-onnx-form', `weight ${path} is quantized, but a ${layer.kind} layer's '${name}' has no quantized ONNX form here (only dense kernels do)`, layer.path);
    const { inits } = this.once(path, 'fp32', () => Float32Array.from(v.dataSync() as Float32Array), (data) => ({ inits: [this.g.init(path, data, v.shape)] }));
    return { name: inits[0], shape: v.shape };
  }

  /**
   * The initializers of weight `path`, written by `write` on first use (with the report entry) and
   * reused afterwards.
   */
  once<T extends { readonly inits: readonly string[] }>(path: string, form: string, values: () => Float32Array, write: (values: Float32Array) => T): T {
    const hit = this.written.get(path);
    if (hit) return hit as T;
    const data = values();
    const out = write(data);
    this.written.set(path, out);
    this.record(path, form, out.inits, data);
    return out;
  }

  private record(path: string, form: string, inits: readonly string[], values: Float32Array): void {
    let zeros = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
    const bytes = inits.reduce((s, n) => s + (this.g.initBytes.get(n) ?? 0), 0);
    this.weights.push({ path, form, bytes, params: values.length, zeros });
  }
}
