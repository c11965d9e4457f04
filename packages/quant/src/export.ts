/**
 * Export of every quantized kernel of a model (attached or baked quantizers) in its packed form,
 * with the total payload bytes, and the loader that writes them back into a model.
 *
 * Which kernels: those a quantizer of this package is attached to or was baked into (the registry
 * in `registry.ts`), plus those loaded with {@link loadQuantized}. What is encoded: the layer's
 * effective weight (for an attached quantizer `layer.w(weight)`, i.e. every hook on the weight; for
 * a baked one the stored weight), with the parameters that produced it. Encoding is lossless and
 * checked, so loading reproduces the effective weights exactly; a kernel that is no longer
 * representable (trained after bake, rescaled by a hook after the quantizer, a VCON blend with
 * β > 0) is an error naming the layer.
 */
import { tf, type Layer } from '@acn/core';
import { decodeKernel, encodeKernel, packedBytes, specOfPacked, type PackedKernel } from './codec';
import { readFloat32 } from './kernel';
import { quantizedWeightsOf, registerBaked } from './registry';
import { deserializeQuantized } from './serialize';

/**
 * One exported kernel: its packed form, where it goes, and its payload bytes.
 *
 * @example
 * ```ts
 * const w: QuantizedWeight = exportQuantized(model).weights[0]; // w.path, w.weight, w.format, w.bytes
 * ```
 */
export type QuantizedWeight = PackedKernel & {
  /** Layer path, e.g. `blocks.0.channelMlp.fc1`. */
  readonly path: string;
  /** Weight name in the layer, e.g. `kernel`. */
  readonly weight: string;
  /** Payload bytes (codes, zero map, scales, zero points). */
  readonly bytes: number;
};

/**
 * The quantized kernels of a model.
 *
 * @example
 * ```ts
 * const { weights, totalBytes }: QuantizedModel = exportQuantized(model);
 * ```
 */
export interface QuantizedModel {
  readonly weights: readonly QuantizedWeight[];
  /** Sum of `bytes` (payload only: no header, and the model's other weights are not included). */
  readonly totalBytes: number;
}

/**
 * The part of a model these functions need: its hookable layers (`BlockModel` has it).
 *
 * @example
 * ```ts
 * const m: HasLayers = createMixer(config);
 * ```
 */
export interface HasLayers {
  layers(): readonly Layer[];
}

/**
 * Packs every quantized kernel of `model` (see the file comment), in model order. Leaves no tensor
 * behind.
 *
 * @example
 * ```ts
 * model.hooks.attach(compressorHook(binaryQuantizer())).bake();
 * const exp = exportQuantized(model);
 * console.log(exp.totalBytes); // vs 4 bytes per float32 weight
 * const bytes = serializeQuantized(exp);
 * ```
 */
export function exportQuantized(model: HasLayers): QuantizedModel {
  const weights: QuantizedWeight[] = [];
  for (const layer of model.layers()) {
    for (const [weight, record] of quantizedWeightsOf(layer)) {
      const where = `exportQuantized: ${layer.path}.${weight} (${record.source})`;
      const stored = layer.weights[weight];
      if (!stored) throw new Error(`${where}: the layer has no weight '${weight}' any more (has: ${Object.keys(layer.weights).join(', ') || 'none'})`);
      if (stored.shape.length !== 2 || stored.shape[0] !== record.shape[0] || stored.shape[1] !== record.shape[1]) {
        throw new Error(`${where}: expected shape [${record.shape.join(', ')}], the weight is now [${stored.shape.join(', ')}]`);
      }
      let values: Float32Array;
      if (record.state === 'attached') {
        // The full parametrization chain; this forward also refreshes the quantizer's parameters.
        const eff = tf.tidy(() => layer.w(weight));
        values = readFloat32(eff);
        if (eff !== stored) eff.dispose();
      } else {
        values = readFloat32(stored);
      }
      const packed = encodeKernel(record.spec, values, record.shape, record.params(), where);
      weights.push({ ...packed, path: layer.path, weight, bytes: packedBytes(packed) });
    }
  }
  return { weights, totalBytes: weights.reduce((s, w) => s + w.bytes, 0) };
}

/**
 * Writes exported kernels (an object from {@link exportQuantized} or bytes from
 * `serializeQuantized`) into the stored weights of a model of the same architecture, e.g. a fresh
 * `createMixer(config)`: each weight becomes exactly the effective weight that was exported. The
 * layers are then registered as baked, so exporting again gives the same bytes. Weights under an
 * attached parametrization are refused (the hook would transform the loaded values again).
 *
 * @returns the loaded `path.weight` names.
 * @example
 * ```ts
 * const fresh = createMixer(config);
 * loadCheckpoint(...) // the float weights (biases, norms)
 * loadQuantized(fresh, serializeQuantized(exportQuantized(model)));
 * ```
 */
export function loadQuantized(model: HasLayers, source: QuantizedModel | Uint8Array): string[] {
  const exp = source instanceof Uint8Array ? deserializeQuantized(source) : source;
  if (!exp || !Array.isArray(exp.weights)) throw new TypeError('loadQuantized: expected the result of exportQuantized or serializeQuantized');
  const byPath = new Map(model.layers().map((l) => [l.path, l]));
  // Validate and decode everything first, so a bad entry leaves the model untouched.
  const work = exp.weights.map((q) => {
    const where = `loadQuantized: ${q.path}.${q.weight}`;
    const layer = byPath.get(q.path);
    if (!layer) throw new Error(`${where}: the model has no layer at path '${q.path}'`);
    const v = layer.weights[q.weight];
    if (!v) throw new Error(`${where}: layer ${q.path} has no weight '${q.weight}' (has: ${Object.keys(layer.weights).join(', ') || 'none'})`);
    if (v.shape.length !== 2 || v.shape[0] !== q.shape[0] || v.shape[1] !== q.shape[1]) {
      throw new Error(`${where}: exported shape [${q.shape.join(', ')}] does not match the model's [${v.shape.join(', ')}]`);
    }
    const hooks = layer.bindings.filter((b) => b.hook.parametrize?.[q.weight]).map((b) => b.hook.name);
    if (hooks.length > 0) throw new Error(`${where}: hooks ${hooks.join(', ')} parametrize this weight; bake or dispose them before loading`);
    return { layer, v, q, values: decodeKernel(q, where) };
  });
  for (const { layer, v, q, values } of work) {
    const t = tf.tensor2d(values, [q.shape[0], q.shape[1]]);
    v.assign(t);
    t.dispose();
    const spec = specOfPacked(q);
    registerBaked(layer, q.weight, 'loadQuantized', spec, q.shape, q.format === 'uniform' ? { scales: q.scales, zeroPoints: q.zeroPoints } : { scales: q.scales });
  }
  return work.map(({ q }) => `${q.path}.${q.weight}`);
}
