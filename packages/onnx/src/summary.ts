/**
 * The small JSON that goes next to an exported `model.onnx`: what to feed, what comes out, how
 * big it is and how its weights are stored.
 */
import type { OnnxExport, OnnxIo, OnnxSizes } from './export';

/**
 * Summary of an export (plain JSON).
 *
 * @example
 * ```ts
 * const s: OnnxSummary = onnxSummary(exportOnnx(model));
 * s.forms['int8-dynamic']?.bytes;
 * ```
 */
export interface OnnxSummary {
  readonly format: 'onnx';
  readonly irVersion: number;
  readonly opsets: Readonly<Record<string, number>>;
  readonly inputs: readonly OnnxIo[];
  readonly outputs: readonly OnnxIo[];
  readonly sizes: OnnxSizes;
  /** Weights by storage form (`fp32`, `int8-dynamic`, `nbits-4`, ...): count, parameters, bytes. */
  readonly forms: Readonly<Record<string, { readonly weights: number; readonly params: number; readonly bytes: number }>>;
}

/**
 * Builds the summary of an export.
 *
 * @example
 * ```ts
 * await writeFile('model.json', JSON.stringify(onnxSummary(ex), null, 2));
 * ```
 */
export function onnxSummary(ex: OnnxExport): OnnxSummary {
  const forms: Record<string, { weights: number; params: number; bytes: number }> = {};
  for (const w of ex.weights) {
    const f = (forms[w.form] ??= { weights: 0, params: 0, bytes: 0 });
    f.weights++;
    f.params += w.params;
    f.bytes += w.bytes;
  }
  return { format: 'onnx', irVersion: ex.irVersion, opsets: ex.opsets, inputs: ex.inputs, outputs: ex.outputs, sizes: ex.sizes, forms };
}
