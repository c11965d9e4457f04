/**
 * The experiments' models: Fashion-MNIST MLP-Mixers of one configurable size with any connectivity
 * core knows (read from `CONNECTIVITIES`, so DenseNet-/DenseFormer-style wiring appears as soon as
 * core has it), plus the direct-gradient-only AC variant (acn.md §3.3).
 */
import { CONNECTIVITIES, createMixer, type BlockModel, type Connectivity, type ForwardOptions, type MlpMixer } from '@acn/core';
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

/**
 * A Mixer for `[28, 28, 1]` images with the options' size.
 *
 * @example
 * ```ts
 * const m = buildMixer(opts, 'acn', 10, 0);
 * ```
 */
export function buildMixer(o: Pick<PaperOptions, 'depth' | 'width' | 'tokenMlp' | 'channelMlp' | 'patch' | 'postBlock'>, connectivity: Connectivity, numClasses: number, seed: number, depth = o.depth): MlpMixer {
  return createMixer({
    inputShape: [28, 28, 1],
    numClasses,
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
