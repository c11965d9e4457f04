/**
 * Exit policies: pure decisions on class probabilities (acn.md §3.5 inference rule, PABEE's
 * patience, MSDNet-style confidence, static exits). A policy never touches tensors, so it can be
 * tested on hand-made numbers and replayed offline on stored probabilities (calibration sweeps).
 */

/**
 * Which rule a policy applies.
 *
 * @example
 * ```ts
 * const kind: ExitPolicyKind = entropyPolicy({ tau: 0.7 }).kind; // 'entropy'
 * ```
 */
export type ExitPolicyKind = 'entropy' | 'max-prob' | 'patience' | 'static';

/**
 * A threshold for every exit, or one per intermediate exit (in exit order; the final exit always stops).
 *
 * @example
 * ```ts
 * const perExit: Threshold = [0.3, 0.5, 0.7]; // 3 branches, then the final exit
 * ```
 */
export type Threshold = number | readonly number[];

/**
 * What a policy sees at one exit: the probabilities of the rows that are still running.
 *
 * @example
 * ```ts
 * const input: ExitInput = { probs: new Float32Array([0.9, 0.1]), numClasses: 2, ids: [0], layer: 3, exitIndex: 1, numExits: 4 };
 * ```
 */
export interface ExitInput {
  /** `rows × numClasses` softmax probabilities, row-major. */
  readonly probs: Float32Array;
  readonly numClasses: number;
  /** Original sample index of every row (rows that exited earlier are gone). */
  readonly ids: ArrayLike<number>;
  /** Blocks executed before this exit (0 = embedding only, L = full model). */
  readonly layer: number;
  /** Position of this exit in the exit list. */
  readonly exitIndex: number;
  /** Number of exits, the final one included. */
  readonly numExits: number;
}

/**
 * Per-run state of a policy (patience keeps the last prediction and a counter per sample).
 *
 * @example
 * ```ts
 * const state: ExitState = patiencePolicy({ patience: 2 }).createState(128);
 * ```
 */
export interface ExitState {
  readonly prev?: Int32Array;
  readonly count?: Int32Array;
}

/**
 * An exit policy. `decide` returns 1 for rows that stop at this exit; the caller makes every row
 * stop at the final exit whatever the policy says, and skips exits below `minLayer` entirely
 * (their logits are not even computed, so they cost nothing).
 *
 * @example
 * ```ts
 * const p: ExitPolicy = entropyPolicy({ tau: 0.7 });
 * p.label; // 'entropy<=0.7'
 * ```
 */
export interface ExitPolicy {
  readonly kind: ExitPolicyKind;
  /** Short description for reports, e.g. `entropy<=0.7`, `max-prob>=0.9,min-layer=2`. */
  readonly label: string;
  /** The threshold as given (τ, p, patience or the static layer). */
  readonly threshold: Threshold;
  /** Exits at fewer executed blocks than this are skipped (not evaluated, not charged). */
  readonly minLayer: number;
  /** Fresh state for a run over `n` samples. */
  createState(n: number): ExitState;
  /** 1 for every row that stops at this exit, 0 otherwise. */
  decide(input: ExitInput, state: ExitState): Uint8Array;
}

/**
 * Options shared by every policy.
 *
 * @example
 * ```ts
 * const base: PolicyBaseOptions = { minLayer: 2 };
 * ```
 */
export interface PolicyBaseOptions {
  /** Smallest number of executed blocks at which a sample may exit. Default 0 (the embedding-only exit counts, as in the repository). */
  readonly minLayer?: number;
}

/**
 * Smoothing inside the log of the entropy, as in the repository (`p·log(p + 1e-12)`).
 *
 * @example
 * ```ts
 * const h = -p * Math.log(p + ENTROPY_EPS);
 * ```
 */
export const ENTROPY_EPS = 1e-12;

function checkMinLayer(who: string, minLayer: number): number {
  if (!Number.isInteger(minLayer) || minLayer < 0) throw new RangeError(`${who}: minLayer must be an integer >= 0, got ${String(minLayer)}`);
  return minLayer;
}

function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/**
 * Validates a scalar or per-exit threshold with `check`, naming the policy, the option and the
 * position of a bad entry.
 */
function checkThreshold(who: string, name: string, t: Threshold, check: (v: number) => boolean, rule: string): Threshold {
  if (typeof t === 'number') {
    if (!check(t)) throw new RangeError(`${who}: ${name} must be ${rule}, got ${describe(t)}`);
    return t;
  }
  if (!Array.isArray(t) || t.length === 0) throw new RangeError(`${who}: ${name} must be a number or a non-empty array of numbers, got ${describe(t)}`);
  t.forEach((v, i) => {
    if (typeof v !== 'number' || !check(v)) throw new RangeError(`${who}: ${name}[${i}] must be ${rule}, got ${describe(v)}`);
  });
  return Object.freeze([...t]);
}

/** The threshold that applies at exit `exitIndex` (per-exit arrays are checked against the exit count here). */
function thresholdAt(who: string, t: Threshold, exitIndex: number, numExits: number): number {
  if (typeof t === 'number') return t;
  if (t.length !== numExits - 1) {
    throw new RangeError(`${who}: got ${t.length} per-exit thresholds for ${numExits - 1} intermediate exits (${numExits} exits in all; the final one always stops)`);
  }
  return t[exitIndex];
}

function label(base: string, minLayer: number): string {
  return minLayer > 0 ? `${base},min-layer=${minLayer}` : base;
}

function thresholdText(t: Threshold): string {
  return typeof t === 'number' ? String(t) : `[${t.join(',')}]`;
}

/**
 * Shannon entropy (natural log) of one probability row, `−Σ p·log(p + 1e-12)`.
 *
 * @example
 * ```ts
 * entropy(new Float32Array([0.5, 0.5])); // ln 2 ≈ 0.693
 * ```
 */
export function entropy(probs: ArrayLike<number>, offset = 0, numClasses = probs.length - offset): number {
  let h = 0;
  for (let c = 0; c < numClasses; c++) {
    const p = probs[offset + c];
    h -= p * Math.log(p + ENTROPY_EPS);
  }
  return h;
}

/**
 * Largest probability and its class of one row (the first class on ties, like `tf.argMax`).
 *
 * @example
 * ```ts
 * argMaxRow(new Float32Array([0.2, 0.7, 0.1])); // { index: 1, value: 0.7 }
 * ```
 */
export function argMaxRow(probs: ArrayLike<number>, offset = 0, numClasses = probs.length - offset): { index: number; value: number } {
  let index = 0;
  let value = probs[offset];
  for (let c = 1; c < numClasses; c++) {
    if (probs[offset + c] > value) {
      value = probs[offset + c];
      index = c;
    }
  }
  return { index, value };
}

/**
 * Options of {@link entropyPolicy}.
 *
 * @example
 * ```ts
 * const opts: EntropyPolicyOptions = { tau: 0.7, minLayer: 1 };
 * ```
 */
export interface EntropyPolicyOptions extends PolicyBaseOptions {
  /** Exit when the entropy (natural log) is at most τ; a number for every exit or one per intermediate exit. τ ≥ 0 (acn.md: 0.7). */
  readonly tau: Threshold;
}

/**
 * The acn.md §3.5 rule (BranchyNet, DeeBERT): a sample stops at the first exit whose softmax
 * entropy `H = −Σ p·log(p + 1e-12)` (natural log) is at most τ. Larger τ exits earlier; τ ≥ ln C
 * always exits at the first evaluated exit, τ = 0 practically never exits early.
 *
 * @example
 * ```ts
 * const p = entropyPolicy({ tau: 0.7 });               // the paper's setting
 * const q = entropyPolicy({ tau: [0.3, 0.5, 0.7] });   // per-exit thresholds (3 branches + final)
 * ```
 */
export function entropyPolicy(options: EntropyPolicyOptions): ExitPolicy {
  const who = 'entropyPolicy';
  const tau = checkThreshold(who, 'tau', options?.tau, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0 (entropy in nats)');
  const minLayer = checkMinLayer(who, options.minLayer ?? 0);
  return {
    kind: 'entropy',
    label: label(`entropy<=${thresholdText(tau)}`, minLayer),
    threshold: tau,
    minLayer,
    createState: () => ({}),
    decide(input) {
      const t = thresholdAt(who, tau, input.exitIndex, input.numExits);
      const rows = input.ids.length;
      const out = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) out[r] = entropy(input.probs, r * input.numClasses, input.numClasses) <= t ? 1 : 0;
      return out;
    },
  };
}

/**
 * Options of {@link maxProbPolicy}.
 *
 * @example
 * ```ts
 * const opts: MaxProbPolicyOptions = { p: 0.9 };
 * ```
 */
export interface MaxProbPolicyOptions extends PolicyBaseOptions {
  /** Exit when the largest class probability is at least p, p in [0, 1] (0 always exits, 1 only on a saturated softmax). */
  readonly p: Threshold;
}

/**
 * Confidence rule (MSDNet, CALM's softmax confidence): a sample stops at the first exit whose
 * largest softmax probability is at least `p`.
 *
 * @example
 * ```ts
 * const p = maxProbPolicy({ p: 0.9, minLayer: 2 });
 * ```
 */
export function maxProbPolicy(options: MaxProbPolicyOptions): ExitPolicy {
  const who = 'maxProbPolicy';
  const p = checkThreshold(who, 'p', options?.p, (v) => Number.isFinite(v) && v >= 0 && v <= 1, 'a probability in [0, 1]');
  const minLayer = checkMinLayer(who, options.minLayer ?? 0);
  return {
    kind: 'max-prob',
    label: label(`max-prob>=${thresholdText(p)}`, minLayer),
    threshold: p,
    minLayer,
    createState: () => ({}),
    decide(input) {
      const t = thresholdAt(who, p, input.exitIndex, input.numExits);
      const rows = input.ids.length;
      const out = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) out[r] = argMaxRow(input.probs, r * input.numClasses, input.numClasses).value >= t ? 1 : 0;
      return out;
    },
  };
}

/**
 * Options of {@link patiencePolicy}.
 *
 * @example
 * ```ts
 * const opts: PatiencePolicyOptions = { patience: 2, minLayer: 1 };
 * ```
 */
export interface PatiencePolicyOptions extends PolicyBaseOptions {
  /** Consecutive unchanged predictions needed, an integer >= 1 (PABEE's `patience`). */
  readonly patience: number;
}

/**
 * PABEE (Zhou et al. 2020): a sample stops once its predicted class has stayed the same for
 * `patience` consecutive exits after the exit where it appeared, i.e. when `patience + 1`
 * consecutive evaluated exits agree. The counter starts at the first evaluated exit (`minLayer`).
 *
 * @example
 * ```ts
 * const p = patiencePolicy({ patience: 2 }); // stop when 3 exits in a row predict the same class
 * ```
 */
export function patiencePolicy(options: PatiencePolicyOptions): ExitPolicy {
  const who = 'patiencePolicy';
  const patience = options?.patience;
  if (typeof patience !== 'number' || !Number.isInteger(patience) || patience < 1) {
    throw new RangeError(`${who}: patience must be an integer >= 1, got ${describe(patience)}`);
  }
  const minLayer = checkMinLayer(who, options.minLayer ?? 0);
  return {
    kind: 'patience',
    label: label(`patience=${patience}`, minLayer),
    threshold: patience,
    minLayer,
    createState: (n) => ({ prev: new Int32Array(n).fill(-1), count: new Int32Array(n) }),
    decide(input, state) {
      const { prev, count } = state;
      if (!prev || !count) throw new Error(`${who}: decide() needs the state from createState()`);
      const rows = input.ids.length;
      const out = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) {
        const id = input.ids[r];
        const pred = argMaxRow(input.probs, r * input.numClasses, input.numClasses).index;
        count[id] = pred === prev[id] ? count[id] + 1 : 0;
        prev[id] = pred;
        out[r] = count[id] >= patience ? 1 : 0;
      }
      return out;
    },
  };
}

/**
 * Static exit (LayerSkip's `exit_layer`): every sample stops at the first exit with at least
 * `layer` executed blocks. `staticExitPolicy(model.depth)` never exits early;
 * `staticExitPolicy(0)` stops everyone at the first exit.
 *
 * @example
 * ```ts
 * const p = staticExitPolicy(4); // a fixed 4-block prefix for every sample
 * ```
 */
export function staticExitPolicy(layer: number): ExitPolicy {
  if (typeof layer !== 'number' || !Number.isInteger(layer) || layer < 0) throw new RangeError(`staticExitPolicy: layer must be an integer >= 0, got ${describe(layer)}`);
  return {
    kind: 'static',
    label: `static=${layer}`,
    threshold: layer,
    minLayer: layer,
    createState: () => ({}),
    decide: (input) => new Uint8Array(input.ids.length).fill(1),
  };
}

/**
 * Softmax of logit rows in JavaScript (numerically stable), for tests and hand-made examples.
 *
 * @example
 * ```ts
 * softmaxRows([[2, 0], [0, 0]]); // Float32Array [0.881, 0.119, 0.5, 0.5]
 * ```
 */
export function softmaxRows(logits: readonly (readonly number[])[]): Float32Array {
  const c = logits[0]?.length ?? 0;
  const out = new Float32Array(logits.length * c);
  logits.forEach((row, r) => {
    if (row.length !== c) throw new RangeError(`softmaxRows: row ${r} has ${row.length} logits, expected ${c}`);
    const m = Math.max(...row);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(row[j] - m);
    for (let j = 0; j < c; j++) out[r * c + j] = Math.exp(row[j] - m) / s;
  });
  return out;
}
