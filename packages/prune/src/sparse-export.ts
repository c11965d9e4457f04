/*
 * Model-level sparse export: the baked (pruned) weights of a model in CSR form, and loading them
 * back into a model of the same architecture.
 */
import { tf, type BlockModel, type HookFilter, type Layer, type Variable } from '@acn/core';
import { exportSparseLayer, fromCsr, type SparseWeight } from './csr';
import { SparseFormatError } from './sparse-error';
import { matchesFilter } from './filter';

/**
 * Result of {@link exportSparse}.
 *
 * @example
 * ```ts
 * const { weights, sparseBytes, denseBytes }: SparseModelExport = exportSparse(model);
 * ```
 */
export interface SparseModelExport {
  /** CSR weights by full dotted path, e.g. `blocks.0.channelMlp.fc1.kernel`, in model order. */
  readonly weights: Readonly<Record<string, SparseWeight>>;
  /** Sum of `sparseBytes` over the exported weights. */
  readonly sparseBytes: number;
  /** The same weights stored dense as float32. */
  readonly denseBytes: number;
  /** Matched layers without the weight (e.g. low-rank factorized dense layers), by path. */
  readonly skipped: readonly string[];
}

/**
 * Options of {@link exportSparse}.
 *
 * @example
 * ```ts
 * const o: ExportSparseOptions = { filter: { kind: 'dense', path: /^blocks\./ } };
 * ```
 */
export interface ExportSparseOptions {
  /** Which layers; default `{ kind: 'dense' }` (the pruning compressors' default). */
  readonly filter?: HookFilter;
  /** Which weight of each layer; default `kernel`. */
  readonly weight?: string;
}

/**
 * Exports the stored weights of the matched layers in CSR form. Call it after baking the pruning
 * hook (`handle.bake()` writes `W ⊙ M` into the stored weights): a weight that a hook still
 * parametrizes is an error, since its stored values are not what the model computes.
 *
 * @example
 * ```ts
 * const h = model.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.9 })));
 * h.bake();
 * const exp = exportSparse(model); // exp.sparseBytes ≈ 0.1·6/4 of exp.denseBytes
 * ```
 */
export function exportSparse(model: BlockModel, options: ExportSparseOptions = {}): SparseModelExport {
  const filter = options.filter ?? { kind: 'dense' };
  const name = options.weight ?? 'kernel';
  const weights: Record<string, SparseWeight> = {};
  const skipped: string[] = [];
  let sparseBytes = 0;
  let denseBytes = 0;
  for (const layer of model.layers()) {
    if (!matchesFilter(filter, layer)) continue;
    const v = layer.weights[name];
    if (!v) {
      skipped.push(layer.path);
      continue;
    }
    checkNotParametrized(layer, name);
    const s = exportSparseLayer(v);
    weights[`${layer.path}.${name}`] = s;
    sparseBytes += s.sparseBytes;
    denseBytes += v.size * 4;
  }
  return { weights, sparseBytes, denseBytes, skipped };
}

function checkNotParametrized(layer: Layer, name: string): void {
  const b = layer.bindings.find((x) => x.hook.parametrize?.[name]);
  if (b) {
    throw new Error(
      `exportSparse: ${layer.path}.${name} is still parametrized by hook '${b.hook.name}'; bake it first (handle.bake()) so the stored weight holds the pruned values`,
    );
  }
}

/**
 * Writes an export back into a model's stored weights (dense), checking every path and shape.
 * The model gets exactly the exported values.
 *
 * @example
 * ```ts
 * const fresh = createMlp(sameConfig);
 * loadSparse(fresh, exportSparse(pruned)); // fresh now computes what `pruned` computes (other weights aside)
 * ```
 */
export function loadSparse(model: BlockModel, exported: SparseModelExport): void {
  const named = model.namedWeights();
  // Check and decode everything before writing anything, so a bad export leaves the model untouched.
  const decoded: [Variable, Float32Array][] = [];
  for (const [path, s] of Object.entries(exported.weights)) {
    const v = Object.prototype.hasOwnProperty.call(named, path) ? named[path] : undefined;
    if (!v) throw new SparseFormatError('MISMATCH', `loadSparse: the model has no weight '${path}'`);
    if (!Array.isArray(s?.shape) || v.shape.length !== s.shape.length || v.shape.some((d, i) => d !== s.shape[i])) {
      throw new SparseFormatError('MISMATCH', `loadSparse: ${path} has shape ${JSON.stringify(v.shape)} in the model but ${JSON.stringify(s?.shape)} in the export`);
    }
    try {
      decoded.push([v, fromCsr(s)]);
    } catch (e) {
      if (e instanceof SparseFormatError) throw new SparseFormatError(e.code, `loadSparse: ${path}: ${e.message}`);
      throw e;
    }
  }
  for (const [v, data] of decoded) {
    const t = tf.tensor(data, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}
