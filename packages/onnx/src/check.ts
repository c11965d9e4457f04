/**
 * Checks before and after emitting a graph: no hook may still be attached (its effect would be
 * silently lost), every model weight must be in the graph (or deliberately skipped), and the
 * quantization info must name existing weights.
 */
import type { BlockModel } from '@acn/core';
import { OnnxError } from './errors';
import type { OnnxQuantizedWeight } from './quant-info';

/**
 * Throws `unbaked-hook` (or `no-onnx-form` for a forward wrapper that cannot be baked) naming the
 * first layer with an attached hook.
 */
export function checkNoHooks(model: BlockModel): void {
  for (const layer of model.layers()) {
    const b = layer.bindings[0];
    if (!b) continue;
    const name = b.hook.name;
    if (b.hook.wrapForward && !b.hook.bake) {
      throw new OnnxError(
        'no-onnx-form',
        `layer ${layer.path}: hook '${name}' wraps the forward and cannot be baked, so it has no ONNX form; dispose it (handle.dispose()) before exporting`,
        layer.path,
        name,
      );
    }
    throw new OnnxError(
      'unbaked-hook',
      `layer ${layer.path}: hook '${name}' is still attached; bake it (handle.bake() or model.hooks.bakeAll()) or dispose it before exporting, so the exported weights are the ones the model computes with`,
      layer.path,
      name,
    );
  }
}

/** Quantization info by `path.weight`, checked against the model's weights. */
export function quantByPath(model: BlockModel, quantized: readonly OnnxQuantizedWeight[] = []): Map<string, OnnxQuantizedWeight> {
  const weights = model.namedWeights();
  const out = new Map<string, OnnxQuantizedWeight>();
  for (const q of quantized) {
    const key = `${q.path}.${q.weight}`;
    const v = weights[key];
    if (!v) throw new OnnxError('bad-quantization', `options.quantized names ${key}, which this model does not have (truncated or resized after exportQuantized?)`, q.path);
    if (v.rank !== 2) throw new OnnxError('no-onnx-form', `quantized weight ${key} has shape ${JSON.stringify(v.shape)}; only 2-D dense kernels have a quantized ONNX form`, q.path);
    out.set(key, q);
  }
  return out;
}

/** Throws `unsupported-layer` naming the first model weight the graph does not contain. */
export function checkAllConsumed(model: BlockModel, consumed: ReadonlySet<string>, skipped: Readonly<Record<string, string>>): void {
  for (const path of Object.keys(model.namedWeights())) {
    if (consumed.has(path) || Object.keys(skipped).some((p) => path.startsWith(p))) continue;
    const layerPath = path.slice(0, path.lastIndexOf('.'));
    throw new OnnxError(
      'unsupported-layer',
      `weight ${path} is not used by the ${model.config.architecture} exporter: layer ${layerPath} has a structure it does not know (a custom layer, or a weight left by a hook)`,
      layerPath,
    );
  }
}
