/*
 * A realistic two-run results file for the report tests (not exported from the package).
 */
import type { AutoCompressionResults } from './schema';

/** Deterministic pseudo-random in [0, 1) (no Math.random in tests). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (1664525 * s + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Two runs (acn and residual), depth `depth`, `epochs` epochs, with every optional section filled for acn. */
export function sampleResults(depth = 4, epochs = 6): AutoCompressionResults {
  const r = lcg(7);
  const grad = (decay: number) => Array.from({ length: epochs }, (_, e) => Array.from({ length: depth }, (_, i) => Math.exp(-decay * i - 0.2 * e) * (0.8 + 0.4 * r())));
  const acnProbe = Array.from({ length: depth + 1 }, (_, k) => Math.min(0.9, 0.2 + 0.25 * k));
  const resProbe = Array.from({ length: depth + 1 }, (_, k) => (k === depth ? 0.88 : 0.1 + 0.02 * k));
  return {
    dataset: 'synthetic <b>bold</b> & co',
    trainSize: 1000,
    testSize: 200,
    seed: 3,
    notes: 'tiny run for tests',
    runs: [
      {
        connectivity: 'acn',
        depth,
        epochs,
        testAccuracy: acnProbe[depth],
        probeAccuracy: acnProbe,
        cutoffLayer: 3,
        params: 120_000,
        flops: 24_000_000,
        gradNorms: grad(0.6),
        probeHistory: Array.from({ length: epochs }, (_, e) => acnProbe.map((a) => a * (0.5 + (0.5 * (e + 1)) / epochs))),
        contribution: Array.from({ length: depth }, (_, i) => Array.from({ length: epochs }, (_, e) => (i === 0 ? 0.3 : 0.004 * (e - i)))),
        dgfg: {
          cosine: Array.from({ length: epochs }, () => Array.from({ length: depth }, (_, i) => 1 - (0.8 * i) / depth)),
          normRatio: Array.from({ length: epochs }, () => Array.from({ length: depth }, (_, i) => 1 / (1 + i))),
        },
        truncated: { layers: 3, testAccuracy: 0.89, params: 95_000, flops: 18_500_000, bytes: 380_000, latencyMs: { batch1: 1.5, batch128: 40 } },
        full: { bytes: 480_000, latencyMs: { batch1: 2, batch128: 52 } },
        config: { hiddenDim: 64 },
        durationSeconds: 12,
      },
      {
        connectivity: 'residual',
        depth,
        epochs,
        testAccuracy: 0.88,
        probeAccuracy: resProbe,
        cutoffLayer: depth,
        params: 120_000,
        flops: 24_000_000,
        gradNorms: grad(0.05),
      },
    ],
  };
}
