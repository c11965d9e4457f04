import { tf, type Tensor, type Variable } from '../tf';

/** Hyper-parameters of `AdamW` (PyTorch defaults). */
export interface AdamWOptions {
  /** β1, default 0.9. */
  readonly beta1?: number;
  /** β2, default 0.999. */
  readonly beta2?: number;
  /** ε, default 1e-8. */
  readonly epsilon?: number;
  /** Decoupled weight decay λ, default 0.01 (acn.md §6: on all parameters). 0 gives plain Adam. */
  readonly weightDecay?: number;
  /** Which parameters decay (by dotted path). Default: all. */
  readonly decay?: (path: string) => boolean;
}

/** Serializable optimizer state: step count and the two moments by parameter path. */
export interface AdamWState {
  readonly step: number;
  readonly m: Record<string, Tensor>;
  readonly v: Record<string, Tensor>;
}

/**
 * AdamW with decoupled weight decay, PyTorch semantics (tfjs has none):
 * `θ ← θ·(1 − lr·λ) − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)`.
 * Parameters are addressed by dotted path so state survives checkpoints and truncation.
 *
 * @example
 * ```ts
 * const opt = new AdamW({ weightDecay: 0.01 });
 * opt.apply(model.namedWeights(), grads, 1e-3);
 * ```
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly decay: (path: string) => boolean;
  private t = 0;
  private readonly m = new Map<string, Variable>();
  private readonly v = new Map<string, Variable>();

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.decay = options.decay ?? (() => true);
    for (const [k, x] of Object.entries({ beta1: this.beta1, beta2: this.beta2 })) {
      if (!(x >= 0 && x < 1)) throw new RangeError(`AdamW: ${k} must be in [0, 1), got ${x}`);
    }
    if (!(this.epsilon > 0)) throw new RangeError(`AdamW: epsilon must be > 0, got ${this.epsilon}`);
    if (!(this.weightDecay >= 0)) throw new RangeError(`AdamW: weightDecay must be >= 0, got ${this.weightDecay}`);
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.t;
  }

  /**
   * One update of every parameter that has a gradient. `grads` are not disposed (the caller owns
   * them).
   */
  apply(params: Record<string, Variable>, grads: Record<string, Tensor>, lr: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`AdamW: learning rate must be a finite number >= 0, got ${lr}`);
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    const stepSize = lr / bc1;
    for (const [path, g] of Object.entries(grads)) {
      const p = params[path];
      if (!p) throw new Error(`AdamW: gradient for unknown parameter '${path}'`);
      if (p.shape.join() !== g.shape.join()) {
        throw new Error(`AdamW: gradient of '${path}' has shape ${JSON.stringify(g.shape)}, parameter has ${JSON.stringify(p.shape)}`);
      }
      const m = this.moment(this.m, path, p);
      const v = this.moment(this.v, path, p);
      tf.tidy(() => {
        const m1 = m.mul(this.beta1).add(g.mul(1 - this.beta1));
        const v1 = v.mul(this.beta2).add(tf.square(g).mul(1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        const denom = tf.sqrt(v1).div(Math.sqrt(bc2)).add(this.epsilon);
        const decayed = this.weightDecay > 0 && this.decay(path) ? p.mul(1 - lr * this.weightDecay) : p;
        p.assign(decayed.sub(m1.div(denom).mul(stepSize)));
      });
    }
  }

  /** A copy of the state (new tensors, the caller disposes them). */
  getState(): AdamWState {
    const copy = (src: Map<string, Variable>) => Object.fromEntries([...src].map(([k, x]) => [k, x.clone()]));
    return { step: this.t, m: copy(this.m), v: copy(this.v) };
  }

  /** Replaces the state (copies the given tensors). */
  setState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`AdamW state: step must be an integer >= 0, got ${state.step}`);
    this.disposeMoments();
    this.t = state.step;
    for (const [k, x] of Object.entries(state.m)) this.m.set(k, ownedVariable(x.clone()));
    for (const [k, x] of Object.entries(state.v)) this.v.set(k, ownedVariable(x.clone()));
  }

  /** Frees the moment tensors. */
  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const x of this.m.values()) x.dispose();
    for (const x of this.v.values()) x.dispose();
    this.m.clear();
    this.v.clear();
  }

  private moment(store: Map<string, Variable>, path: string, like: Variable): Variable {
    let x = store.get(path);
    if (!x) {
      x = ownedVariable(tf.zerosLike(like));
      store.set(path, x);
    }
    return x;
  }
}

/** A non-trainable variable that takes ownership of `init` (no stray tensor left behind). */
function ownedVariable(init: Tensor): Variable {
  const v = tf.variable(init, false);
  init.dispose();
  return v;
}
