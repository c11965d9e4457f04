/**
 * Small numeric helpers for the per-epoch matrices of the analysis trackers.
 */

/**
 * Transposes a rectangular matrix (e.g. epochs × layers → layers × epochs for a heatmap whose
 * rows are layers, as in acn.md §4.4). An empty matrix stays empty.
 *
 * @example
 * ```ts
 * transpose([[1, 2, 3], [4, 5, 6]]); // [[1, 4], [2, 5], [3, 6]]
 * ```
 */
export function transpose(m: readonly (readonly number[])[]): number[][] {
  if (m.length === 0) return [];
  const cols = m[0].length;
  if (m.some((r) => r.length !== cols)) throw new RangeError('transpose: rows have different lengths');
  return Array.from({ length: cols }, (_, j) => m.map((r) => r[j]));
}

/**
 * Running per-column sums that skip NaN (an undefined value at one step, e.g. a cosine with a zero
 * gradient, must not poison the epoch mean). A column with no finite sample averages to NaN.
 *
 * @example
 * ```ts
 * const acc = new ColumnMeans(2);
 * acc.add([1, NaN]); acc.add([3, 4]);
 * acc.means(); // [2, 4]
 * ```
 */
export class ColumnMeans {
  private sums: number[];
  private counts: number[];
  /** Number of rows added since the last reset (NaN entries included). */
  rows = 0;

  constructor(readonly width: number) {
    this.sums = new Array<number>(width).fill(0);
    this.counts = new Array<number>(width).fill(0);
  }

  add(row: readonly number[]): void {
    if (row.length !== this.width) throw new RangeError(`expected ${this.width} values, got ${row.length}`);
    row.forEach((v, j) => {
      if (Number.isNaN(v)) return;
      this.sums[j] += v;
      this.counts[j] += 1;
    });
    this.rows += 1;
  }

  means(): number[] {
    return this.sums.map((s, j) => (this.counts[j] > 0 ? s / this.counts[j] : NaN));
  }

  reset(): void {
    this.sums.fill(0);
    this.counts.fill(0);
    this.rows = 0;
  }
}
