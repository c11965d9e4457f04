/**
 * Synaptic Intelligence (Zenke, Poole & Ganguli, ICML 2017), the regulariser of the paper's
 * continual-learning table (acn.md §5.6, λ = 1, ξ not given). As a trainer callback it accumulates,
 * per parameter, the path integral ω_k += −g_k·Δθ_k over the optimizer steps of a task
 * (g = the step's raw gradient, Δθ = the step's actual parameter change); `consolidate()` at the
 * end of a task turns it into the importance Ω_k += ω_k / ((θ_k(end) − θ_k(start))² + ξ) and
 * anchors θ* = θ(end); `penalty()` is λ·Σ_k Ω_k·(θ_k − θ*_k)², added to the loss of later tasks.
 */
import { tf, type EpochSummary, type GradientsEvent, type Tensor, type TrainerCallbacks, type Variable } from '@acn/core';

/** Options of {@link SynapticIntelligence}. */
export interface SiOptions {
  /** Strength λ (the paper's c); default 1 (acn.md §5.6). */
  readonly lambda?: number;
  /** Damping ξ of the importance denominator; default 0.1 (Zenke et al.'s value; the paper does not state it). */
  readonly xi?: number;
}

type Named = Record<string, Tensor>;

function cloneAll(params: Readonly<Record<string, Variable | Tensor>>): Named {
  const out: Named = {};
  for (const [p, v] of Object.entries(params)) out[p] = tf.clone(v);
  return out;
}

/**
 * SI state for one model's trainable parameters. Use it as a trainer callback while training a
 * task, call `consolidate()` after the task, and add `penalty()` to the loss of later tasks
 * (`extraLoss: () => si.penalty()`). Call `dispose()` when done.
 *
 * @example
 * ```ts
 * const si = new SynapticIntelligence(model.namedWeights(), { lambda: 1, xi: 0.1 });
 * for (const task of tasks) {
 *   await train(model, task, { epochs: 3, callbacks: [si], extraLoss: () => si.penalty() });
 *   si.consolidate();
 * }
 * si.dispose();
 * ```
 */
export class SynapticIntelligence implements TrainerCallbacks {
  readonly lambda: number;
  readonly xi: number;
  private readonly params: Record<string, Variable>;
  private omega: Named;
  private bigOmega: Named;
  private anchor: Named;
  private taskStart: Named;
  private before?: Named;
  private grads?: Named;
  private consolidations = 0;

  constructor(params: Readonly<Record<string, Variable>>, options: SiOptions = {}) {
    this.lambda = options.lambda ?? 1;
    this.xi = options.xi ?? 0.1;
    if (!(Number.isFinite(this.lambda) && this.lambda >= 0)) throw new RangeError(`SynapticIntelligence: lambda must be a finite number >= 0, got ${options.lambda}`);
    if (!(Number.isFinite(this.xi) && this.xi > 0)) throw new RangeError(`SynapticIntelligence: xi must be a finite number > 0, got ${options.xi}`);
    this.params = Object.fromEntries(Object.entries(params).filter(([, v]) => v.trainable));
    if (Object.keys(this.params).length === 0) throw new RangeError('SynapticIntelligence: no trainable parameters');
    this.omega = this.zeros();
    this.bigOmega = this.zeros();
    this.anchor = cloneAll(this.params);
    this.taskStart = cloneAll(this.params);
  }

  private zeros(): Named {
    const out: Named = {};
    for (const [p, v] of Object.entries(this.params)) out[p] = tf.zerosLike(v);
    return out;
  }

  /** Trainer hook: remembers θ before the step. */
  onStepBegin(): void {
    if (this.before) tf.dispose(Object.values(this.before));
    this.before = cloneAll(this.params);
  }

  /** Trainer hook: keeps a copy of this step's raw gradients (the event's tensors are freed after it). */
  onGradients(e: GradientsEvent): void {
    if (this.grads) tf.dispose(Object.values(this.grads));
    const g: Named = {};
    for (const p of Object.keys(this.params)) {
      const t = e.grads[p];
      if (t) g[p] = tf.clone(t);
    }
    this.grads = g;
  }

  /** Trainer hook: ω += −g·(θ_after − θ_before). */
  onStepEnd(): void {
    if (this.before && this.grads) {
      for (const [p, v] of Object.entries(this.params)) {
        const g = this.grads[p];
        if (!g) continue;
        const next = tf.tidy(() => this.omega[p].sub(g.mul(v.sub(this.before![p]))));
        this.omega[p].dispose();
        this.omega[p] = next;
      }
    }
    if (this.before) tf.dispose(Object.values(this.before));
    if (this.grads) tf.dispose(Object.values(this.grads));
    this.before = undefined;
    this.grads = undefined;
  }

  /** Not needed per epoch; present so the object reads as a full callback set. */
  onEpochEnd(_e: EpochSummary): void {}

  /** End of a task: Ω += ω / ((θ − θ_start)² + ξ), then ω = 0 and θ* = θ_start = θ. */
  consolidate(): void {
    for (const [p, v] of Object.entries(this.params)) {
      const next = tf.tidy(() => this.bigOmega[p].add(this.omega[p].div(v.sub(this.taskStart[p]).square().add(this.xi))));
      this.bigOmega[p].dispose();
      this.bigOmega[p] = next;
    }
    tf.dispose([...Object.values(this.omega), ...Object.values(this.anchor), ...Object.values(this.taskStart)]);
    this.omega = this.zeros();
    this.anchor = cloneAll(this.params);
    this.taskStart = cloneAll(this.params);
    this.consolidations += 1;
  }

  /** λ·Σ_k Ω_k·(θ_k − θ*_k)² as a scalar (0 before the first consolidation); differentiable in θ. */
  penalty(): Tensor {
    return tf.tidy(() => {
      if (this.consolidations === 0 || this.lambda === 0) return tf.scalar(0);
      let total: Tensor = tf.scalar(0);
      for (const [p, v] of Object.entries(this.params)) total = total.add(this.bigOmega[p].mul(v.sub(this.anchor[p]).square()).sum());
      return total.mul(this.lambda);
    });
  }

  /** Current path integral ω and importance Ω of one parameter, as flat arrays (for tests and reports). */
  state(path: string): { omega: number[]; importance: number[] } {
    if (!this.params[path]) throw new Error(`SynapticIntelligence: no trainable parameter '${path}'`);
    return { omega: Array.from(this.omega[path].dataSync()), importance: Array.from(this.bigOmega[path].dataSync()) };
  }

  /** Frees every tensor this object holds. */
  dispose(): void {
    tf.dispose([...Object.values(this.omega), ...Object.values(this.bigOmega), ...Object.values(this.anchor), ...Object.values(this.taskStart)]);
    if (this.before) tf.dispose(Object.values(this.before));
    if (this.grads) tf.dispose(Object.values(this.grads));
  }
}
