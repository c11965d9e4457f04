/*
 * Magnitude pruning as a core `Compressor`: C(W) = W ⊙ M, with M built on the CPU from |W| of the
 * stored (latent) weight, per layer or over all matched layers (global), fixed or recomputed, and
 * driven by a tfmot-style schedule through `onStep`.
 */
import { tf, type CompressedLayer, type Compressor, type HookFilter, type LayerCost, type LayerInfo, type Tensor, type Variable } from '@acn/core';
import { applyMask, MASK_GRADIENTS, type MaskGradient } from './apply-mask';
import { csrBytes } from './csr';
import { checkNm, checkSparsity, globalThreshold, GRANULARITIES, magnitudeMask, thresholdMask, type Granularity } from './masks';
import type { PruningSchedule } from './schedule';

/**
 * Options of {@link magnitudePruning}.
 *
 * @example
 * ```ts
 * const o: MagnitudePruningOptions = { sparsity: 0.9, granularity: 'layer', scope: 'global', filter: { kind: 'dense', path: /^blocks\./ } };
 * ```
 */
export interface MagnitudePruningOptions {
  /** Fraction of weights removed, in [0, 1). Give this or `schedule` (not with `nm`). */
  readonly sparsity?: number;
  /**
   * Sparsity as a function of the optimizer step (`constantSparsity`, `polynomialDecay`): masks
   * start dense and are recomputed at every step where `shouldPrune` (tfmot semantics).
   */
  readonly schedule?: PruningSchedule;
  /** Who competes with whom (see `Granularity`). Default `layer`. */
  readonly granularity?: Granularity;
  /** N of N:M (`granularity: 'nm'`), e.g. 2. */
  readonly n?: number;
  /** M of N:M (`granularity: 'nm'`), e.g. 4. The layer's input dim must be a multiple of M. */
  readonly m?: number;
  /**
   * `local` (default): every layer reaches the sparsity on its own. `global`: one magnitude
   * threshold over all matched layers (`torch global_unstructured`), computed in `prepareAll`;
   * `granularity: 'layer'` only.
   */
  readonly scope?: 'local' | 'global';
  /**
   * `fixed` (default): the mask is built at attach and changes only at a schedule's pruning steps.
   * `every-step`: rebuilt from the current W at every `onStep` (the trainer signals each step),
   * as the VCON reference's online masks (vcon.md §2.1); pair it with `gradient: 'ste'` so pruned
   * weights can come back.
   */
  readonly recompute?: 'fixed' | 'every-step';
  /** Gradient reaching W through `W ⊙ M` (see `MaskGradient`). Default `masked`. */
  readonly gradient?: MaskGradient;
  /** Which layers; default `{ kind: 'dense' }` (embedding patch, block layers and head). */
  readonly filter?: HookFilter;
  /** Which weight of each layer; default `kernel` (must be 2-D `[in, out]`). */
  readonly weight?: string;
  /** Shown in errors; default `acn:prune/magnitude`. */
  readonly name?: string;
}

/**
 * The compressor returned by {@link magnitudePruning}: a core `Compressor` plus read access to
 * its state (for logging, like tfmot's `PruningSummaries`).
 *
 * @example
 * ```ts
 * const p: MagnitudePruner = magnitudePruning({ schedule: polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 1000 }) });
 * model.hooks.attach(compressorHook(p));
 * p.sparsity; // the sparsity of the current masks
 * ```
 */
export interface MagnitudePruner extends Compressor {
  /** Sparsity the current masks were built with (0 before a schedule's first pruning step; N:M: 1 − N/M). */
  readonly sparsity: number;
  /** A copy of the current 0/1 mask of the layer at `path` (the caller disposes it), or undefined when not attached there. */
  maskOf(path: string): Tensor | undefined;
}

interface Resolved {
  readonly name: string;
  readonly granularity: Granularity;
  readonly sparsity?: number;
  readonly schedule?: PruningSchedule;
  readonly n: number;
  readonly m: number;
  readonly global: boolean;
  readonly everyStep: boolean;
  readonly gradient: MaskGradient;
  readonly filter: HookFilter;
  readonly weight: string;
}

/** One matched layer's pruning state. */
interface LayerState {
  readonly layer: LayerInfo;
  readonly shape: [number, number]; // [in, out]
  readonly group?: GlobalGroup;
  mask: Tensor; // 0/1 float32 [in, out], kept (outlives tidies) until recomputed or disposed
}

/** The layers of one `global` attachment and their shared threshold. */
interface GlobalGroup {
  readonly layers: readonly LayerInfo[];
  threshold: number;
}

function resolve(o: MagnitudePruningOptions): Resolved {
  const name = o.name ?? 'acn:prune/magnitude';
  const granularity = o.granularity ?? 'layer';
  if (!GRANULARITIES.includes(granularity)) {
    throw new Error(`${name}: unknown granularity '${String(granularity)}' (known: ${GRANULARITIES.join(', ')})`);
  }
  let n = 0;
  let m = 0;
  if (granularity === 'nm') {
    if (o.sparsity !== undefined || o.schedule !== undefined) {
      throw new Error(`${name}: granularity 'nm' takes n and m (sparsity is 1 − n/m), not sparsity or schedule`);
    }
    ({ n, m } = checkNm(o.n, o.m, name));
  } else {
    if (o.n !== undefined || o.m !== undefined) throw new Error(`${name}: n and m only apply to granularity 'nm' (got granularity '${granularity}')`);
    if (o.sparsity !== undefined && o.schedule !== undefined) throw new Error(`${name}: give either sparsity or schedule, not both`);
    if (o.schedule === undefined) checkSparsity(o.sparsity, name);
    else if (typeof o.schedule !== 'function') throw new Error(`${name}: schedule must be a function (step) => { shouldPrune, sparsity }, got ${typeof o.schedule}`);
  }
  const scope = o.scope ?? 'local';
  if (scope !== 'local' && scope !== 'global') throw new Error(`${name}: scope must be 'local' or 'global', got '${String(scope)}'`);
  if (scope === 'global' && granularity !== 'layer') {
    throw new Error(`${name}: scope 'global' ranks single weights across layers and needs granularity 'layer', got '${granularity}'`);
  }
  const recompute = o.recompute ?? 'fixed';
  if (recompute !== 'fixed' && recompute !== 'every-step') throw new Error(`${name}: recompute must be 'fixed' or 'every-step', got '${String(recompute)}'`);
  const gradient = o.gradient ?? 'masked';
  if (!MASK_GRADIENTS.includes(gradient)) throw new Error(`${name}: gradient must be one of ${MASK_GRADIENTS.join(', ')}, got '${String(gradient)}'`);
  const weight = o.weight ?? 'kernel';
  if (typeof weight !== 'string' || weight.length === 0) throw new Error(`${name}: weight must be a non-empty weight name, got ${JSON.stringify(weight)}`);
  return {
    name,
    granularity,
    sparsity: o.sparsity,
    schedule: o.schedule,
    n,
    m,
    global: scope === 'global',
    everyStep: recompute === 'every-step',
    gradient,
    filter: o.filter ?? { kind: 'dense' },
    weight,
  };
}

/**
 * Magnitude pruning of 2-D weights (dense kernels `[in, out]` by default) as a core `Compressor`:
 * the effective weight is `W ⊙ M`, M keeping the largest `|W|` of the stored weight per
 * granularity (`layer`, `fan-in`, `row` = whole output units, `nm`), per layer or globally. Use it
 * through `compressorHook` (prune, then fine-tune, then `bake`) or inside `@acn/vcon`.
 *
 * Semantics: kept counts are `round(n·(1−s))` (Python rounding, as the VCON reference) and ties at
 * the threshold survive (`|W| ≥ threshold`), except N:M which keeps exactly N per group. Masks are
 * constants outside the differentiated path; `gradient` chooses `M ⊙ dY` (`masked`) or the full
 * gradient (`ste`). Cost: non-zeros drop, bytes are those of a CSR export (float values + 16/32-bit
 * column indices + 32-bit row pointers, or dense when that is smaller), FLOPs stay those of the
 * dense matmul (see `sparsityReport` for a sparse estimate, `removeNeurons` for a real reduction).
 *
 * @throws RangeError for a sparsity outside [0, 1) or a bad N:M; Error for inconsistent options,
 *   and at attach for a layer without a 2-D weight or (N:M) an input dim that M does not divide.
 * @example
 * ```ts
 * const h = model.hooks.attach(compressorHook(magnitudePruning({ sparsity: 0.9 })));
 * await train(model, data, { epochs: 2 }); // fine-tune with the mask
 * h.bake(); // stored kernels now hold W ⊙ M
 * const twoFour = magnitudePruning({ granularity: 'nm', n: 2, m: 4, filter: { kind: 'dense', path: /^blocks\./ } });
 * ```
 */
export function magnitudePruning(options: MagnitudePruningOptions): MagnitudePruner {
  const o = resolve(options);
  // The sparsity the masks are built with. A schedule starts dense (tfmot: masks are ones until
  // the first pruning step); the host calls onStep with the current step right after attach.
  let applied = o.granularity === 'nm' ? 1 - o.n / o.m : o.schedule ? 0 : (o.sparsity as number);
  const states = new Set<LayerState>();
  const groups = new Set<GlobalGroup>();
  const groupOf = new Map<LayerInfo, GlobalGroup>();

  const storedWeight = (layer: LayerInfo): Variable => {
    const v = layer.weights[o.weight];
    if (!v) {
      throw new Error(
        `${o.name}: layer ${layer.path} (${layer.kind}) has no weight '${o.weight}' (has: ${Object.keys(layer.weights).join(', ') || 'none'}); magnitude pruning needs a 2-D weight [in, out]`,
      );
    }
    if (v.rank !== 2) {
      throw new Error(`${o.name}: layer ${layer.path} (${layer.kind}) weight '${o.weight}' has shape ${JSON.stringify(v.shape)}; magnitude pruning needs a 2-D weight [in, out]`);
    }
    if (o.granularity === 'nm' && v.shape[0] % o.m !== 0) {
      throw new Error(
        `${o.name}: N:M ${o.n}:${o.m} groups M consecutive weights along the input axis, but layer ${layer.path} weight '${o.weight}' has shape ${JSON.stringify(v.shape)} (input dim ${v.shape[0]} is not a multiple of ${o.m})`,
      );
    }
    return v;
  };

  // `cache`: values already downloaded in this pass (a global group reads every layer once).
  const read = (layer: LayerInfo, cache?: Map<LayerInfo, Float32Array>): Float32Array => {
    const hit = cache?.get(layer);
    if (hit) return hit;
    const v = storedWeight(layer).dataSync() as Float32Array; // row-major [in, out]
    cache?.set(layer, v);
    return v;
  };

  const refreshGroup = (g: GlobalGroup, cache?: Map<LayerInfo, Float32Array>): void => {
    g.threshold = globalThreshold(
      g.layers.map((l) => read(l, cache)),
      applied,
    );
  };

  const refresh = (s: LayerState, cache?: Map<LayerInfo, Float32Array>): void => {
    const values = read(s.layer, cache);
    const data = s.group
      ? thresholdMask(values, s.group.threshold)
      : magnitudeMask(values, s.shape, { granularity: o.granularity, sparsity: applied, n: o.n, m: o.m });
    // keep: onStep may run inside a caller's tidy; the mask must live until replaced or disposed.
    const mask = tf.keep(tf.tensor(data, s.shape, 'float32'));
    s.mask?.dispose();
    s.mask = mask;
  };

  const refreshAll = (): void => {
    const cache = new Map<LayerInfo, Float32Array>();
    for (const g of groups) refreshGroup(g, cache);
    for (const s of states) refresh(s, cache);
  };

  const cost = (s: LayerState, base: LayerCost): LayerCost => {
    const w = storedWeight(s.layer).dataSync();
    const m = s.mask.dataSync();
    let nnzW = 0; // non-zeros of the stored kernel (part of base.nonZeroParams)
    let kept = 0; // non-zeros of W ⊙ M
    for (let i = 0; i < w.length; i++) {
      if (w[i] !== 0) {
        nnzW++;
        if (m[i] !== 0) kept++;
      }
    }
    // Values cost what a parameter costs so far (4 bytes, less after an earlier quantization hook).
    const bytesPerParam = base.params > 0 ? base.bytes / base.params : 4;
    const dense = w.length * bytesPerParam;
    const sparse = csrBytes(s.shape, kept, bytesPerParam);
    return {
      params: base.params,
      nonZeroParams: Math.max(0, base.nonZeroParams - nnzW + kept),
      flops: base.flops, // a dense matmul still multiplies the zeros
      bytes: Math.max(0, base.bytes - dense + Math.min(dense, sparse)),
    };
  };

  const pruner: MagnitudePruner = {
    name: o.name,
    filter: o.filter,
    weight: o.weight,
    get sparsity() {
      return applied;
    },
    maskOf(path: string): Tensor | undefined {
      for (const s of states) if (s.layer.path === path) return s.mask.clone();
      return undefined;
    },
    prepareAll: o.global
      ? (layers) => {
          const g: GlobalGroup = { layers: [...layers], threshold: Infinity };
          refreshGroup(g); // also validates every layer's weight before any state exists
          groups.add(g);
          for (const l of layers) groupOf.set(l, g);
          return () => {
            groups.delete(g);
            for (const l of layers) if (groupOf.get(l) === g) groupOf.delete(l);
          };
        }
      : undefined,
    prepare(layer: LayerInfo): CompressedLayer {
      const v = storedWeight(layer);
      const group = o.global ? groupOf.get(layer) : undefined;
      if (o.global && !group) {
        throw new Error(`${o.name}: scope 'global' needs prepareAll(layers) before prepare(${layer.path}) (compressorHook does this)`);
      }
      const s = { layer, shape: [v.shape[0], v.shape[1]], group } as LayerState;
      refresh(s);
      states.add(s);
      return {
        compress: (w: Tensor) => applyMask(w, s.mask, o.gradient),
        cost: (base: LayerCost) => cost(s, base),
        dispose: () => {
          states.delete(s);
          s.mask.dispose();
        },
      };
    },
    onStep(step: number): void {
      if (o.schedule) {
        const r = o.schedule(step);
        checkSparsity(r?.sparsity, `${o.name}: schedule at step ${step}`);
        if (r.shouldPrune) {
          applied = r.sparsity;
          refreshAll();
          return;
        }
      }
      if (o.everyStep) refreshAll();
    },
  };
  return pruner;
}
