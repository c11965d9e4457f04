/*
 * Order statistics on the CPU. Masks are built outside the differentiated path (vcon.md §6.3), so
 * the threshold search runs in plain JS on the downloaded values: exact, backend-independent and
 * O(n) (quickselect) instead of the O(n log n) of a full sort or a `tf.topk` with a huge k.
 */

/**
 * The k-th largest value of `values` (k = 1 is the maximum, k = length the minimum), by
 * quickselect on a copy (the input is not reordered). NaN counts as the smallest value.
 *
 * @param values the scores, e.g. `|W|` flattened
 * @param k 1 ≤ k ≤ values.length
 * @example
 * ```ts
 * kthLargest(new Float32Array([0.5, 0.1, 0.3, 0.8]), 2); // 0.5
 * ```
 */
export function kthLargest(values: ArrayLike<number>, k: number): number {
  const n = values.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kthLargest: k must be an integer in [1, ${n}], got ${k}`);
  // Float64 copy: exact for float32 inputs, and NaN mapped to -Infinity so comparisons are total.
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    a[i] = Number.isNaN(v) ? -Infinity : v;
  }
  // Find the element that would sit at index `target` of the descending order.
  const target = k - 1;
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    // Median of three as pivot keeps sorted and reversed inputs O(n).
    const mid = (lo + hi) >>> 1;
    const pivot = median3(a[lo], a[mid], a[hi]);
    // Three-way partition (descending): [lo, lt) > pivot, [lt, gt] == pivot, (gt, hi] < pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i];
      if (v > pivot) {
        a[i] = a[lt];
        a[lt] = v;
        lt++;
        i++;
      } else if (v < pivot) {
        a[i] = a[gt];
        a[gt] = v;
        gt--;
      } else {
        i++;
      }
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return pivot; // many equal values (ties) end here quickly
  }
  return a[target];
}

function median3(x: number, y: number, z: number): number {
  if (x > y) [x, y] = [y, x];
  if (y > z) y = z;
  return x > y ? x : y;
}
