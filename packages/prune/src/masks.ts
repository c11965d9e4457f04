/*
 * Magnitude masks for one 2-D weight, computed on the CPU from the weight's values (outside the
 * differentiated path, vcon.md §6.3). Layout: core stores dense kernels `[in, out]` row-major, so
 * element (i, j) — input i, output unit j — is at `i·out + j`. PyTorch's `[out, in]` rows are our
 * columns: "per output row" in the VCON / torch sources means "per column" here.
 */
import { kthLargest } from './kth-largest';

/**
 * How weights compete for survival.
 *
 * - `layer`: unstructured; the whole weight keeps its `round(n·(1−s))` largest `|w|`
 *   (VCON `prune_granularity="layer"`, tfmot, `torch l1_unstructured`).
 * - `fan-in`: every output unit j (a column of the `[in, out]` kernel) keeps the
 *   `round(in·(1−s))` largest `|w|` of its own inputs, so every unit keeps the same fan-in
 *   (VCON `"neuron"`). Still unstructured: no unit disappears.
 * - `row`: structured; whole output units are kept or removed by the L2 norm of their weights
 *   (the column `W[:, j]`, i.e. PyTorch's row `W[j, :]`, `torch ln_structured(n=2, dim=0)`):
 *   `round(out·(1−s))` units survive. A removed unit j of layer A outputs only its bias, so
 *   deleting column j of A and input row j of the next layer B removes the neuron for real
 *   (`removeNeurons`).
 * - `nm`: semi-structured N:M; in every group of M consecutive weights along the input axis (M
 *   consecutive rows i of one column j) exactly N survive (tfmot `sparsity_m_by_n`, VCON integer
 *   `g`, the 2:4 format of sparse tensor cores).
 *
 * @example
 * ```ts
 * const g: Granularity = 'nm';
 * ```
 */
export type Granularity = 'layer' | 'fan-in' | 'row' | 'nm';

/**
 * Every granularity, for validation and docs.
 *
 * @example
 * ```ts
 * GRANULARITIES.includes('row'); // true
 * ```
 */
export const GRANULARITIES: readonly Granularity[] = ['layer', 'fan-in', 'row', 'nm'];

/**
 * What to keep of one weight.
 *
 * @example
 * ```ts
 * const half: MaskSpec = { granularity: 'layer', sparsity: 0.5 };
 * const twoFour: MaskSpec = { granularity: 'nm', n: 2, m: 4 };
 * ```
 */
export interface MaskSpec {
  readonly granularity: Granularity;
  /** Fraction removed, in [0, 1) (`layer`, `fan-in`, `row`). */
  readonly sparsity?: number;
  /** N of N:M: weights kept per group (`nm`). */
  readonly n?: number;
  /** M of N:M: group length along the input axis (`nm`). */
  readonly m?: number;
}

/**
 * Python's `round` (halves go to the even neighbour), so kept counts match the VCON reference's
 * `int(round(n·(1−ratio)))` exactly (e.g. 5 weights at 50% keep 2, not 3).
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * How many of `total` scores survive at `sparsity`: `round(total·(1−sparsity))`, half to even.
 *
 * @example
 * ```ts
 * keptCount(36864, 0.9); // 3686 (a 192×192 ViT-Tiny layer, vcon.md §2.1)
 * ```
 */
export function keptCount(total: number, sparsity: number): number {
  return Math.min(total, Math.max(0, roundHalfEven(total * (1 - sparsity))));
}

/**
 * The survival threshold: the `kept`-th largest score, `+Infinity` when nothing survives. A score
 * survives when `score >= threshold`, so ties at the threshold all survive (as the VCON reference).
 *
 * @example
 * ```ts
 * thresholdFor(new Float32Array([0.5, 0.1, 0.3, 0.8]), 2); // 0.5
 * ```
 */
export function thresholdFor(scores: ArrayLike<number>, kept: number): number {
  return kept <= 0 ? Infinity : kthLargest(scores, Math.min(kept, scores.length));
}

/** `|values|` as a new Float32Array. */
export function absValues(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.abs(values[i]);
  return out;
}

/**
 * The magnitude threshold of `global` scope: one threshold over the `|w|` of several weights, so
 * `round(N·(1−s))` survive in total (N = all their elements) and layers of small scale lose more.
 *
 * @example
 * ```ts
 * globalThreshold([new Float32Array([1, -2]), new Float32Array([0.01, 0.02])], 0.5); // 1
 * ```
 */
export function globalThreshold(weights: readonly ArrayLike<number>[], sparsity: number): number {
  const total = weights.reduce((s, w) => s + w.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const w of weights) {
    for (let i = 0; i < w.length; i++) all[at++] = Math.abs(w[i]);
  }
  return thresholdFor(all, keptCount(total, sparsity));
}

/**
 * `1` where `|w| >= threshold`, else `0`, as float32 (ready to upload as a mask tensor).
 *
 * @example
 * ```ts
 * thresholdMask(new Float32Array([0.5, -0.1]), 0.2); // [1, 0]
 * ```
 */
export function thresholdMask(values: ArrayLike<number>, threshold: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.abs(values[i]) >= threshold ? 1 : 0;
  return out;
}

/**
 * L2 norm of every output unit's weights: the columns of an `[in, out]` kernel → `[out]`.
 *
 * @example
 * ```ts
 * columnNorms(new Float32Array([3, 0, 4, 1]), 2, 2); // [5, 1]
 * ```
 */
export function columnNorms(values: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = values[i * cols + j];
      out[j] += v * v;
    }
  }
  for (let j = 0; j < cols; j++) out[j] = Math.sqrt(out[j]);
  return out;
}

/**
 * Checks a sparsity (fraction removed): a finite number in [0, 1). 1 would remove everything.
 *
 * @example
 * ```ts
 * checkSparsity(0.9, 'magnitudePruning'); // 0.9; checkSparsity(1, ...) throws a RangeError
 * ```
 */
export function checkSparsity(s: number | undefined, what: string): number {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s >= 1) {
    throw new RangeError(`${what}: sparsity must be a number in [0, 1), got ${String(s)}`);
  }
  return s;
}

/**
 * Checks N and M of N:M sparsity: integers with 1 ≤ N ≤ M.
 *
 * @example
 * ```ts
 * checkNm(2, 4, 'nmPruning'); // ok; checkNm(5, 4, ...) throws
 * ```
 */
export function checkNm(n: number | undefined, m: number | undefined, what: string): { n: number; m: number } {
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) throw new RangeError(`${what}: M must be an integer >= 1, got ${String(m)}`);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > m) {
    throw new RangeError(`${what}: N must be an integer with 1 <= N <= M (M=${m}), got N=${String(n)}`);
  }
  return { n, m };
}

/**
 * The 0/1 mask of one `[in, out]` weight (row-major values) for a granularity; see
 * {@link Granularity} for the rules. Pure CPU code: the same numbers on every backend.
 *
 * @param values the weight, row-major `[rows, cols]` = `[in, out]`
 * @param shape `[in, out]`
 * @returns float32 0/1, row-major `[in, out]`
 * @example
 * ```ts
 * // VCON test vector (vcon.md §2.6), our [in, out] layout = the transpose of PyTorch's [out, in]
 * const w = new Float32Array([0.5, 0.05, -0.1, 0.2, 0.3, -0.15, -0.8, 0.1]); // [4, 2]
 * magnitudeMask(w, [4, 2], { granularity: 'layer', sparsity: 0.5 }); // [1,0, 0,1, 1,0, 1,0]
 * ```
 */
export function magnitudeMask(values: ArrayLike<number>, shape: readonly [number, number], spec: MaskSpec): Float32Array {
  const [rows, cols] = shape;
  if (values.length !== rows * cols) throw new Error(`magnitudeMask: ${values.length} values do not fit shape [${rows}, ${cols}]`);
  switch (spec.granularity) {
    case 'layer': {
      const s = checkSparsity(spec.sparsity, 'magnitudeMask');
      return thresholdMask(values, thresholdFor(absValues(values), keptCount(values.length, s)));
    }
    case 'fan-in': {
      const s = checkSparsity(spec.sparsity, 'magnitudeMask');
      const kept = keptCount(rows, s);
      const out = new Float32Array(values.length);
      const col = new Float32Array(rows);
      for (let j = 0; j < cols; j++) {
        for (let i = 0; i < rows; i++) col[i] = Math.abs(values[i * cols + j]); // unit j's fan-in
        const t = thresholdFor(col, kept);
        for (let i = 0; i < rows; i++) out[i * cols + j] = col[i] >= t ? 1 : 0;
      }
      return out;
    }
    case 'row': {
      const s = checkSparsity(spec.sparsity, 'magnitudeMask');
      const norms = columnNorms(values, rows, cols); // [out]: one score per output unit
      const t = thresholdFor(norms, keptCount(cols, s));
      const out = new Float32Array(values.length);
      for (let j = 0; j < cols; j++) {
        if (norms[j] < t) continue;
        for (let i = 0; i < rows; i++) out[i * cols + j] = 1; // the whole unit survives
      }
      return out;
    }
    case 'nm': {
      const { n, m } = checkNm(spec.n, spec.m, 'magnitudeMask');
      if (rows % m !== 0) throw new Error(`magnitudeMask: N:M needs the input dim to be a multiple of M=${m}, got shape [${rows}, ${cols}]`);
      const out = new Float32Array(values.length);
      const idx = Array.from({ length: m }, (_, k) => k);
      for (let j = 0; j < cols; j++) {
        for (let g = 0; g < rows; g += m) {
          // Exactly N per group (the sparse format needs it): sort the group's M offsets by |w|
          // descending, the lower index first on ties, and keep the first N.
          const score = (k: number) => Math.abs(values[(g + k) * cols + j]);
          idx.sort((a, b) => score(b) - score(a) || a - b);
          for (let k = 0; k < n; k++) out[(g + idx[k]) * cols + j] = 1;
        }
      }
      return out;
    }
    default:
      throw new Error(`magnitudeMask: unknown granularity '${String((spec as MaskSpec).granularity)}' (known: ${GRANULARITIES.join(', ')})`);
  }
}
