/**
 * The low-rank compressor: a core `Compressor` in *forward form*. At prepare it takes the SVD of
 * a dense layer's current kernel `K` `[in, out]`, keeps the top r triplets as two trainable
 * factors `A` `[in, r]` and `B` `[r, out]` (hook-owned weights `lowrank.a`, `lowrank.b`), and
 * replaces the layer's forward by `(x A) B + b`. `bake` turns the layer into a factored
 * `DenseLayer` (`kernelA`, `kernelB`), so the baked model really has fewer parameters and FLOPs.
 */
import {
  DenseLayer,
  Layer,
  denseFused,
  tf,
  type CompressedLayer,
  type Compressor,
  type HookFilter,
  type LayerInfo,
  type Tensor,
  type Variable,
} from '@acn/core';
import { factoredCost } from './cost';
import { FACTOR_INITS, factorTensors, svdFactors, type FactorInit } from './factors';
import { selectRank, validateRankSpec, type RankSpec } from './rank';
import { kernelSvd, retainedEnergy, truncationError, type KernelSvd } from './svd';

/**
 * Local name of the hook-owned factor `A` `[in, r]` on a layer while the compressor is attached
 * (full path `<layer>.lowrank.a` in `model.namedWeights()` and checkpoints).
 *
 * @example
 * ```ts
 * const a = model.layer('blocks.0.channelMlp.fc1').weights[FACTOR_A]; // [in, r]
 * ```
 */
export const FACTOR_A = 'lowrank.a';
/**
 * Local name of the hook-owned factor `B` `[r, out]`; see {@link FACTOR_A}.
 *
 * @example
 * ```ts
 * const b = model.layer('blocks.0.channelMlp.fc1').weights[FACTOR_B]; // [r, out]
 * ```
 */
export const FACTOR_B = 'lowrank.b';

/**
 * What was decided for one layer at prepare (for logs and rank studies).
 *
 * @example
 * ```ts
 * lowRank({ rank: { energy: 0.9 }, onPrepare: (r: LowRankLayerReport) => console.log(r.path, r.rank, r.retainedEnergy) });
 * ```
 */
export interface LowRankLayerReport {
  readonly path: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly rank: number;
  /** All `min(in, out)` singular values of the kernel, descending. */
  readonly singularValues: readonly number[];
  /** `Σ_{i≤r} s_i² / Σ s_i²`. */
  readonly retainedEnergy: number;
  /** `‖K − A B‖_F / ‖K‖_F` at initialisation (0 for a zero kernel). */
  readonly relativeError: number;
}

/**
 * Options of {@link lowRank}.
 *
 * @example
 * ```ts
 * const o: LowRankOptions = { rank: { fraction: 0.25 }, init: 'vcon', filter: { path: /channelMlp/ } };
 * ```
 */
export interface LowRankOptions {
  /** Rank per layer: a number, `{ fraction }`, `{ energy }`, or a function of the layer returning one. */
  readonly rank: RankSpec | ((layer: LayerInfo) => RankSpec);
  /** Where the singular values go (default `'vcon'`: `A = U_r` orthonormal, `B = S_r V_rᵀ`). */
  readonly init?: FactorInit;
  /** Whether `A` and `B` are trainable weights (default true). */
  readonly trainFactors?: boolean;
  /**
   * Which layers (default every `dense` layer). Layers already stored factored (no `kernel`) are
   * always skipped.
   */
  readonly filter?: HookFilter;
  /** Accept ranks that do not reduce FLOPs (`r·(in + out) ≥ in·out`); default false. */
  readonly force?: boolean;
  /** Called once per layer at prepare with the chosen rank and the spectrum. */
  readonly onPrepare?: (report: LowRankLayerReport) => void;
}

/** Non-zero entries of the given tensors, in one download. */
function countNonZero(ts: readonly Tensor[]): number {
  const t = tf.tidy(() => tf.addN(ts.map((x) => tf.sum(tf.cast(tf.notEqual(x, 0), 'int32')))));
  const n = t.dataSync()[0];
  t.dispose();
  return n;
}

/**
 * Identity on `y` whose backward also hands `kernel` an exact-zero gradient. The forward form never
 * reads the dense kernel, and tfjs then leaves it out of `variableGrads`; tying it in with a zero
 * gradient keeps "every trainable variable has a gradient" true (the conformance suite, gradient
 * statistics by path) without changing any value or any other gradient.
 */
const tieZeroGrad = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
  const y = args[0] as Tensor;
  const kernel = args[1] as Tensor;
  return {
    value: tf.clone(y), // a new id sharing y's data (no copy)
    gradFunc: (dy: Tensor) => [dy, tf.zerosLike(kernel)],
  };
}) as (y: Tensor, kernel: Tensor) => Tensor;

/** A layer's effective weight (through attached parametrizations) when it is a core `Layer`, else the stored one. */
function effective(layer: LayerInfo, name: string): Tensor {
  return layer instanceof Layer ? layer.w(name) : layer.weights[name];
}

/**
 * Low-rank (truncated SVD) compression of dense layers, as a core `Compressor` with a forward form:
 *
 * - **prepare** (once per layer): thin SVD of the layer's current effective kernel `K` `[in, out]`
 *   in Float64 (`ml-matrix`); the rank from `rank`; factors `A` `[in, r]`, `B` `[r, out]` with
 *   `A B` = the best rank-r approximation, added as hook-owned weights `lowrank.a` / `lowrank.b`
 *   (trainable unless `trainFactors: false`, saved in checkpoints while attached);
 * - **forward**: `(x A) B + b` with the layer's own (effective) bias. The dense kernel is not used,
 *   so it gets no gradient signal while attached: its gradient is an exact zero (it is tied in so
 *   that every trainable variable has a gradient), training moves `A`, `B` and the bias only. Note
 *   that AdamW's decoupled weight decay still shrinks the idle kernel (`·(1 − lr·λ)` per step),
 *   which matters only if you `dispose` instead of baking after training;
 * - **cost**: params `r·(in + out)` (+ bias), FLOPs `2·r·(in + out)` per row (+ bias adds);
 * - **bake**: `DenseLayer.factorize(A, B)` with the current factor values (the kernel is replaced
 *   by `kernelA` / `kernelB`; `model.structure()` records the rank).
 *
 * Ranks outside `[1, min(in, out)]` are errors; ranks that do not reduce FLOPs are errors unless
 * `force: true`. Forward wrappers of hooks attached before this one on the same layer are
 * bypassed while it is attached (its forward replaces the layer's).
 *
 * @example
 * ```ts
 * const h = model.hooks.attach(compressorHook(lowRank({ rank: { energy: 0.9 } })));
 * await train(model, data, { epochs: 1 }); // fine-tunes A, B and the biases
 * h.bake(); // factored dense layers: fewer params and FLOPs
 * ```
 */
export function lowRank(options: LowRankOptions): Compressor {
  const init = options.init ?? 'vcon';
  if (!FACTOR_INITS.includes(init)) throw new RangeError(`lowRank: unknown init '${String(init)}' (known: ${FACTOR_INITS.join(', ')})`);
  if (typeof options.rank !== 'function') validateRankSpec(options.rank);
  const trainFactors = options.trainFactors ?? true;
  const force = options.force ?? false;
  const user = options.filter ?? {};
  const filter: HookFilter = {
    ...user,
    kind: user.kind ?? 'dense',
    // A factored layer (core's `kernelA` / `kernelB`) has no `kernel` to decompose.
    where: (l) => l.weights.kernel !== undefined && (user.where?.(l) ?? true),
  };

  return {
    name: 'acn:lowrank/svd',
    filter,
    prepare(layer: LayerInfo, ctx): CompressedLayer {
      const kernel = layer.weights.kernel;
      if (!kernel || kernel.rank !== 2) {
        throw new Error(`lowRank: layer ${layer.path} (${layer.kind}) has no 2-D 'kernel' (weights: ${Object.keys(layer.weights).join(', ') || 'none'})`);
      }
      const [inDim, outDim] = kernel.shape; // [in, out]
      // The current kernel as the model sees it (after earlier hooks' parametrizations, if any).
      let svd!: KernelSvd;
      tf.tidy(() => {
        svd = kernelSvd(effective(layer, 'kernel')); // frees whatever the parametrizations created
      });
      const spec = typeof options.rank === 'function' ? options.rank(layer) : options.rank;
      const r = selectRank(spec, svd.s, inDim, outDim, { layer: layer.path, force });
      const [a0, b0] = factorTensors(svdFactors(svd, r, init), inDim, outDim); // [in, r], [r, out]
      const a: Variable = ctx.addWeight(FACTOR_A, a0, trainFactors);
      const b: Variable = ctx.addWeight(FACTOR_B, b0, trainFactors);
      const hasBias = layer.weights.bias !== undefined;

      if (options.onPrepare) {
        const norm = Math.sqrt(svd.s.reduce((acc, x) => acc + x * x, 0));
        options.onPrepare({
          path: layer.path,
          inDim,
          outDim,
          rank: r,
          singularValues: Array.from(svd.s),
          retainedEnergy: retainedEnergy(svd, r),
          relativeError: norm === 0 ? 0 : truncationError(svd, r) / norm,
        });
      }

      return {
        // [.., in] -> [.., r] -> [.., out]; the factors are explicit customGrad inputs, so they get gradients.
        forward: (x) => tieZeroGrad(denseFused(denseFused(x, a), b, hasBias ? effective(layer, 'bias') : undefined), kernel),
        cost: (base) => {
          const nonZero = countNonZero(hasBias ? [a, b, layer.weights.bias] : [a, b]);
          return factoredCost(base, { inDim, outDim, rank: r, hasBias }, nonZero);
        },
        bake: () => {
          if (!(layer instanceof DenseLayer)) {
            throw new Error(`lowRank: cannot bake layer ${layer.path} (${layer.kind}): it is not a core DenseLayer, so it has no factorize()`);
          }
          layer.factorize(a, b); // copies A and B into kernelA / kernelB; the hook weights are freed by core
        },
      };
    },
  };
}
