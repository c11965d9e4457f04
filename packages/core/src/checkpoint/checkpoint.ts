import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError, decodeSafetensors, sha256Hex, tensorsToSafetensors, writeDirAtomic } from '../io';
import type { BaseModelConfig, BlockModel, ModelStructure } from '../models/block-model';
import { createModel } from '../models/create-model';
import { tf, type Tensor } from '../tf';
import type { AdamW, AdamWState } from '../train/adamw';

/** Trainer progress saved with a checkpoint, enough to resume exactly. */
export interface TrainerState {
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps completed. */
  readonly step: number;
  /** `Rng.state` of the shuffling generator after `epoch` epochs. */
  readonly rngState: number;
  /** Per-epoch summaries so far (free-form JSON). */
  readonly history: readonly unknown[];
}

/** `checkpoint.json`: what a checkpoint directory holds and how to check it. */
export interface CheckpointManifest {
  readonly format: 'acn-checkpoint';
  readonly version: 1;
  readonly config: BaseModelConfig & Record<string, unknown>;
  /** Tensor names and shapes of `model.safetensors`, in order. */
  readonly tensors: Record<string, number[]>;
  readonly optimizer?: { readonly type: 'adamw'; readonly step: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly weightDecay: number };
  readonly trainer?: TrainerState;
  /** sha256 of every other file in the directory. */
  readonly files: Record<string, string>;
  readonly metadata?: Record<string, string>;
  /** Structural changes (factorized dense layers); absent when there are none. */
  readonly structure?: ModelStructure;
}

/** What `saveCheckpoint` writes. */
export interface CheckpointInput {
  readonly model: BlockModel;
  readonly optimizer?: AdamW;
  readonly trainer?: TrainerState;
  readonly metadata?: Record<string, string>;
}

/** What `loadCheckpoint` returns. The caller owns (disposes) the model and the optimizer state tensors. */
export interface LoadedCheckpoint<M extends BlockModel = BlockModel> {
  readonly model: M;
  readonly manifest: CheckpointManifest;
  readonly optimizerState?: AdamWState;
  readonly trainer?: TrainerState;
}

const MODEL_FILE = 'model.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const MANIFEST_FILE = 'checkpoint.json';

/**
 * Saves model weights (safetensors, tensor names = dotted paths such as
 * `blocks.0.channelMlp.fc1.kernel`, kernels `[in, out]`), the config, the optimizer state
 * (`m.<path>`, `v.<path>` in `optimizer.safetensors`) and trainer state into `dir`, atomically:
 * the directory is built beside the target and swapped in, so a crash never leaves a half-written
 * checkpoint.
 *
 * @example
 * ```ts
 * saveCheckpoint('runs/ac/ckpt', { model, optimizer, trainer: { epoch: 3, step: 300, rngState: rng.state, history: [] } });
 * ```
 */
export function saveCheckpoint(dir: string, input: CheckpointInput): CheckpointManifest {
  const named: Record<string, Tensor> = input.model.namedWeights();
  const files: Record<string, Uint8Array | string> = {};
  files[MODEL_FILE] = tensorsToSafetensors(named, { format: 'acn-weights', architecture: input.model.config.architecture });
  let optimizer: CheckpointManifest['optimizer'];
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
  const manifest: CheckpointManifest = {
    format: 'acn-checkpoint',
    version: 1,
    config: input.model.config as CheckpointManifest['config'],
    tensors: Object.fromEntries(Object.entries(named).map(([k, v]) => [k, v.shape])),
    optimizer,
    trainer: input.trainer,
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha256Hex(v as Uint8Array)])),
    metadata: input.metadata,
    ...(Object.keys(input.model.structure().factorized).length ? { structure: input.model.structure() } : {}),
  };
  files[MANIFEST_FILE] = `${JSON.stringify(manifest, null, 2)}\n`;
  // A run directory like runs/ac/ckpt may not exist yet; the checkpoint directory itself is still
  // built beside its target and swapped in atomically.
  mkdirSync(dirname(dir), { recursive: true });
  writeDirAtomic(dir, files);
  return manifest;
}

function readChecked(dir: string, name: string, manifest: CheckpointManifest): Uint8Array {
  const p = join(dir, name);
  if (!existsSync(p)) throw new CheckpointError('MISSING_FILE', `checkpoint ${dir}: missing ${name}`);
  const bytes = new Uint8Array(readFileSync(p));
  const want = manifest.files[name];
  const got = sha256Hex(bytes);
  if (want !== got) {
    throw new CheckpointError('CHECKSUM_MISMATCH', `checkpoint ${dir}: ${name} is corrupted or was modified (sha256 ${got}, expected ${want}, ${bytes.length} bytes)`);
  }
  return bytes;
}

/**
 * Reads and validates `checkpoint.json` of a checkpoint directory.
 *
 * @example
 * ```ts
 * const { config, trainer } = readManifest('runs/ac/ckpt');
 * ```
 */
export function readManifest(dir: string): CheckpointManifest {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CheckpointError('MISSING_FILE', `checkpoint directory ${dir} does not exist`);
  const p = join(dir, MANIFEST_FILE);
  if (!existsSync(p)) throw new CheckpointError('MISSING_FILE', `checkpoint ${dir}: missing ${MANIFEST_FILE}`);
  let m: CheckpointManifest;
  try {
    m = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${dir}: ${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== 'acn-checkpoint' || m.version !== 1 || typeof m.config !== 'object' || typeof m.files !== 'object' || typeof m.tensors !== 'object') {
    throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${dir}: ${MANIFEST_FILE} is not an acn-checkpoint version 1 manifest`);
  }
  return m;
}

function sameConfig(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]));
}

/**
 * Loads a checkpoint. Without `into`, builds the model from the saved config; with `into`, checks
 * that its config matches (naming every differing field) and loads the weights into it. Files are
 * verified against their recorded sha256, tensor names and shapes against the model.
 *
 * @example
 * ```ts
 * const { model, optimizerState, trainer } = loadCheckpoint('runs/ac/ckpt');
 * ```
 */
export function loadCheckpoint<M extends BlockModel = BlockModel>(dir: string, options: { into?: M } = {}): LoadedCheckpoint<M> {
  const manifest = readManifest(dir);
  if (options.into) {
    const diff = sameConfig(options.into.config, manifest.config);
    if (diff.length) {
      const detail = diff.map((k) => `${k}: model ${JSON.stringify((options.into!.config as unknown as Record<string, unknown>)[k])} vs checkpoint ${JSON.stringify(manifest.config[k])}`);
      throw new CheckpointError('CONFIG_MISMATCH', `checkpoint ${dir} was saved from another configuration (${detail.join('; ')})`);
    }
  }
  const weightsBytes = readChecked(dir, MODEL_FILE, manifest);
  const decoded = decodeSafetensors(weightsBytes);
  const model = (options.into ?? createModel(manifest.config)) as M;
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
    }
    for (const [k, v] of Object.entries(target)) {
      const t = decoded.tensors[k];
      tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, t.shape, v.dtype)));
    }
  } catch (e) {
    if (!options.into) model.dispose();
    throw e;
  }
  let optimizerState: AdamWState | undefined;
  if (manifest.optimizer) {
    const dec = decodeSafetensors(readChecked(dir, OPTIMIZER_FILE, manifest));
    const m: Record<string, Tensor> = {};
    const v: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(dec.tensors)) {
      const store = k.startsWith('m.') ? m : k.startsWith('v.') ? v : undefined;
      if (!store) throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${dir}: unexpected optimizer tensor '${k}'`);
      store[k.slice(2)] = tf.tensor(t.data as Float32Array, t.shape, 'float32');
    }
    optimizerState = { step: manifest.optimizer.step, m, v };
  }
  return { model, manifest, optimizerState, trainer: manifest.trainer };
}
