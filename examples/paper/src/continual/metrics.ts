/**
 * Continual-learning summary metrics (acn.md §5.6) from an accuracy matrix `R[i][j]` = accuracy on
 * task j after training task i (T × T, fractions).
 */

/**
 * Average accuracy over all tasks after the last one: mean_j R[T−1][j].
 *
 * @example
 * ```ts
 * averageAccuracy([[0.9, 0.5], [0.6, 0.95]]); // 0.775
 * ```
 */
export function averageAccuracy(r: readonly (readonly number[])[]): number {
  checkSquare(r);
  const last = r[r.length - 1];
  return last.reduce((a, b) => a + b, 0) / last.length;
}

/**
 * Average forgetting: mean over tasks j < T−1 of (accuracy right after learning j − final accuracy
 * on j) = mean_j (R[j][j] − R[T−1][j]). The last task cannot have been forgotten and is left out;
 * 0 for a single task.
 *
 * @example
 * ```ts
 * averageForgetting([[0.9, 0.5], [0.6, 0.95]]); // 0.3
 * ```
 */
export function averageForgetting(r: readonly (readonly number[])[]): number {
  checkSquare(r);
  const T = r.length;
  if (T < 2) return 0;
  let s = 0;
  for (let j = 0; j < T - 1; j++) s += r[j][j] - r[T - 1][j];
  return s / (T - 1);
}

function checkSquare(r: readonly (readonly number[])[]): void {
  if (r.length === 0 || r.some((row) => row.length !== r.length)) throw new RangeError(`continual metrics: need a square T × T accuracy matrix, got ${r.length} rows of lengths ${r.map((x) => x.length).join(', ')}`);
}
