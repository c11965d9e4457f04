import type { BaseModelConfig, BlockModel } from './block-model';
import { ConfigError } from './errors';
import { MlpMixer, mixerConfig, type MixerConfigInput } from './mixer';
import { Mlp, mlpConfig, type MlpConfigInput } from './mlp';
import { Vit, vitConfig, type VitConfigInput } from './vit';
import { Bert, bertConfig, type BertConfigInput } from './bert';

/**
 * A model factory for one architecture: builds a fresh model from a saved configuration
 * (`model.config`, as stored in a checkpoint).
 *
 * @example
 * ```ts
 * const myNet: ModelFactory = (cfg) => new MyNet(myNetConfig(cfg));
 * ```
 */
export type ModelFactory = (config: Record<string, unknown>) => BlockModel;

/**
 * Architectures outside core, by the `architecture` name their configs carry. Passed explicitly
 * to `createModel` / `loadCheckpoint` (there is no global registry: what a call can build is
 * visible at the call).
 *
 * @example
 * ```ts
 * const architectures: ArchitectureTable = { 'my-net': (cfg) => new MyNet(myNetConfig(cfg)) };
 * ```
 */
export type ArchitectureTable = Readonly<Record<string, ModelFactory>>;

/** Options of {@link createModel} (and the model-building part of `loadCheckpoint`). */
export interface CreateModelOptions {
  /**
   * User architectures, looked up after the built-in ones. A name may not shadow a built-in
   * architecture (`mixer`, `mlp`, `vit`, `bert`).
   */
  readonly architectures?: ArchitectureTable;
}

/**
 * The closed, frozen table of core's architectures (`mixer`, `mlp`, `vit`, `bert`). Nothing can
 * add to it at run time; user architectures go through `CreateModelOptions.architectures`.
 *
 * @example
 * ```ts
 * Object.keys(BUILTIN_ARCHITECTURES); // ['mixer', 'mlp', 'vit', 'bert']
 * ```
 */
export const BUILTIN_ARCHITECTURES: ArchitectureTable = Object.freeze({
  mixer: (c: Record<string, unknown>) => new MlpMixer(mixerConfig(c as unknown as MixerConfigInput)),
  mlp: (c: Record<string, unknown>) => new Mlp(mlpConfig(c as unknown as MlpConfigInput)),
  vit: (c: Record<string, unknown>) => new Vit(vitConfig(c as unknown as VitConfigInput)),
  bert: (c: Record<string, unknown>) => new Bert(bertConfig(c as unknown as BertConfigInput)),
});

const own = (t: ArchitectureTable, k: string): ModelFactory | undefined => (Object.prototype.hasOwnProperty.call(t, k) ? t[k] : undefined);

/**
 * Builds a model from a saved configuration (`model.config`), dispatching on `architecture`:
 * first core's frozen {@link BUILTIN_ARCHITECTURES}, then `options.architectures`.
 *
 * @throws ConfigError for an unknown architecture (naming the known ones), a user architecture
 *   that shadows a built-in name, or a factory that is not a function.
 * @example
 * ```ts
 * const copy = createModel(model.config);
 * const mine = createModel(savedConfig, { architectures: { 'my-net': (cfg) => new MyNet(myNetConfig(cfg)) } });
 * ```
 */
export function createModel(config: BaseModelConfig | Record<string, unknown>, options: CreateModelOptions = {}): BlockModel {
  const user = options.architectures ?? {};
  for (const [name, f] of Object.entries(user)) {
    if (own(BUILTIN_ARCHITECTURES, name)) throw new ConfigError(`createModel: architecture '${name}' is built into @acn/core and cannot be replaced; give yours another name`);
    if (typeof f !== 'function') throw new ConfigError(`createModel: architecture '${name}' must map to a factory function (config) => model, got ${typeof f}`);
  }
  const arch = (config as { architecture?: unknown }).architecture;
  const f = typeof arch === 'string' ? (own(BUILTIN_ARCHITECTURES, arch) ?? own(user, arch)) : undefined;
  if (!f) {
    const known = [...Object.keys(BUILTIN_ARCHITECTURES), ...Object.keys(user)].join(', ');
    throw new ConfigError(`unknown architecture ${JSON.stringify(arch)} (known: ${known}; pass user architectures with { architectures: { name: factory } })`);
  }
  return f(config as Record<string, unknown>);
}
