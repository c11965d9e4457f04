/**
 * Shared by the fuzz suites of every package (`src/**\/fuzz.test.ts`, property-based with
 * `fast-check`): one case of "any input either decodes to a well-formed value or throws one of our
 * coded errors, quickly". No imports, so each package brings its own `fast-check`.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(fc.uint8Array(), decodeCase('idx', readIdx, (e) => e instanceof DatasetError, checkIdx, counts)), { numRuns: FUZZ_RUNS });
 * ```
 */

/** Cases per property: `ACN_FUZZ_RUNS` (default 200, e.g. 20000 for a long run). */
export const FUZZ_RUNS = Number(process.env.ACN_FUZZ_RUNS ?? 200);

/** A case slower than this (ms) counts as a hang: inputs are a few KB at most. */
export const FUZZ_CASE_MS = 1000;

/**
 * The predicate of one fuzz case: runs `decode(x)`; a throw must satisfy `isCoded` (else the case
 * fails naming the raw error), a value must pass `check`; either way within {@link FUZZ_CASE_MS}.
 * Counts the cases run under `counts[name]`.
 */
export function decodeCase<T, V>(
  name: string,
  decode: (x: T) => V,
  isCoded: (e: unknown) => boolean,
  check: (value: V, x: T) => void,
  counts: Record<string, number>,
): (x: T) => void {
  return (x) => {
    counts[name] = (counts[name] ?? 0) + 1;
    const t0 = performance.now();
    let value: V;
    try {
      value = decode(x);
    } catch (e) {
      if (!isCoded(e)) throw new Error(`${name}: raw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      return;
    } finally {
      const ms = performance.now() - t0;
      if (ms > FUZZ_CASE_MS) throw new Error(`${name}: one case took ${ms.toFixed(0)} ms (limit ${FUZZ_CASE_MS})`);
    }
    check(value, x);
  };
}
