/**
 * The closed table of architectures the exporter knows, by `config.architecture`. A model of any
 * other architecture (a user architecture) fails with `unsupported-layer`.
 */
import type { ArchFactory } from './arch/types';
import { bertEmitter } from './arch/bert';
import { mixerEmitter } from './arch/mixer';
import { mlpEmitter } from './arch/mlp';
import { vitEmitter } from './arch/vit';

/** Emitters by architecture name. */
export const ARCHITECTURES: Readonly<Record<string, ArchFactory>> = {
  mixer: mixerEmitter,
  mlp: mlpEmitter,
  vit: vitEmitter,
  bert: bertEmitter,
};
