/**
 * Option specs and option types several examples share, so each example lists only its own.
 */
import { CONNECTIVITIES, type BackendKind, type Connectivity, type WorkersOption } from '@acn/core';
import type { OptionSpec } from './cli';

/** Options every example has: data, output, backend, seed, `--quick`. */
export interface RunOptions {
  readonly seed: number;
  readonly dataDir?: string;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly outDir: string;
  readonly backend: BackendKind;
  readonly quick: boolean;
}

/** Options of a training run. */
export interface TrainingOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly warmupEpochs: number;
  /**
   * Data-parallel worker threads (`train`'s `workers`): `'auto'` = one per core (the main thread on
   * a 1-core machine), 0 = train on the main thread. The split changes the float summation order
   * of the gradients, so results are bit-identical for the same count and equal within float
   * rounding across counts.
   */
  readonly workers: WorkersOption;
}

/** The MLP-Mixer shape options (Fashion-MNIST 28×28×1 images). */
export interface MixerShapeOptions {
  readonly depth: number;
  readonly width: number;
  readonly tokenMlpDim: number;
  readonly channelMlpDim: number;
  readonly patchSize: number;
}

/** Options of a probe-cutoff-truncate study over several connectivities. */
export interface StudyOptions extends RunOptions, TrainingOptions {
  readonly depth: number;
  readonly connectivities: readonly Connectivity[];
  /** Cutoff tolerance as a fraction (0.005 = 0.5 accuracy points). */
  readonly delta: number;
  /** Run the direct-vs-full gradient pass every N steps (0 = off); it doubles those steps' cost. */
  readonly dgfgEvery: number;
  readonly latencyRepeats: number;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

/**
 * `--seed`, `--data-dir`, `--train-limit`, `--test-limit`, `--out`, `--backend` (`--quick` and
 * `--help` come with every CLI).
 *
 * @example
 * ```ts
 * const options = [...mixerShapeOptions<O>(), ...runOptions<O>()];
 * ```
 */
export function runOptions<O extends RunOptions>(seedHelp = 'seed of init and shuffling'): OptionSpec<O>[] {
  return [
    { flag: 'seed', key: 'seed' as Extract<keyof O, string>, help: seedHelp, kind: { type: 'int', min: 0 } },
    { flag: 'data-dir', key: 'dataDir' as Extract<keyof O, string>, arg: 'DIR', help: 'full Fashion-MNIST IDX files (default: env ACN_DATA_DIR, else the embedded subset)', kind: { type: 'string' } },
    { flag: 'train-limit', key: 'trainLimit' as Extract<keyof O, string>, help: 'use only the first N training images', kind: { type: 'int', min: 1 } },
    { flag: 'test-limit', key: 'testLimit' as Extract<keyof O, string>, help: 'use only the first N test images', kind: { type: 'int', min: 1 } },
    { flag: 'out', key: 'outDir' as Extract<keyof O, string>, arg: 'DIR', help: 'output directory', kind: { type: 'string' } },
    { flag: 'backend', key: 'backend' as Extract<keyof O, string>, arg: 'KIND', help: 'tfjs backend', kind: { type: 'choice', choices: BACKENDS } },
  ];
}

/**
 * `--epochs`, `--batch`, `--lr`, `--warmup`, `--workers`.
 *
 * @example
 * ```ts
 * const options = [...trainingOptions<O>('training epochs per model')];
 * ```
 */
export function trainingOptions<O extends TrainingOptions>(epochsHelp = 'training epochs per model'): OptionSpec<O>[] {
  return [
    { flag: 'epochs', key: 'epochs' as Extract<keyof O, string>, help: epochsHelp, kind: { type: 'int', min: 1 } },
    { flag: 'batch', key: 'batchSize' as Extract<keyof O, string>, help: 'batch size', kind: { type: 'int', min: 1 } },
    { flag: 'lr', key: 'lr' as Extract<keyof O, string>, help: 'peak learning rate', kind: { type: 'number', min: 0 } },
    { flag: 'warmup', key: 'warmupEpochs' as Extract<keyof O, string>, help: 'warm-up epochs', kind: { type: 'number', min: 0 } },
    { flag: 'workers', key: 'workers' as Extract<keyof O, string>, arg: 'auto|N', help: "training threads: 'auto' = one per core, 0 = the main thread only", kind: { type: 'int-or-auto', min: 0 } },
  ];
}

/**
 * `--depth`, `--width`, `--token-mlp`, `--channel-mlp`, `--patch` of a Mixer.
 *
 * @example
 * ```ts
 * const options = mixerShapeOptions<O>({ minDepth: 2 });
 * ```
 */
export function mixerShapeOptions<O extends MixerShapeOptions>(o: { minDepth?: number } = {}): OptionSpec<O>[] {
  return [
    { flag: 'depth', key: 'depth' as Extract<keyof O, string>, help: 'blocks per model', kind: { type: 'int', min: o.minDepth ?? 1 } },
    { flag: 'width', key: 'width' as Extract<keyof O, string>, help: 'token width D', kind: { type: 'int', min: 1 } },
    { flag: 'token-mlp', key: 'tokenMlpDim' as Extract<keyof O, string>, help: 'token-mixing MLP width', kind: { type: 'int', min: 1 } },
    { flag: 'channel-mlp', key: 'channelMlpDim' as Extract<keyof O, string>, help: 'channel-mixing MLP width', kind: { type: 'int', min: 1 } },
    { flag: 'patch', key: 'patchSize' as Extract<keyof O, string>, help: 'patch side, must divide 28', kind: { type: 'int', min: 1 } },
  ];
}

/**
 * `--connectivity` (read from core's `CONNECTIVITIES`, never hard-coded), `--delta`, `--dgfg-every`.
 *
 * @example
 * ```ts
 * const options = [...studyOptions<O>()];
 * ```
 */
export function studyOptions<O extends StudyOptions>(): OptionSpec<O>[] {
  return [
    { flag: 'connectivity', key: 'connectivities' as Extract<keyof O, string>, arg: 'LIST', help: 'comma-separated', kind: { type: 'list', choices: CONNECTIVITIES } },
    { flag: 'delta', key: 'delta' as Extract<keyof O, string>, help: 'cutoff tolerance as a fraction (0.005 = 0.5 points)', kind: { type: 'number', min: 0 } },
    { flag: 'dgfg-every', key: 'dgfgEvery' as Extract<keyof O, string>, help: 'direct-vs-full gradient pass every N steps, 0 = off', kind: { type: 'int', min: 0 } },
  ];
}
