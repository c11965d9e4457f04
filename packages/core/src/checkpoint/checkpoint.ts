import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import { CheckpointError, decodeSafetensors, readSafetensorsHeader, sha256Hex, tensorsToSafetensors, writeDirAtomic, type AtomicFs } from '../io';
import type { BlockModel, ModelStructure } from '../models/block-model';
import { createModel, type ArchitectureTable } from '../models/create-model';
import { tf, type Tensor } from '../tf';
import type { AdamW, AdamWState } from '../train/adamw';
import { MANIFEST_FILE, serializeManifest, type CheckpointManifest, type OptimizerManifest, type TrainerState } from './manifest';
import { checkConfigAgainstHeader } from './preflight';
import { locateCheckpoint, readManifestFile, readVerifiedFile, removeLeftovers } from './recovery';

export type { CheckpointManifest, OptimizerManifest, TrainerState } from './manifest';

/** What `saveCheckpoint` writes. */
export interface CheckpointInput {
  readonly model: BlockModel;
  readonly optimizer?: AdamW;
  readonly trainer?: TrainerState;
  readonly metadata?: Record<string, string>;
}

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** File system for the writes (fault injection in tests); defaults to `node:fs`. */
  readonly fs?: AtomicFs;
}

/** Options of `loadCheckpoint`. */
export interface LoadCheckpointOptions<M extends BlockModel = BlockModel> {
  /** Load into this model (its config must match) instead of building one. */
  readonly into?: M;
  /** User architectures (core's are built in; there is no global registry). */
  readonly architectures?: ArchitectureTable;
}

/** What `loadCheckpoint` returns. The caller owns (disposes) the model and the optimizer state tensors. */
export interface LoadedCheckpoint<M extends BlockModel = BlockModel> {
  readonly model: M;
  readonly manifest: CheckpointManifest;
  readonly optimizerState?: AdamWState;
  readonly trainer?: TrainerState;
  /** The directory actually read: a sibling left by an interrupted save when `dir` itself was missing. */
  readonly path: string;
}

const MODEL_FILE = 'model.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';

/**
 * Saves model weights (safetensors, tensor names = dotted paths such as
 * `blocks.0.channelMlp.fc1.kernel`, kernels `[in, out]`), the config, the optimizer state
 * (`m.<path>`, `v.<path>` in `optimizer.safetensors`) and trainer state into `dir`.
 *
 * Crash-safe at every instant: the new directory is built and fsynced as a temp sibling and
 * swapped in by renames; a reader (`loadCheckpoint`, `train({ resume })`) finds the last complete
 * checkpoint whichever instant a kill hits, and a successful save deletes what earlier
 * interrupted saves left beside `dir`. `checkpoint.json` records the sha256 of every file and its
 * own checksum.
 *
 * @example
 * ```ts
 * saveCheckpoint('runs/ac/ckpt', { model, optimizer, trainer: { epoch: 3, step: 300, rngState: rng.state, history: [] } });
 * ```
 */
export function saveCheckpoint(dir: string, input: CheckpointInput, options: SaveCheckpointOptions = {}): CheckpointManifest {
  const named: Record<string, Tensor> = input.model.namedWeights();
  const files: Record<string, Uint8Array | string> = {};
  files[MODEL_FILE] = tensorsToSafetensors(named, { format: 'acn-weights', architecture: input.model.config.architecture });
  let optimizer: OptimizerManifest | undefined;
  if (input.optimizer) {
    const st = input.optimizer.getState();
    try {
      const t: Record<string, Tensor> = {};
      for (const [k, x] of Object.entries(st.m)) t[`m.${k}`] = x;
      for (const [k, x] of Object.entries(st.v)) t[`v.${k}`] = x;
      files[OPTIMIZER_FILE] = tensorsToSafetensors(t, { format: 'acn-adamw' });
    } finally {
      tf.dispose([...Object.values(st.m), ...Object.values(st.v)]);
    }
    const o = input.optimizer;
    optimizer = { type: 'adamw', step: st.step, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, weightDecay: o.weightDecay };
  }
  const structure = input.model.structure();
  const body: Omit<CheckpointManifest, 'checksum'> = {
    format: 'acn-checkpoint',
    version: 2,
    config: input.model.config as CheckpointManifest['config'],
    tensors: Object.fromEntries(Object.entries(named).map(([k, v]) => [k, v.shape])),
    optimizer,
    trainer: input.trainer,
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha256Hex(v as Uint8Array)])),
    metadata: input.metadata,
    ...(hasStructure(structure) ? { structure } : {}),
  };
  const text = serializeManifest(body);
  files[MANIFEST_FILE] = text;
  // A run directory like runs/ac/ckpt may not exist yet; the checkpoint directory itself is still
  // built beside its target and swapped in atomically.
  nodeFs.mkdirSync(dirname(dir), { recursive: true });
  writeDirAtomic(dir, files, { fs: options.fs });
  // Only now is `dir` known to be the newest complete checkpoint: what crashed saves left is garbage.
  removeLeftovers(dir, options.fs);
  return JSON.parse(text) as CheckpointManifest;
}

/** True when a model has structural changes to save (factorized or resized dense layers). */
function hasStructure(s: ModelStructure): boolean {
  return Object.keys(s.factorized).length > 0 || Object.keys(s.resized ?? {}).length > 0;
}

/**
 * Reads and validates `checkpoint.json` of a checkpoint directory (the whole schema and the
 * manifest's checksum). When `dir` is missing because a save was interrupted, reads the complete
 * copy that save left beside it.
 *
 * @throws CheckpointError `MISSING_FILE`, `INVALID_MANIFEST`, `CHECKSUM_MISMATCH`, `RECOVERY_FAILED`.
 * @example
 * ```ts
 * const { config, trainer } = readManifest('runs/ac/ckpt');
 * ```
 */
export function readManifest(dir: string): CheckpointManifest {
  return readManifestFile(locateCheckpoint(dir)?.path ?? dir);
}

function sameConfig(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]));
}

/**
 * Loads a checkpoint. Without `into`, builds the model from the saved config (core's architectures,
 * plus any in `options.architectures`: user architectures are passed explicitly, there is no
 * global registry); with `into`, checks that its config matches (naming every differing field)
 * and loads the weights into it.
 *
 * Everything is checked before anything is allocated or written: the manifest (schema, checksum),
 * every file's sha256, the config against the weight file's header (so `depth: 1e9` is an error,
 * not a hang), tensor names and shapes against the model, and the optimizer moments (names,
 * shapes, dtype) against the model's weights. On any error nothing leaks and `into` is untouched.
 * When `dir` is missing because a save was interrupted, the complete copy it left is read.
 *
 * @throws CheckpointError (see {@link CheckpointErrorCode}).
 * @example
 * ```ts
 * const { model, optimizerState, trainer } = loadCheckpoint('runs/ac/ckpt');
 * ```
 */
export function loadCheckpoint<M extends BlockModel = BlockModel>(dir: string, options: LoadCheckpointOptions<M> = {}): LoadedCheckpoint<M> {
  const path = locateCheckpoint(dir)?.path ?? dir;
  const manifest = readManifestFile(path);
  if (options.into) {
    const diff = sameConfig(options.into.config, manifest.config);
    if (diff.length) {
      const detail = diff.map((k) => `${k}: model ${JSON.stringify((options.into!.config as unknown as Record<string, unknown>)[k])} vs checkpoint ${JSON.stringify(manifest.config[k])}`);
      throw new CheckpointError('CONFIG_MISMATCH', `checkpoint ${dir} was saved from another configuration (${detail.join('; ')})`);
    }
  }
  const weightsBytes = readVerifiedFile(path, MODEL_FILE, manifest);
  checkConfigAgainstHeader(manifest, readSafetensorsHeader(weightsBytes), dir);
  const optimizerBytes = manifest.optimizer ? readVerifiedFile(path, OPTIMIZER_FILE, manifest) : undefined;
  const decoded = decodeSafetensors(weightsBytes);
  const model = options.into ?? buildModel<M>(manifest, dir, options.architectures);
  try {
    if (!options.into && manifest.structure) model.applyStructure(manifest.structure);
    const target = model.namedWeights();
    const missing = Object.keys(target).filter((k) => !(k in decoded.tensors));
    const extra = Object.keys(decoded.tensors).filter((k) => !(k in target));
    if (missing.length || extra.length) {
      throw new CheckpointError('SHAPE_MISMATCH', `checkpoint ${dir}: tensor names do not match the model (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
    }
    for (const [k, v] of Object.entries(target)) {
      const t = decoded.tensors[k];
      if (t.shape.join() !== v.shape.join()) {
        throw new CheckpointError('SHAPE_MISMATCH', `checkpoint ${dir}: tensor '${k}' has shape ${JSON.stringify(t.shape)}, the model expects ${JSON.stringify(v.shape)}`);
      }
      const float = t.dtype === 'F32' || t.dtype === 'F16';
      if (float !== (v.dtype === 'float32')) {
        throw new CheckpointError('SHAPE_MISMATCH', `checkpoint ${dir}: tensor '${k}' is stored as ${t.dtype}, the model's weight is ${v.dtype}`);
      }
    }
    // Validate the optimizer moments before any weight is written, so a bad file leaves `into` untouched.
    const moments = optimizerBytes ? checkMoments(decodeSafetensors(optimizerBytes).tensors, target, dir) : undefined;
    for (const [k, v] of Object.entries(target)) {
      const t = decoded.tensors[k];
      tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, t.shape, v.dtype)));
    }
    let optimizerState: AdamWState | undefined;
    if (moments && manifest.optimizer) {
      const m: Record<string, Tensor> = {};
      const v: Record<string, Tensor> = {};
      for (const [k, t] of moments) (k.startsWith('m.') ? m : v)[k.slice(2)] = tf.tensor(t.data as Float32Array, t.shape, 'float32');
      optimizerState = { step: manifest.optimizer.step, m, v };
    }
    return { model, manifest, optimizerState, trainer: manifest.trainer, path };
  } catch (e) {
    if (!options.into) model.dispose();
    throw e;
  }
}

function buildModel<M extends BlockModel>(manifest: CheckpointManifest, dir: string, architectures?: ArchitectureTable): M {
  try {
    return createModel(manifest.config, { architectures }) as M;
  } catch (e) {
    // A config the architecture rejects (ConfigError) or that cannot be allocated is a bad checkpoint.
    throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${dir}: cannot build the model from its config (${(e as Error).message})`, { cause: e });
  }
}

/** Optimizer tensors checked against the model: `m.`/`v.` + a weight path, its shape, float dtype, m and v paired. */
function checkMoments(
  tensors: Record<string, { dtype: string; shape: number[]; data: unknown }>,
  target: Record<string, Tensor>,
  dir: string,
): [string, { shape: number[]; data: unknown }][] {
  const fail = (msg: string): never => {
    throw new CheckpointError('INCOMPATIBLE_STATE', `checkpoint ${dir}: optimizer.safetensors ${msg}`);
  };
  const entries = Object.entries(tensors);
  const paths = { m: new Set<string>(), v: new Set<string>() };
  for (const [k, t] of entries) {
    const kind = k.slice(0, 2) === 'm.' ? 'm' : k.slice(0, 2) === 'v.' ? 'v' : undefined;
    if (!kind) fail(`holds '${k}', which is not a moment ('m.<path>' or 'v.<path>')`);
    const path = k.slice(2);
    const w = Object.prototype.hasOwnProperty.call(target, path) ? target[path] : undefined;
    if (!w) fail(`holds a moment for '${path}', which is not a weight of the model`);
    if (t.dtype !== 'F32') fail(`moment '${k}' is ${t.dtype}, expected F32`);
    if (t.shape.join() !== w!.shape.join()) fail(`moment '${k}' has shape ${JSON.stringify(t.shape)}, the weight has ${JSON.stringify(w!.shape)}`);
    paths[kind!].add(path);
  }
  const unpaired = [...paths.m].filter((p) => !paths.v.has(p)).concat([...paths.v].filter((p) => !paths.m.has(p)));
  if (unpaired.length) fail(`has first and second moments for different weights (${unpaired.join(', ')})`);
  return entries;
}
