/**
 * The one place that turns a quantizer's math into a core `Compressor`: straight-through
 * estimator, cost, bake and the registry record that `exportQuantized` reads. Binary, ternary and
 * uniform quantizers only supply their math (`QuantMath`).
 *
 * Parameter cache: each forward keeps the few scalars (scales, zero points, a non-zero count) of
 * the quantization it just did, replacing the previous ones (`tf.keep` of `[groups]`-sized
 * tensors; no host sync on the training path). They are read back only on demand: at bake (the
 * host computes C(W) right before calling `bake`, so the cache holds exactly the parameters of the
 * baked values), by `cost` and by `exportQuantized`.
 */
import { tf, type Compressor, type LayerCost, type Tensor } from '@acn/core';
import { quantCost, quantizedBytes } from './cost';
import { kernelOf, readFloat32, type QuantizerBaseOptions, type SteKind } from './kernel';
import { registerAttached } from './registry';
import { tidyParts, type QuantParams, type QuantSpec, type QuantTensors } from './spec';
import { steIdentity, steMasked } from './ste';

/** A quantizer's math. `parts` runs before the STE (its ops are off the gradient path). */
export interface QuantMath {
  readonly spec: QuantSpec;
  /** Effective value and parameters of `w` (a 2-D `[in, out]` tensor). */
  parts(w: Tensor): QuantTensors;
  /** Gradient pass mask of the `clipped` STE, from the latent `w`. */
  passMask(w: Tensor): Tensor;
}

/** Options of {@link makeQuantizer}. */
export interface MakeQuantizerOptions extends QuantizerBaseOptions {
  readonly ste: SteKind;
}

interface Cached {
  readonly scales: Tensor;
  readonly zeroPoints?: Tensor;
  readonly nonZero?: Tensor;
}

/** Holds the parameters of the last forward of one layer (kept tensors, freed on replace/dispose). */
class ParamCache {
  private cached: Cached | undefined;

  set(c: Cached): void {
    const old = this.cached;
    for (const t of [c.scales, c.zeroPoints, c.nonZero]) if (t) tf.keep(t);
    this.cached = c;
    if (old) for (const t of [old.scales, old.zeroPoints, old.nonZero]) if (t && !t.isDisposed && t !== c.scales && t !== c.zeroPoints && t !== c.nonZero) t.dispose();
  }

  get empty(): boolean {
    return this.cached === undefined;
  }

  read(): QuantParams {
    const c = this.cached;
    if (!c) throw new Error('no quantization has run yet');
    const scales = readFloat32(c.scales);
    return c.zeroPoints ? { scales, zeroPoints: Uint16Array.from(c.zeroPoints.dataSync()) } : { scales };
  }

  nonZero(): number | undefined {
    return this.cached?.nonZero?.dataSync()[0];
  }

  dispose(): void {
    const c = this.cached;
    this.cached = undefined;
    if (c) for (const t of [c.scales, c.zeroPoints, c.nonZero]) if (t && !t.isDisposed) t.dispose();
  }
}

/**
 * Builds a weight-space `Compressor` from a quantizer's math: `compress(W)` is the quantized value
 * with the chosen STE in the backward pass; `cost` reports the packed size; `bake` records the
 * parameters of the baked values for `exportQuantized`.
 *
 * @example
 * ```ts
 * const c = makeQuantizer('acn:quant/demo', { spec: { format: 'ternary' }, parts, passMask }, { ste: 'identity' });
 * ```
 */
export function makeQuantizer(name: string, math: QuantMath, options: MakeQuantizerOptions): Compressor {
  const weight = options.weight ?? 'kernel';
  return {
    name,
    filter: options.filter ?? { kind: 'dense' },
    weight,
    prepare(layer) {
      const { shape } = kernelOf(layer, weight, name);
      const n = shape[0] * shape[1];
      const cache = new ParamCache();
      // The quantization runs outside the customGrad: its ops may be recorded on the tape but are
      // off the output's path (the STE's output is a clone made inside the customGrad), so they
      // need no gradient, and the kept parameters are not created inside a kernel (tfjs' IS_TEST
      // leak check counts data ids created by a customGrad forward).
      let current: Tensor | null = null;
      const value = (): Tensor => tf.clone(current!);
      const op = options.ste === 'identity' ? steIdentity(value) : steMasked(value, (x) => math.passMask(x));
      const quantize = (w: Tensor): Tensor => {
        // tidy: compress may be called outside any scope (e.g. `layer.w('kernel')` by a user).
        const p = tidyParts(() => math.parts(w));
        cache.set({ scales: p.scales, zeroPoints: p.zeroPoints, nonZero: p.nonZero });
        current = p.value;
        try {
          return op(w);
        } finally {
          current = null;
          p.value.dispose(); // the STE output is a clone
        }
      };
      // Before the first forward (a cost query right after attach), quantize the stored weight.
      const ensure = (): void => {
        if (!cache.empty) return;
        tf.tidy(() => {
          const p = math.parts(layer.weights[weight]);
          cache.set({ scales: p.scales, zeroPoints: p.zeroPoints, nonZero: p.nonZero });
        });
      };
      const record = registerAttached(layer, weight, name, math.spec, shape, () => {
        ensure();
        return cache.read();
      });
      return {
        compress: quantize,
        cost: (base: LayerCost) => {
          ensure();
          const nonZero = cache.nonZero();
          return quantCost(base, n, quantizedBytes(math.spec, shape, nonZero !== undefined && nonZero < n));
        },
        bake: () => {
          ensure();
          record.bake(cache.read());
        },
        dispose: () => {
          cache.dispose();
          record.release();
        },
      };
    },
  };
}
