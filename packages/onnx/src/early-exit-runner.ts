/**
 * Per-sample early exit on onnxruntime: the segment graphs of `exportOnnxSegments` run one after
 * the other; after each, the exit's probabilities go to the policy, rows that stop record their
 * prediction and layer, and only the remaining rows of the loop state are fed to the next segment
 * (so an exited sample costs nothing later, at batch 128 as at batch 1). Policies are the
 * `ExitPolicy` objects of `@acn/early-exit` (`entropyPolicy`, `maxProbPolicy`, `patiencePolicy`,
 * ...), taken by shape: this package does not depend on that one.
 */
import { OnnxError } from './errors';
import type { OrtModule, OrtSession, OrtTensor } from './runtime';
import type { OnnxSegments } from './segments';

/**
 * What a policy sees at one exit (the same as `@acn/early-exit`'s `ExitInput`).
 *
 * @example
 * ```ts
 * const input: OnnxExitInput = { probs, numClasses: 10, ids: [0, 3], layer: 2, exitIndex: 2, numExits: 5 };
 * ```
 */
export interface OnnxExitInput {
  readonly probs: Float32Array;
  readonly numClasses: number;
  readonly ids: ArrayLike<number>;
  readonly layer: number;
  readonly exitIndex: number;
  readonly numExits: number;
}

/**
 * An exit policy (structurally `@acn/early-exit`'s `ExitPolicy`).
 *
 * @example
 * ```ts
 * // Every policy of the early-exit plugin (entropy, max-prob, patience, static) has this shape;
 * // a hand-written one: stop a row once its top probability reaches 0.9.
 * const policy: OnnxExitPolicy = {
 *   label: 'max-prob>=0.9',
 *   minLayer: 0,
 *   createState: () => ({}),
 *   decide: ({ probs, numClasses }) =>
 *     Uint8Array.from({ length: probs.length / numClasses }, (_, r) => (Math.max(...probs.subarray(r * numClasses, (r + 1) * numClasses)) >= 0.9 ? 1 : 0)),
 * };
 * ```
 */
export interface OnnxExitPolicy {
  readonly label: string;
  readonly minLayer: number;
  createState(n: number): unknown;
  decide(input: OnnxExitInput, state: never): Uint8Array;
}

/**
 * Result of {@link OnnxEarlyExitRunner.run}, per sample in input order (as `earlyExitForward`'s).
 *
 * @example
 * ```ts
 * const { predictions, exitLayers } = await runner.run(images, [128, 28, 28, 1], policy);
 * ```
 */
export interface OnnxEarlyExitResult {
  readonly predictions: Int32Array;
  readonly exitLayers: Int32Array;
  readonly exitIndices: Int32Array;
  /** Rows that went through each block (length L). */
  readonly rowsPerBlock: number[];
  /** `[B, numClasses]` row-major: the logits each sample exited with. */
  readonly logits: Float32Array;
}

/** Softmax of each row of a row-major `[rows, c]` matrix (float64 inside, float32 out). */
function softmaxRows(logits: Float32Array, c: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / c; r++) {
    let m = -Infinity;
    for (let i = 0; i < c; i++) m = Math.max(m, logits[r * c + i]);
    let s = 0;
    for (let i = 0; i < c; i++) s += Math.exp(logits[r * c + i] - m);
    for (let i = 0; i < c; i++) out[r * c + i] = Math.exp(logits[r * c + i] - m) / s;
  }
  return out;
}

/** First index of the row maximum (ties: the lowest class, as `argMaxRow` and `tf.argMax`). */
function argMax(v: Float32Array, at: number, c: number): number {
  let best = 0;
  for (let i = 1; i < c; i++) if (v[at + i] > v[at + best]) best = i;
  return best;
}

/** Rows `rows` of a tensor whose first dim is the batch. */
function gatherRows(ort: OrtModule, t: OrtTensor, rows: readonly number[]): OrtTensor {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const out = new Float32Array(rows.length * per);
  rows.forEach((r, i) => out.set(src.subarray(r * per, (r + 1) * per), i * per));
  return new ort.Tensor('float32', out, [rows.length, ...t.dims.slice(1)]);
}

/**
 * Runs exit segments on onnxruntime with per-sample early exit. Build it with
 * {@link createEarlyExitRunner}.
 *
 * @example
 * ```ts
 * const runner = await createEarlyExitRunner(ort, exportOnnxSegments(model));
 * const r = await runner.run(x, [64, 8, 8, 1], entropyPolicy({ tau: 0.5 }));
 * await runner.release();
 * ```
 */
export class OnnxEarlyExitRunner {
  constructor(
    private readonly ort: OrtModule,
    readonly spec: Omit<OnnxSegments, 'segments'>,
    private readonly sessions: readonly OrtSession[],
  ) {}

  /** Blocks in the model (the last exit). */
  get depth(): number {
    return this.spec.exits[this.spec.exits.length - 1];
  }

  /**
   * Classifies a batch (`input` row-major with `dims` `[B, ...]`, float32 or int32 as the model
   * takes) with early exit under `policy`.
   */
  async run(input: Float32Array | Int32Array, dims: readonly number[], policy: OnnxExitPolicy): Promise<OnnxEarlyExitResult> {
    if (!policy || typeof policy.decide !== 'function') throw new OnnxError('bad-option', 'OnnxEarlyExitRunner.run: policy must be an ExitPolicy (entropyPolicy, maxProbPolicy, ... of @acn/early-exit)');
    const { exits, numClasses: c, inputDtype } = this.spec;
    const batch = dims[0];
    const predictions = new Int32Array(batch);
    const exitLayers = new Int32Array(batch);
    const exitIndices = new Int32Array(batch);
    const logitsOut = new Float32Array(batch * c);
    const rowsPerBlock = new Array<number>(this.depth).fill(0);
    const state = policy.createState(batch) as never;
    let ids = Array.from({ length: batch }, (_, i) => i);
    let feeds: Record<string, OrtTensor> = { input: new this.ort.Tensor(inputDtype, input, dims) };
    for (let j = 0; j < exits.length && ids.length > 0; j++) {
      const from = j === 0 ? 0 : exits[j - 1];
      for (let k = from; k < exits[j]; k++) rowsPerBlock[k] = ids.length;
      const out = await this.sessions[j].run(feeds);
      const logits = out.logits.data as Float32Array; // [rows, C]
      const final = j === exits.length - 1;
      let stop: Uint8Array;
      if (final) stop = new Uint8Array(ids.length).fill(1);
      else if (exits[j] < policy.minLayer) stop = new Uint8Array(ids.length);
      else stop = policy.decide({ probs: softmaxRows(logits, c), numClasses: c, ids, layer: exits[j], exitIndex: j, numExits: exits.length }, state);
      if (stop.length !== ids.length) throw new OnnxError('bad-option', `policy '${policy.label}' returned ${stop.length} decisions for ${ids.length} rows`);
      const go: number[] = [];
      ids.forEach((id, r) => {
        if (!stop[r]) return void go.push(r);
        predictions[id] = argMax(logits, r * c, c);
        exitLayers[id] = exits[j];
        exitIndices[id] = j;
        logitsOut.set(logits.subarray(r * c, (r + 1) * c), id * c);
      });
      if (final || go.length === 0) break;
      const next: Record<string, OrtTensor> = {};
      const all = go.length === ids.length;
      // state_out_i -> state_i, ctx_out_<key> -> ctx_<key>: the loop state and per-sample context, still-running rows only.
      for (const [name, t] of Object.entries(out)) {
        if (name === 'logits') continue;
        next[name.replace('_out_', '_')] = all ? t : gatherRows(this.ort, t, go);
      }
      feeds = next;
      ids = go.map((r) => ids[r]);
    }
    return { predictions, exitLayers, exitIndices, rowsPerBlock, logits: logitsOut };
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    for (const s of this.sessions) await s.release?.();
  }
}

/**
 * Creates one onnxruntime session per segment and the runner over them.
 *
 * @example
 * ```ts
 * const runner = await createEarlyExitRunner(await loadOnnxRuntime('node'), exportOnnxSegments(model), { intraOpNumThreads: 1 });
 * ```
 */
export async function createEarlyExitRunner(ort: OrtModule, segments: OnnxSegments, sessionOptions: Record<string, unknown> = {}): Promise<OnnxEarlyExitRunner> {
  const sessions: OrtSession[] = [];
  for (const s of segments.segments) sessions.push(await ort.InferenceSession.create(s.bytes, sessionOptions));
  const { segments: _bytes, ...spec } = segments;
  return new OnnxEarlyExitRunner(ort, spec, sessions);
}
