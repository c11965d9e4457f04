/**
 * The experiments' models: MLP-Mixers (for the run's images) of one configurable size with any connectivity
 * core knows (read from `CONNECTIVITIES`, so DenseNet-/DenseFormer-style wiring appears as soon as
 * core has it), plus the direct-gradient-only AC variant (acn.md §3.3).
 */
import { CONNECTIVITIES, createMixer, type BlockModel, type Connectivity, type ForwardOptions, type MlpMixer, type WorkersOption } from '@acn/core';
import type { PaperOptions } from './options';

/** The AC variant trained with the direct gradient only: every block input stop-gradiented. */
export const DG_ONLY_ARM = 'acn-dg';

/**
 * The model arms of the baselines comparison, in display order: every connectivity core knows plus
 * the direct-gradient-only AC variant right after `acn`.
 *
 * @example
 * ```ts
 * baselineArms(); // ['acn', 'acn-dg', 'residual', 'feedforward', ...]
 * ```
 */
export function baselineArms(): string[] {
  const out: string[] = [];
  for (const c of CONNECTIVITIES) {
    out.push(c);
    if (c === 'acn') out.push(DG_ONLY_ARM);
  }
  return out;
}

/** The connectivity behind an arm name (`acn-dg` → `acn`); throws naming the known ones. */
export function armConnectivity(arm: string): Connectivity {
  if (arm === DG_ONLY_ARM) return 'acn';
  if ((CONNECTIVITIES as readonly string[]).includes(arm)) return arm as Connectivity;
  throw new Error(`unknown arm '${arm}' (known: ${[...CONNECTIVITIES, DG_ONLY_ARM].join(', ')})`);
}

/** What a Mixer is built for: one sample's shape `[H, W, C]` and the class count (an `ArrayDataset` fits). */
export interface MixerData {
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
}

/**
 * A Mixer with the options' size for `data`'s images (`[28, 28, 1]` Fashion-MNIST / MNIST,
 * `[32, 32, 3]` CIFAR-10) and `data.numClasses` outputs.
 *
 * @throws Error naming the flag when `--patch` does not divide the image side.
 *
 * @example
 * ```ts
 * const m = buildMixer(opts, 'acn', train, 0); // train: an ArrayDataset
 * ```
 */
export function buildMixer(o: Pick<PaperOptions, 'depth' | 'width' | 'tokenMlp' | 'channelMlp' | 'patch' | 'postBlock'>, connectivity: Connectivity, data: MixerData, seed: number, depth = o.depth): MlpMixer {
  if (data.sampleShape.length !== 3) throw new Error(`buildMixer: images must be [H, W, C], got [${data.sampleShape.join(', ')}]`);
  const [h, w, c] = data.sampleShape;
  checkPatch(o.patch, h, w);
  return createMixer({
    inputShape: [h, w, c],
    numClasses: data.numClasses,
    patchSize: o.patch,
    hiddenDim: o.width,
    tokenMlpDim: o.tokenMlp,
    channelMlpDim: o.channelMlp,
    postBlock: o.postBlock,
    depth,
    connectivity,
    seed,
  });
}

/**
 * Throws a flag-level message when the patch side does not divide an `h × w` image.
 *
 * @example
 * ```ts
 * checkPatch(7, 32, 32); // throws: --patch 7 does not divide ... (divisors of 32: 1, 2, 4, 8, 16, 32)
 * ```
 */
export function checkPatch(patch: number, h: number, w: number, what = 'images'): void {
  if (h % patch === 0 && w % patch === 0) return;
  const divisors = Array.from({ length: Math.min(h, w) }, (_, i) => i + 1).filter((d) => h % d === 0 && w % d === 0);
  throw new Error(`--patch ${patch} does not divide the ${h}×${w} ${what}: use one of ${divisors.join(', ')}`);
}

/**
 * Whether `model` is a view made by `Object.create(model)` with its own `forward` (like
 * {@link directGradientOnly} and the continual task heads): a real model's `forward` lives on
 * its class prototype.
 *
 * @example
 * ```ts
 * isForwardView(directGradientOnly(model)); // true
 * ```
 */
export function isForwardView(model: BlockModel): boolean {
  return Object.prototype.hasOwnProperty.call(model, 'forward');
}

/**
 * The `workers` option to give core's `train` for training `trained`: the run's `--workers`
 * (absent = 0), except 0 for a model view and for an extra loss. Worker replicas are rebuilt from
 * the model's config and weights, so a view's shadowed forward would be lost there and the
 * workers would silently train the plain model (the wrong gradients); an extra loss is a
 * function that cannot cross threads (`train` would fall back with a warning).
 *
 * @example
 * ```ts
 * await train(view, data, { epochs: 1, workers: trainWorkers(opts, view) }); // 0 for a view
 * ```
 */
export function trainWorkers(o: { readonly workers?: WorkersOption }, trained: BlockModel, extraLoss?: unknown): WorkersOption {
  if (o.workers === undefined || o.workers === 0) return 0;
  if (isForwardView(trained) || extraLoss !== undefined) return 0;
  return o.workers;
}

/**
 * A view of `model` whose **training** forwards stop-gradient every block input, so each block
 * learns only through its own long connection (the "ACN − only DG component" of acn.md §3.3);
 * evaluation forwards are unchanged. It shares the model's weights: train the view, probe either.
 *
 * @example
 * ```ts
 * await train(directGradientOnly(model), trainSet, { epochs: 5 });
 * ```
 */
export function directGradientOnly<M extends BlockModel>(model: M): M {
  if (model.connectivity !== 'acn') throw new Error(`directGradientOnly: needs an 'acn' model, got '${model.connectivity}'`);
  const view = Object.create(model) as M;
  // Object.create keeps every method and getter of the model (they read the shared fields through
  // the prototype chain); only `forward` is shadowed.
  Object.defineProperty(view, 'forward', {
    value: (x: Parameters<M['forward']>[0], options: ForwardOptions = {}) => model.forward(x, options.training ? { ...options, detachInputs: true } : options),
  });
  return view;
}
