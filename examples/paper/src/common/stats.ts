/** Per-seed values with their mean and sample standard deviation (n − 1; 0 for a single value). */
export interface Summary {
  readonly values: number[];
  readonly mean: number;
  readonly std: number;
}

/**
 * Mean and sample standard deviation (Bessel-corrected) of per-seed values.
 *
 * @example
 * ```ts
 * summarize([1, 2, 3]); // { values: [1, 2, 3], mean: 2, std: 1 }
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: no values');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`summarize: value at index ${bad} is not finite (${values[bad]})`);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { values: [...values], mean, std };
}

/**
 * Element-wise mean of equally shaped matrices (e.g. one layer × epoch heatmap per seed); `null`
 * cells (undefined metrics) are skipped, a cell with no value stays `null`.
 *
 * @example
 * ```ts
 * meanMatrix([[[1, 2]], [[3, null]]]); // [[2, 2]]
 * ```
 */
export function meanMatrix(ms: readonly (readonly (readonly (number | null)[])[])[]): (number | null)[][] {
  if (ms.length === 0) return [];
  return ms[0].map((row, i) =>
    row.map((_, j) => {
      const vs = ms.map((m) => m[i]?.[j]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0) / vs.length;
    }),
  );
}

/** Element-wise mean of equally long curves (one per seed). */
export function meanCurve(curves: readonly (readonly number[])[]): number[] {
  return meanMatrix([...curves.map((c) => [c])]).flat().map((v) => v ?? Number.NaN);
}

/**
 * The binomial standard error of an accuracy `p` measured on `n` test samples, √(p(1−p)/n): the
 * noise floor of a single run that the seeds' std sits on top of.
 *
 * @example
 * ```ts
 * binomialStdError(0.8, 1000); // ≈ 0.0126
 * ```
 */
export function binomialStdError(p: number, n: number): number {
  if (!(n > 0)) throw new RangeError(`binomialStdError: n must be > 0, got ${n}`);
  return Math.sqrt(Math.max(0, p * (1 - p)) / n);
}
