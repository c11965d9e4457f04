/**
 * Checks a checkpoint's configuration against its weight file's header before any model is built.
 *
 * Why: building a model allocates every weight the configuration asks for. A damaged or crafted
 * `depth: 1e9` or `channelMlpDim: 1e8` would hang or allocate gigabytes before the shape check
 * that follows construction could reject it. Every honest dimension of a layer is an axis of some
 * stored tensor, and every block has stored tensors, so the header (already bounded by the file
 * size) bounds what the configuration may ask for.
 */
import { CheckpointError } from '../io';
import type { CheckpointManifest } from './manifest';

/** A tensor of the safetensors header: name and shape. */
export interface HeaderTensor {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Bias of the shared classifier head in core's architectures (mixer, mlp, vit: `head.fc`; bert: `head.classifier`). */
const HEAD_BIASES = new Set(['head.fc.bias', 'head.classifier.bias']);

/** Config fields that are not sizes (any integer is fine). */
const NOT_A_SIZE = new Set(['seed']);

/**
 * Throws unless `manifest` (config, structure, tensor list) is consistent with the weight file's
 * `header`: the manifest lists exactly the header's tensors and shapes; `depth` equals the number
 * of `blocks.<i>` groups; `numClasses` is the length of the classifier's bias; every
 * other positive integer of the config and structure is at most the longest axis in the file
 * (array fields such as `inputShape`: at most the file's element count).
 *
 * @throws CheckpointError `CONFIG_MISMATCH` naming the field and the bound.
 * @example
 * ```ts
 * checkConfigAgainstHeader(manifest, readSafetensorsHeader(bytes), 'runs/ac/ckpt');
 * ```
 */
export function checkConfigAgainstHeader(manifest: CheckpointManifest, header: readonly HeaderTensor[], where: string): void {
  const fail = (msg: string): never => {
    throw new CheckpointError('CONFIG_MISMATCH', `checkpoint ${where}: ${msg}`);
  };
  const listed = Object.entries(manifest.tensors);
  if (listed.length !== header.length) fail(`checkpoint.json lists ${listed.length} tensors, model.safetensors holds ${header.length}`);
  for (const t of header) {
    const want = Object.prototype.hasOwnProperty.call(manifest.tensors, t.name) ? manifest.tensors[t.name] : undefined;
    if (!want || want.join() !== t.shape.join()) {
      fail(`tensor '${t.name}' has shape ${JSON.stringify(t.shape)} in model.safetensors but ${JSON.stringify(want ?? null)} in checkpoint.json`);
    }
  }
  let maxAxis = 1;
  let elements = 0;
  const blocks = new Set<string>();
  for (const t of header) {
    for (const d of t.shape) maxAxis = Math.max(maxAxis, d);
    elements += t.shape.reduce((a, b) => a * b, 1);
    const m = /^blocks\.(\d+)\./.exec(t.name);
    if (m) blocks.add(m[1]);
  }
  const cfg = manifest.config as Record<string, unknown>;
  if (blocks.size > 0 && cfg.depth !== blocks.size) fail(`config depth ${JSON.stringify(cfg.depth)} but model.safetensors holds ${blocks.size} blocks`);
  if (blocks.size === 0 && !((cfg.depth as number) <= header.length)) fail(`config depth ${JSON.stringify(cfg.depth)} exceeds the ${header.length} stored tensors`);
  // The classifier's bias is [numClasses] (a bias is never factorized or resized).
  const head = header.find((t) => HEAD_BIASES.has(t.name));
  if (head && head.shape[0] !== cfg.numClasses) {
    fail(`config numClasses ${JSON.stringify(cfg.numClasses)} but ${head.name} has shape ${JSON.stringify(head.shape)}`);
  }
  const bound = (path: string, v: unknown, limit: number, what: string) => {
    if (typeof v === 'number' && Number.isInteger(v) && v > limit) fail(`${path} = ${v} exceeds ${what} (${limit}); the configuration does not match the weights`);
  };
  // Resized layers (neurons removed) may leave a configured width on no stored axis at all; the
  // weaker bound (the stored element count) still stops absurd sizes.
  const resized = Object.keys(manifest.structure?.resized ?? {}).length > 0;
  for (const [k, v] of Object.entries(cfg)) {
    if (NOT_A_SIZE.has(k) || k === 'depth') continue;
    if (Array.isArray(v)) v.forEach((x, i) => bound(`config ${k}[${i}]`, x, elements, 'the number of stored weights'));
    else if (resized) bound(`config ${k}`, v, elements, 'the number of stored weights');
    else bound(`config ${k}`, v, maxAxis, 'the longest stored axis');
  }
  for (const [p, r] of Object.entries(manifest.structure?.factorized ?? {})) bound(`structure.factorized['${p}']`, r, maxAxis, 'the longest stored axis');
  for (const [p, dims] of Object.entries(manifest.structure?.resized ?? {})) dims.forEach((d, i) => bound(`structure.resized['${p}'][${i}]`, d, maxAxis, 'the longest stored axis'));
}
