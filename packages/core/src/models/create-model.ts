import type { BaseModelConfig, BlockModel } from './block-model';
import { ConfigError } from './errors';
import { MlpMixer, mixerConfig, type MixerConfigInput } from './mixer';
import { Mlp, mlpConfig, type MlpConfigInput } from './mlp';
import { Vit, vitConfig, type VitConfigInput } from './vit';
import { Bert, bertConfig, type BertConfigInput } from './bert';

/** A model factory for one architecture (used to rebuild models from checkpoints). */
export type ModelFactory = (config: Record<string, unknown>) => BlockModel;

const factories = new Map<string, ModelFactory>([
  ['mixer', (c) => new MlpMixer(mixerConfig(c as unknown as MixerConfigInput))],
  ['mlp', (c) => new Mlp(mlpConfig(c as unknown as MlpConfigInput))],
  ['vit', (c) => new Vit(vitConfig(c as unknown as VitConfigInput))],
  ['bert', (c) => new Bert(bertConfig(c as unknown as BertConfigInput))],
]);

/**
 * Registers a model factory under an architecture name, so `createModel` and checkpoint loading
 * can rebuild it (architectures outside core, or future ones).
 *
 * @example
 * ```ts
 * registerArchitecture('my-net', (cfg) => new MyNet(cfg));
 * ```
 */
export function registerArchitecture(name: string, factory: ModelFactory): void {
  factories.set(name, factory);
}

/**
 * Builds a model from a saved configuration (`model.config`), dispatching on `architecture`.
 *
 * @example
 * ```ts
 * const copy = createModel(model.config);
 * ```
 */
export function createModel(config: BaseModelConfig | Record<string, unknown>): BlockModel {
  const arch = (config as { architecture?: unknown }).architecture;
  const f = typeof arch === 'string' ? factories.get(arch) : undefined;
  if (!f) throw new ConfigError(`unknown architecture ${JSON.stringify(arch)} (known: ${[...factories.keys()].join(', ')})`);
  return f(config as Record<string, unknown>);
}
