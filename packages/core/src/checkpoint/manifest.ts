/**
 * `checkpoint.json`: its type, its zod schema and its checksum.
 *
 * Why a schema over the whole manifest: everything in it steers what is loaded and how training
 * goes on (epoch, step, shuffling state, optimizer step, the model configuration). A field edited
 * by hand or damaged on disk must be an error naming the field, never a silently different run.
 * Why a checksum: a well-formed but changed value (`connectivity: "residual"`, `rngState: 7`)
 * passes any schema; the sha256 recorded inside the manifest catches it, as the weight files'
 * sha256 (listed in `files`) already catch changed weights.
 */
import { z } from 'zod';
import { CheckpointError, sha256Hex } from '../io';
import type { BaseModelConfig, ModelStructure } from '../models/block-model';
import { CONNECTIVITIES } from '../models/connectivity';

/** Trainer progress saved with a checkpoint, enough to resume exactly. */
export interface TrainerState {
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps completed. */
  readonly step: number;
  /** `Rng.state` of the shuffling generator after `epoch` epochs. */
  readonly rngState: number;
  /** Per-epoch summaries so far (free-form JSON objects). */
  readonly history: readonly unknown[];
}

/** AdamW hyper-parameters and step count saved with a checkpoint. */
export interface OptimizerManifest {
  readonly type: 'adamw';
  readonly step: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/** `checkpoint.json`: what a checkpoint directory holds and how to check it. */
export interface CheckpointManifest {
  readonly format: 'acn-checkpoint';
  /** 2: the manifest carries its own `checksum` (version 1 had none and is not read). */
  readonly version: 2;
  readonly config: BaseModelConfig & Record<string, unknown>;
  /** Tensor names and shapes of `model.safetensors`, in order. */
  readonly tensors: Record<string, number[]>;
  readonly optimizer?: OptimizerManifest;
  readonly trainer?: TrainerState;
  /** sha256 of every other file in the directory. */
  readonly files: Record<string, string>;
  readonly metadata?: Record<string, string>;
  /** Structural changes (factorized / resized dense layers); absent when there are none. */
  readonly structure?: ModelStructure;
  /** `sha256:<hex>` of the manifest serialized without this field (see {@link serializeManifest}). */
  readonly checksum: string;
}

/** The file name of the manifest inside a checkpoint directory. */
export const MANIFEST_FILE = 'checkpoint.json';

const nonNegInt = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const posInt = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const finite = z.number().finite();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (sha256)');
/** Plain names only: the manifest must not point outside its own directory. */
const fileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a plain file name');

/**
 * The fields every architecture shares; the architecture's own schema (applied when the model is
 * built) checks the rest. Connectivities come from core's list, never a copy of it.
 */
const configSchema = z
  .object({
    architecture: z.string().min(1),
    depth: posInt,
    numClasses: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    connectivity: z.string().refine((c) => (CONNECTIVITIES as readonly string[]).includes(c), {
      message: `must be one of ${CONNECTIVITIES.join(', ')}`,
    }),
    seed: nonNegInt,
    fused: z.boolean().optional(),
  })
  .passthrough();

const trainerSchema = z
  .object({
    epoch: nonNegInt,
    step: nonNegInt,
    // Rng.state is a uint32.
    rngState: z.number().int().min(0).max(0xffffffff),
    history: z.array(z.record(z.string(), z.unknown())),
  })
  .strict();

const optimizerSchema = z
  .object({
    type: z.literal('adamw'),
    step: nonNegInt,
    beta1: finite.min(0).lt(1),
    beta2: finite.min(0).lt(1),
    epsilon: finite.gt(0),
    weightDecay: finite.min(0),
  })
  .strict();

const structureSchema = z
  .object({
    factorized: z.record(z.string().min(1), posInt),
    resized: z.record(z.string().min(1), z.tuple([posInt, posInt])).optional(),
  })
  .strict();

const manifestSchema = z
  .object({
    format: z.literal('acn-checkpoint'),
    version: z.literal(2),
    config: configSchema,
    tensors: z.record(z.string().min(1), z.array(nonNegInt)),
    optimizer: optimizerSchema.optional(),
    trainer: trainerSchema.optional(),
    files: z.record(fileName, sha256),
    metadata: z.record(z.string(), z.string()).optional(),
    structure: structureSchema.optional(),
    checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  })
  .strict();

function bodyChecksum(body: object): string {
  return `sha256:${sha256Hex(new TextEncoder().encode(JSON.stringify(body)))}`;
}

/**
 * `checkpoint.json` text for a manifest: the body with `checksum` = sha256 of the compact JSON of
 * the body (field order as given), pretty-printed for people.
 *
 * @example
 * ```ts
 * writeFileSync('checkpoint.json', serializeManifest(body));
 * ```
 */
export function serializeManifest(body: Omit<CheckpointManifest, 'checksum'>): string {
  // Drop undefined fields first, so the checksum is over exactly what JSON will hold.
  const clean = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  delete clean.checksum;
  return `${JSON.stringify({ ...clean, checksum: bodyChecksum(clean) }, null, 2)}\n`;
}

/**
 * Parses and validates `checkpoint.json` text: JSON, the full schema (config fields shared by all
 * architectures, trainer and optimizer state, file list, structure), then the checksum.
 *
 * @throws CheckpointError `INVALID_MANIFEST` naming the field, or `CHECKSUM_MISMATCH`.
 * @example
 * ```ts
 * const m = parseManifest(readFileSync('ckpt/checkpoint.json', 'utf8'), 'ckpt');
 * ```
 */
export function parseManifest(text: string, where: string): CheckpointManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${where}: ${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`);
  }
  const o = raw as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || Array.isArray(o) || o.format !== 'acn-checkpoint') {
    throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${where}: ${MANIFEST_FILE} is not an acn-checkpoint manifest`);
  }
  if (o.version !== 2) {
    throw new CheckpointError(
      'INVALID_MANIFEST',
      `checkpoint ${where}: ${MANIFEST_FILE} has version ${JSON.stringify(o.version)}; this reader needs version 2 (checksummed manifests); re-save the checkpoint`,
    );
  }
  // Checksum first: an edited manifest is reported as edited, whatever the edit broke.
  const { checksum, ...body } = o;
  if (typeof checksum === 'string') {
    const want = bodyChecksum(body);
    if (checksum !== want) {
      throw new CheckpointError('CHECKSUM_MISMATCH', `checkpoint ${where}: ${MANIFEST_FILE} was modified or is corrupted (checksum ${checksum}, content hashes to ${want})`);
    }
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${where}: ${MANIFEST_FILE} is invalid (${issues.join('; ')})`);
  }
  return raw as CheckpointManifest;
}
