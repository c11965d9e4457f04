/**
 * A small, fast, seedable PRNG (mulberry32) whose whole state is one uint32, so it can be saved in
 * a checkpoint and restored exactly (resume reproduces the uninterrupted run).
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const order = rng.permutation(10);   // seeded shuffle
 * const seed = rng.nextSeed();         // a seed for a tfjs random op
 * const saved = rng.state; const again = Rng.fromState(saved);
 * ```
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    // Mix the seed once so that nearby seeds (0, 1, 2) give unrelated streams.
    this.s = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Restores a generator from `rng.state`. */
  static fromState(state: number): Rng {
    const r = new Rng(0);
    r.s = state >>> 0;
    return r;
  }

  /** The full generator state (a uint32). */
  get state(): number {
    return this.s;
  }

  /** Next uint32. */
  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A seed for a tfjs random op (tfjs seeds its own alea generator from it). */
  nextSeed(): number {
    return this.nextUint32();
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
