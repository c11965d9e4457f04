/**
 * Rank selection for a `[in, out]` kernel: a fixed rank, a fraction of `min(in, out)`, or the
 * smallest rank that keeps a share of the spectral energy. A rank that does not make the layer
 * cheaper (`r·(in + out) ≥ in·out`, Composer's `factorizing_could_speedup` check) is refused
 * unless forced: factoring would then only cost accuracy.
 */

/**
 * How to pick the rank r of one layer:
 * - a number: that rank;
 * - `{ fraction }` in (0, 1]: `max(1, round(fraction · min(in, out)))`;
 * - `{ energy }` in (0, 1]: the smallest r with `Σ_{i≤r} s_i² / Σ s_i² ≥ energy` (the share of
 *   `‖K‖²_F` kept by the truncation).
 *
 * @example
 * ```ts
 * const specs: RankSpec[] = [16, { fraction: 0.25 }, { energy: 0.95 }];
 * ```
 */
export type RankSpec = number | { readonly fraction: number } | { readonly energy: number };

/**
 * Options of {@link selectRank}.
 *
 * @example
 * ```ts
 * const o: SelectRankOptions = { layer: 'blocks.0.channelMlp.fc1', force: false };
 * ```
 */
export interface SelectRankOptions {
  /** Layer path shown in errors. */
  readonly layer?: string;
  /** Accept a rank that does not reduce FLOPs (default false). Out-of-range ranks are always errors. */
  readonly force?: boolean;
}

/** Shown in messages: `rank 3` or `rank 3 (from energy 0.9)`. */
function describe(spec: RankSpec, r: number): string {
  if (typeof spec === 'number') return `rank ${r}`;
  return 'fraction' in spec ? `rank ${r} (from fraction ${spec.fraction})` : `rank ${r} (from energy ${spec.energy})`;
}

/**
 * Checks a rank spec on its own (before any layer is seen): an integer ≥ 1, or a fraction /
 * energy in (0, 1]. Throws a `RangeError` naming the value.
 *
 * @example
 * ```ts
 * validateRankSpec({ energy: 1.5 }); // throws: energy must be in (0, 1]
 * ```
 */
export function validateRankSpec(spec: RankSpec): void {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 1) throw new RangeError(`low rank: rank must be an integer >= 1, got ${spec}`);
    return;
  }
  if (spec && typeof spec === 'object' && 'fraction' in spec) {
    if (!(spec.fraction > 0 && spec.fraction <= 1)) throw new RangeError(`low rank: fraction must be in (0, 1], got ${spec.fraction}`);
    return;
  }
  if (spec && typeof spec === 'object' && 'energy' in spec) {
    if (!(spec.energy > 0 && spec.energy <= 1)) throw new RangeError(`low rank: energy must be in (0, 1], got ${spec.energy}`);
    return;
  }
  throw new RangeError(`low rank: rank must be a number, { fraction } or { energy }, got ${JSON.stringify(spec)}`);
}

/**
 * The largest rank that still reduces a `[in, out]` dense layer's matmul FLOPs and parameters,
 * i.e. the largest integer r with `r·(in + out) < in·out`; 0 when none does (e.g. `in = 1`).
 * The real-valued break-even point is `in·out / (in + out)`.
 *
 * @example
 * ```ts
 * maxReducingRank(8, 16); // 5 (5·24 = 120 < 128, 6·24 = 144 ≥ 128)
 * ```
 */
export function maxReducingRank(inDim: number, outDim: number): number {
  return Math.max(0, Math.ceil((inDim * outDim) / (inDim + outDim)) - 1);
}

/**
 * The rank a spec gives for a `[in, out]` kernel with singular values `s` (descending; only read
 * for `{ energy }`), checked: it must lie in `[1, min(in, out)]` and, unless `force`, reduce FLOPs.
 * Errors name the layer, the shape, the rank and the break-even rank.
 *
 * @example
 * ```ts
 * selectRank({ energy: 0.9 }, [4, 2, 1], 3, 3, { force: true }); // 2: (16 + 4) / 21 ≥ 0.9
 * selectRank(2, [], 8, 16); // 2
 * ```
 */
export function selectRank(spec: RankSpec, s: ArrayLike<number>, inDim: number, outDim: number, options: SelectRankOptions = {}): number {
  validateRankSpec(spec);
  const k = Math.min(inDim, outDim);
  const where = `layer ${options.layer ?? '?'} with kernel [${inDim}, ${outDim}]`;
  let r: number;
  if (typeof spec === 'number') {
    r = spec;
  } else if ('fraction' in spec) {
    r = Math.max(1, Math.round(spec.fraction * k));
  } else {
    if (s.length < k) throw new RangeError(`low rank: energy selection on ${where} needs ${k} singular values, got ${s.length}`);
    let total = 0;
    for (let i = 0; i < k; i++) total += s[i] * s[i];
    r = k;
    let kept = 0;
    for (let i = 0; i < k; i++) {
      kept += s[i] * s[i];
      // Relative slack so that energy = 1 is reached at the last non-zero value despite rounding.
      if (kept >= spec.energy * total * (1 - 1e-12)) {
        r = i + 1;
        break;
      }
    }
  }
  if (r < 1 || r > k) {
    throw new RangeError(`low rank: ${describe(spec, r)} is out of range for ${where}: it must be in [1, ${k}] (min(in, out))`);
  }
  if (!options.force && r * (inDim + outDim) >= inDim * outDim) {
    const be = (inDim * outDim) / (inDim + outDim);
    const best = maxReducingRank(inDim, outDim);
    const hint = best >= 1 ? `use a rank <= ${best}` : 'no rank reduces FLOPs for this shape';
    throw new RangeError(
      `low rank: ${describe(spec, r)} does not reduce FLOPs for ${where}: r·(in + out) = ${r * (inDim + outDim)} >= in·out = ${inDim * outDim} ` +
        `(break-even rank in·out/(in + out) = ${Number(be.toFixed(3))}); ${hint}, or pass force: true`,
    );
  }
  return r;
}
