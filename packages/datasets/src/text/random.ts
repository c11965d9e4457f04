/**
 * A small seedable PRNG (mulberry32, the same generator as `@acn/core`'s `Rng`) so that MLM
 * masking and corpus shuffling are reproducible without a tfjs dependency.
 *
 * @example
 * ```ts
 * const rng = new TextRng(42);
 * rng.next(); // uniform in [0, 1)
 * rng.int(10); // uniform integer in [0, 10)
 * ```
 */
export class TextRng {
  private s: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    // Mix the seed once so that nearby seeds give unrelated streams (as core's Rng does).
    this.s = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** The full generator state (a uint32); `TextRng.fromState(state)` continues the stream. */
  get state(): number {
    return this.s;
  }

  /** Restores a generator from `rng.state`. */
  static fromState(state: number): TextRng {
    const r = new TextRng(0);
    r.s = state >>> 0;
    return r;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
