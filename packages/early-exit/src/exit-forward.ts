/**
 * The early-exit forward, on core's one block loop (`walkPrefixes`, scoped): at every exit the
 * still-running rows get logits, the policy decides, rows that stop record (prediction, layer),
 * and the remaining rows of the loop state (`gatherState`: the hidden state, the running sum of AC
 * models, the stored outputs of DenseNet/DenseFormer) and of the per-sample context (attention
 * mask) are gathered before the next block, so a sample that has exited costs nothing in later
 * blocks — at batch 128 as at batch 1.
 */
import { disposeReplaced, gatherState, InputError, stateTensors, tf, walkPrefixes, type BlockModel, type ForwardContext, type LoopState, type PrefixControl, type Tensor } from '@acn/core';
import type { ExitHeads } from './exits';
import { argMaxRow, type ExitPolicy } from './policy';

/**
 * Options of {@link earlyExitForward}.
 *
 * @example
 * ```ts
 * const opts: EarlyExitOptions = { exits: sharedExits(model), policy: entropyPolicy({ tau: 0.7 }), returnLogits: true };
 * ```
 */
export interface EarlyExitOptions {
  readonly exits: ExitHeads;
  readonly policy: ExitPolicy;
  /** Also return the logits every sample exited with, `[B, numClasses]` in input order. Default false. */
  readonly returnLogits?: boolean;
  /**
   * Drop exited rows from the batch before the next block (default true). `false` keeps computing
   * every row to the end of the batch's deepest sample (the masking approach), for comparisons.
   */
  readonly compact?: boolean;
}

/**
 * Result of {@link earlyExitForward}; per-sample arrays are in input order.
 *
 * @example
 * ```ts
 * const { predictions, exitLayers } = earlyExitForward(model, x, { exits, policy });
 * const avgLayers = exitLayers.reduce((a, b) => a + b, 0) / exitLayers.length;
 * ```
 */
export interface EarlyExitResult {
  /** Predicted class (argmax of the exit's softmax) of every sample. */
  readonly predictions: Int32Array;
  /** Blocks executed before each sample's exit (0 = embedding only, L = the full model). */
  readonly exitLayers: Int32Array;
  /** Position of each sample's exit in `exits.layers`. */
  readonly exitIndices: Int32Array;
  /** Number of rows that went through each block (length L; the compute actually spent). */
  readonly rowsPerBlock: number[];
  /** With `returnLogits`: `[B, numClasses]`; the caller disposes it. */
  readonly logits?: Tensor;
}

/**
 * Throws unless the model is a `BlockModel` that runs `BlockModel`'s own block loop (which this
 * forward reproduces). Duck-typed, so it also works when two copies of `@acn/core` are loaded
 * (ESM and CJS builds): the class that defines `forward` must be the one that defines the rest of
 * the `BlockModel` API.
 */
export function checkExitModel(model: BlockModel, who: string): void {
  const m = model as Partial<BlockModel> | undefined;
  if (!m || typeof m.embedding?.apply !== 'function' || !Array.isArray(m.blocks) || !Array.isArray(m.connections) || typeof m.head?.apply !== 'function' || typeof m.context !== 'function') {
    throw new TypeError(`${who}: expected an @acn/core BlockModel (embedding, blocks, head), got ${String(model)}`);
  }
  let owner = Object.getPrototypeOf(model);
  while (owner && !Object.prototype.hasOwnProperty.call(owner, 'forward')) owner = Object.getPrototypeOf(owner);
  const isBase = owner && ['namedWeights', 'applyStructure', 'context'].every((k) => Object.prototype.hasOwnProperty.call(owner, k));
  if (!isBase) {
    throw new TypeError(
      `${who}: ${model.constructor.name} overrides BlockModel.forward; early exit re-runs the standard loop (embedding → blocks → head) and would not match its forward`,
    );
  }
}

function checkExits(model: BlockModel, exits: ExitHeads, who: string): void {
  if (!exits || !Array.isArray(exits.layers) || typeof exits.logits !== 'function') throw new TypeError(`${who}: options.exits must come from sharedExits() or attachBranches()`);
  if (exits.model !== model) throw new Error(`${who}: these exits were built for another model`);
  if (exits.layers[exits.layers.length - 1] !== model.depth) {
    throw new Error(`${who}: the last exit must be the full model (layer ${model.depth}), got exits at ${JSON.stringify(exits.layers)}`);
  }
}

/**
 * Runs `model` on `x` with early exits: every sample stops at the first exit where `policy` says
 * so (the final exit always stops), with per-sample exit inside a batch. Each step runs under
 * `tf.tidy`; the exit probabilities are read back between blocks (inherent: the next block's
 * batch depends on them). Leak-free; only the optional `logits` outlive the call.
 *
 * With a policy that never stops early the logits equal `model.forward(x).logits`; with shared
 * exits and a policy that stops everyone at the first exit, they equal probe 0.
 *
 * @example
 * ```ts
 * const exits = sharedExits(model);
 * const r = earlyExitForward(model, images, { exits, policy: entropyPolicy({ tau: 0.7 }) });
 * r.predictions; r.exitLayers; r.rowsPerBlock; // e.g. [128, 128, 97, 60, 31, 12, 5, 2]
 * ```
 */
export function earlyExitForward(model: BlockModel, x: Tensor, options: EarlyExitOptions): EarlyExitResult {
  const who = 'earlyExitForward';
  checkExitModel(model, who);
  const { exits, policy } = options;
  checkExits(model, exits, who);
  if (!policy || typeof policy.decide !== 'function') throw new TypeError(`${who}: options.policy must be an ExitPolicy (entropyPolicy, maxProbPolicy, ...)`);
  model.checkForwardInput(x, who);
  checkFiniteInput(x, who);
  const compact = options.compact ?? true;
  const base = model.context({ training: false });
  const depth = model.depth;
  const layers = exits.layers;
  const numExits = layers.length;
  const batch = x.shape[0];

  const predictions = new Int32Array(batch);
  const exitLayers = new Int32Array(batch);
  const exitIndices = new Int32Array(batch);
  const rowsPerBlock = new Array<number>(depth).fill(0);
  const policyState = policy.createState(batch);
  const kept: { ids: Int32Array; logits: Tensor }[] = [];
  let pending: Tensor | undefined; // this exit's logits, freed in `finally` if the policy throws
  // The forward context; its per-sample tensors (e.g. attentionMask [B, T]) follow the rows.
  let ctx = base;
  let perSample: string[] = [];
  const ctxTensors = () => perSample.map((k) => (ctx as unknown as Record<string, Tensor>)[k]);

  // ids[r]: original sample of active row r; pos[r]: its row in the current loop state.
  let ids = Int32Array.from({ length: batch }, (_, i) => i);
  let pos = Int32Array.from(ids);
  let last: LoopState | undefined; // the state the walk returns (owned here: scoped walk)

  try {
    if (batch > 0) {
      ({ ctx, perSample } = prepareContext(model, x, base));
      let next = 0;
      // The one block loop (core's walkPrefixes), scoped: each block runs in its own tidy and only
      // the current state (x_k, what the head reads, stored outputs) stays alive.
      last = walkPrefixes(
        model,
        x,
        ctx,
        (k, state, c): PrefixControl | void => {
          if (k < depth) rowsPerBlock[k] = state.h.shape[0]; // rows that go through block k+1 if nothing exits here
          if (next >= numExits || layers[next] !== k) return;
          const j = next++;
          const final = j === numExits - 1;
          if (!final && k < policy.minLayer) return; // not evaluated, not charged

          const [logits, probsT] = tf.tidy(() => {
            const l = exits.logits(j, { h: state.h, y: state.y }, c); // [rows, C]
            return [l, tf.softmax(l)];
          });
          pending = logits;
          const allProbs = probsT.dataSync() as Float32Array;
          probsT.dispose();
          const nc = logits.shape[1] as number;
          // Probabilities of the active rows only (all rows when compact).
          const probs = compact ? allProbs : gatherRows(allProbs, pos, nc);
          const stop = final ? new Uint8Array(ids.length).fill(1) : policy.decide({ probs, numClasses: nc, ids, layer: k, exitIndex: j, numExits }, policyState);
          if (stop.length !== ids.length) {
            throw new Error(`${who}: policy '${policy.label}' returned ${stop.length} decisions for ${ids.length} rows`);
          }
          checkFinite(probs, ids, nc, k, who);

          const stopRows: number[] = [];
          const goRows: number[] = [];
          for (let r = 0; r < ids.length; r++) {
            if (stop[r]) {
              const id = ids[r];
              predictions[id] = argMaxRow(probs, r * nc, nc).index;
              exitLayers[id] = k;
              exitIndices[id] = j;
              stopRows.push(r);
            } else goRows.push(r);
          }
          if (options.returnLogits && stopRows.length > 0) {
            const at = Int32Array.from(stopRows, (r) => pos[r]);
            kept.push({ ids: Int32Array.from(stopRows, (r) => ids[r]), logits: tf.tidy(() => tf.gather(logits, tf.tensor1d(at, 'int32'))) });
          }
          logits.dispose();
          pending = undefined;
          if (goRows.length === ids.length) return;

          const nextIds = Int32Array.from(goRows, (r) => ids[r]);
          let control: PrefixControl = { stop: goRows.length === 0 };
          if (goRows.length === 0 && k < depth) rowsPerBlock[k] = 0; // everyone exited: no further block runs
          if (compact && goRows.length > 0) {
            // Drop exited rows from the loop state (every tensor it holds) and from the per-sample
            // context tensors (e.g. attentionMask [B, T]).
            const rows = Int32Array.from(goRows, (r) => pos[r]);
            let gathered: LoopState | undefined;
            tf.tidy(() => {
              gathered = gatherState(state, tf.tensor1d(rows, 'int32'));
              return stateTensors(gathered);
            });
            control = { state: gathered };
            if (perSample.length > 0) {
              const old = ctxTensors();
              const moved = tf.tidy(() => {
                const idx = tf.tensor1d(rows, 'int32');
                return old.map((t) => tf.gather(t, idx));
              });
              ctx = { ...ctx, ...Object.fromEntries(perSample.map((name, i) => [name, moved[i]])) };
              tf.dispose(old);
              control = { ...control, ctx };
            }
            rowsPerBlock[k] = rows.length;
            pos = Int32Array.from(goRows, (_, i) => i);
          } else {
            pos = Int32Array.from(goRows, (r) => pos[r]);
          }
          ids = nextIds;
          return control;
        },
        { scoped: true },
      );
    }

    let logits: Tensor | undefined;
    if (options.returnLogits) {
      logits = tf.tidy(() => {
        if (kept.length === 0) return tf.zeros([0, (model.config as { numClasses: number }).numClasses]);
        const order = new Int32Array(batch);
        let at = 0;
        for (const part of kept) for (const id of part.ids) order[id] = at++;
        return tf.gather(tf.concat(kept.map((p) => p.logits)), tf.tensor1d(order, 'int32'));
      });
    }
    return { predictions, exitLayers, exitIndices, rowsPerBlock, ...(logits ? { logits } : {}) };
  } finally {
    disposeReplaced(last, undefined);
    pending?.dispose();
    tf.dispose(ctxTensors());
    for (const p of kept) p.logits.dispose();
  }
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'shape' in v && 'dtype' in v && typeof (v as Tensor).dispose === 'function';
}

/**
 * The forward context for input `x`: `model.prepareContext` adds per-input information (sequence
 * models: `attentionMask` `[B, T]`). Returns the context and the names of its per-sample tensors
 * (new tensors whose first dimension is the batch), which must follow the rows when exited samples
 * are dropped; the caller disposes them.
 */
function prepareContext(model: BlockModel, x: Tensor, base: ForwardContext): { ctx: ForwardContext; perSample: string[] } {
  const prepare = (model as { prepareContext?: (x: Tensor, c: ForwardContext) => ForwardContext }).prepareContext;
  if (typeof prepare !== 'function') return { ctx: base, perSample: [] };
  const ctx = tf.tidy(() => prepare.call(model, x, base) as unknown as tf.TensorContainer) as unknown as ForwardContext;
  const batch = x.shape[0];
  const perSample: string[] = [];
  for (const [k, v] of Object.entries(ctx)) {
    if (!isTensor(v) || v === x || (base as unknown as Record<string, unknown>)[k] === v) continue;
    if (v.rank > 0 && v.shape[0] === batch) perSample.push(k); // other tensors are shared by all rows: left as they are
  }
  return { ctx, perSample };
}

/**
 * Throws a coded `InputError` (`non-finite-input`) naming the samples whose input holds NaN or
 * ±Inf (float inputs; one read-back). Checked up front because an exit may not read the input at
 * all (a Mixer's probe 0 reads the learned CLS token), so such a sample would exit at layer 0.
 */
function checkFiniteInput(x: Tensor, who: string): void {
  if (x.dtype !== 'float32' || x.size === 0) return;
  const ok = tf.tidy(() => tf.all(tf.isFinite(tf.reshape(x, [x.shape[0], -1])), 1)); // [B] bool
  const flags = ok.dataSync();
  ok.dispose();
  const bad: number[] = [];
  flags.forEach((f, i) => (f ? undefined : bad.push(i)));
  if (bad.length > 0) {
    const list = bad.length > 5 ? `${bad.slice(0, 5).join(', ')}, … (${bad.length} in all)` : bad.join(', ');
    throw new InputError(`${who}: the input of sample(s) ${list} holds NaN or Inf; no exit decision is possible`, 'non-finite-input');
  }
}

/**
 * Throws a coded `InputError` (`non-finite-input`) when an exit's probabilities are not finite
 * (NaN or ±Inf in the input or the weights): otherwise such a row would "exit" at once as class 0.
 */
function checkFinite(probs: Float32Array, ids: ArrayLike<number>, c: number, layer: number, who: string): void {
  const bad: number[] = [];
  for (let r = 0; r < ids.length && bad.length < 5; r++) {
    for (let i = r * c; i < r * c + c; i++) {
      if (!Number.isFinite(probs[i])) {
        bad.push(ids[r]);
        break;
      }
    }
  }
  if (bad.length > 0) {
    throw new InputError(`${who}: non-finite exit probabilities at layer ${layer} for sample(s) ${bad.join(', ')} (NaN or Inf in the input or the weights); no exit decision is possible`, 'non-finite-input');
  }
}

/** Rows `rows` of a row-major `n × c` matrix. */
function gatherRows(m: Float32Array, rows: ArrayLike<number>, c: number): Float32Array {
  const out = new Float32Array(rows.length * c);
  for (let i = 0; i < rows.length; i++) out.set(m.subarray(rows[i] * c, rows[i] * c + c), i * c);
  return out;
}

/**
 * Logits of every exit for the whole batch (no early stopping): what calibration sweeps replay
 * policies on. Shared exits give the model's probes at `exits.layers`. The caller disposes the
 * tensors.
 *
 * @example
 * ```ts
 * const all = allExitLogits(model, x, attachBranches(model)); // 3 branches + the final head
 * tf.dispose(all);
 * ```
 */
export function allExitLogits(model: BlockModel, x: Tensor, exits: ExitHeads): Tensor[] {
  const who = 'allExitLogits';
  checkExitModel(model, who);
  checkExits(model, exits, who);
  model.checkForwardInput(x, who);
  const base = model.context({ training: false });
  return tf.tidy(() => {
    const prepare = (model as { prepareContext?: (x: Tensor, c: ForwardContext) => ForwardContext }).prepareContext;
    const ctx = typeof prepare === 'function' ? prepare.call(model, x, base) : base;
    const out: Tensor[] = [];
    let next = 0;
    // The one block loop (core's walkPrefixes); stops after the last exit.
    walkPrefixes(model, x, ctx, (k, s, c) => {
      if (next < exits.layers.length && exits.layers[next] === k) out.push(exits.logits(next++, { h: s.h, y: s.y }, c));
      return { stop: next === exits.layers.length };
    });
    return out;
  });
}
