/**
 * The early-exit forward: embedding, then block by block; at every exit the still-running rows
 * get logits, the policy decides, rows that stop record (prediction, layer), and the remaining
 * rows of the hidden state (and, for AC models, of the running sum) are gathered before the next
 * block, so a sample that has exited costs nothing in later blocks — at batch 128 as at batch 1.
 */
import { tf, type BlockModel, type ForwardContext, type Tensor } from '@acn/core';
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
  if (!m || typeof m.embedding?.apply !== 'function' || !Array.isArray(m.blocks) || typeof m.head?.apply !== 'function' || typeof m.context !== 'function') {
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
  model.validateInput(x);
  const compact = options.compact ?? true;
  const base = model.context({ training: false });
  const acn = model.connectivity === 'acn';
  const depth = model.depth;
  const layers = exits.layers;
  const numExits = layers.length;
  const batch = x.shape[0];

  const predictions = new Int32Array(batch);
  const exitLayers = new Int32Array(batch);
  const exitIndices = new Int32Array(batch);
  const rowsPerBlock = new Array<number>(depth).fill(0);
  const state = policy.createState(batch);
  const kept: { ids: Int32Array; logits: Tensor }[] = [];
  let pending: Tensor | undefined; // this exit's logits, freed in `finally` if the policy throws
  // The forward context; its per-sample tensors (e.g. attentionMask [B, T]) follow the rows.
  let ctx = base;
  let perSample: string[] = [];
  const ctxTensors = () => perSample.map((k) => (ctx as unknown as Record<string, Tensor>)[k]);

  // ids[r]: original sample of active row r; pos[r]: its row in the current h / y tensors.
  let ids = Int32Array.from({ length: batch }, (_, i) => i);
  let pos = Int32Array.from(ids);
  // The loop state: x_k and what the head reads (the running sum for acn, x_k otherwise; the same tensor then).
  const cur: { h?: Tensor; y?: Tensor } = {};
  const replace = (hn?: Tensor, yn?: Tensor) => {
    if (cur.y && cur.y !== cur.h) cur.y.dispose();
    cur.h?.dispose();
    cur.h = hn;
    cur.y = yn;
  };

  try {
    if (batch > 0) {
      ({ ctx, perSample } = prepareContext(model, x, base));
      const h0 = tf.tidy(() => model.embedding.apply(x, ctx)); // x_0, e.g. [B, T, D]
      replace(h0, h0);
    }
    let next = 0;
    for (let k = 0; k <= depth && ids.length > 0; k++) {
      if (k > 0) {
        const block = model.blocks[k - 1];
        const hPrev = cur.h!;
        const yPrev = cur.y!;
        rowsPerBlock[k - 1] = hPrev.shape[0];
        const [hn, yn] = tf.tidy(() => {
          const out = block.apply(hPrev, ctx); // x_k = f_k(x_{k-1})
          return [out, acn ? yPrev.add(out) : out]; // acn: running sum; otherwise the block output
        });
        replace(hn, yn);
      }
      if (next >= numExits || layers[next] !== k) continue;
      const j = next++;
      const final = j === numExits - 1;
      if (!final && k < policy.minLayer) continue; // not evaluated, not charged

      const [logits, probsT] = tf.tidy(() => {
        const l = exits.logits(j, { h: cur.h!, y: cur.y! }, ctx); // [rows, C]
        return [l, tf.softmax(l)];
      });
      pending = logits;
      const allProbs = probsT.dataSync() as Float32Array;
      probsT.dispose();
      const c = logits.shape[1] as number;
      // Probabilities of the active rows only (all rows when compact).
      const probs = compact ? allProbs : gatherRows(allProbs, pos, c);
      const stop = final ? new Uint8Array(ids.length).fill(1) : policy.decide({ probs, numClasses: c, ids, layer: k, exitIndex: j, numExits }, state);
      if (stop.length !== ids.length) {
        throw new Error(`${who}: policy '${policy.label}' returned ${stop.length} decisions for ${ids.length} rows`);
      }

      const stopRows: number[] = [];
      const goRows: number[] = [];
      for (let r = 0; r < ids.length; r++) {
        if (stop[r]) {
          const id = ids[r];
          predictions[id] = argMaxRow(probs, r * c, c).index;
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
      if (goRows.length === ids.length) continue;

      const nextIds = Int32Array.from(goRows, (r) => ids[r]);
      if (compact && goRows.length > 0) {
        const hPrev = cur.h!;
        const yPrev = cur.y!;
        const [hn, yn] = tf.tidy(() => {
          const idx = tf.tensor1d(Int32Array.from(goRows, (r) => pos[r]), 'int32');
          const hg = tf.gather(hPrev, idx); // still-running rows of x_k
          return [hg, yPrev === hPrev ? hg : tf.gather(yPrev, idx)]; // … and of the running sum
        });
        replace(hn, yn);
        if (perSample.length > 0) {
          const old = ctxTensors();
          const gathered = tf.tidy(() => {
            const idx = tf.tensor1d(Int32Array.from(goRows, (r) => pos[r]), 'int32');
            return old.map((t) => tf.gather(t, idx));
          });
          ctx = { ...ctx, ...Object.fromEntries(perSample.map((k, i) => [k, gathered[i]])) };
          tf.dispose(old);
        }
        pos = Int32Array.from(goRows, (_, i) => i);
      } else {
        pos = Int32Array.from(goRows, (r) => pos[r]);
      }
      ids = nextIds;
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
    replace();
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
  model.validateInput(x);
  const base = model.context({ training: false });
  const acn = model.connectivity === 'acn';
  return tf.tidy(() => {
    const prepare = (model as { prepareContext?: (x: Tensor, c: ForwardContext) => ForwardContext }).prepareContext;
    const ctx = typeof prepare === 'function' ? prepare.call(model, x, base) : base;
    const out: Tensor[] = [];
    let h = model.embedding.apply(x, ctx);
    let y = h;
    let next = 0;
    for (let k = 0; k <= model.depth; k++) {
      if (k > 0) {
        h = model.blocks[k - 1].apply(h, ctx);
        y = acn ? y.add(h) : h;
      }
      if (next < exits.layers.length && exits.layers[next] === k) out.push(exits.logits(next++, { h, y }, ctx));
    }
    return out;
  });
}
