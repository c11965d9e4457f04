/**
 * Kill test of `saveCheckpoint`: a save is interrupted at every step of its protocol and at random
 * moments, many times in a row in one directory; after each kill, `loadCheckpoint` must give the
 * last complete checkpoint exactly (the previous one, or the one in flight when it had completed),
 * `train({ resume })` must continue from it, and the resumed run's save must delete every leftover.
 *
 * Two kinds of kill:
 * - simulated, in this process: the file system handed to the save freezes before its n-th
 *   operation (that one and every later one, the save's own cleanup included, throws and changes
 *   nothing), so the disk is exactly what a kill at that instant leaves; every n of the protocol;
 * - real: a child process (`test-support/kill-child.ts`) SIGKILLs itself before its n-th operation,
 *   or is SIGKILLed by this process after a random delay while it saves in a loop.
 *
 * Default: every protocol step simulated, 2 injected + 2 random real kills (each real kill starts
 * a Node process: ~2 s on an idle machine, far more under load, hence the long timeout). `ACN_KILL_RUNS=<n>` runs n real kills of each kind instead.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomicLeftovers, type AtomicFs } from '../io';
import { createMlp } from '../models/mlp';
import { tf } from '../tf';
import { train } from '../train/trainer';
import type { ArrayDataset } from '../data/array-dataset';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { locateCheckpoint } from './recovery';
import { interceptedFs } from './test-support/fault-fs';
import { KILL_MODEL } from './test-support/kill-model';
import { sha256Hex, tensorsToSafetensors } from '../io';
import { AdamW } from '../train/adamw';

const REAL_RUNS = Number(process.env.ACN_KILL_RUNS ?? 2);
const CHILD = fileURLToPath(new URL('./test-support/kill-child.ts', import.meta.url));
const root = fs.mkdtempSync(join(tmpdir(), 'acn-kill-'));

const data: ArrayDataset = {
  inputs: new Float32Array([0.1, 0.2, 0.3, 0.4, 1, 0, 1, 0, 0, 1, 0, 1, -1, -1, 1, 1]),
  labels: new Int32Array([0, 1, 0, 1]),
  count: 4,
  sampleShape: [4],
  numClasses: 2,
};

/** What a kill may leave: the previous checkpoint, or the one in flight (if its save had completed). */
interface Expect {
  prev: { epoch: number; sha: string };
  inflight?: { epoch: number; sha: string };
}

const stats = { kills: 0, simulated: 0, realInjected: 0, realRandom: 0, recovered: 0, gotInflight: 0, gotPrev: 0, leftoversSeen: 0, leftoversAfterResume: 0 };

function newModel() {
  return createMlp({ ...KILL_MODEL, inputShape: [...KILL_MODEL.inputShape] });
}

function current(dir: string): { epoch: number; sha: string } {
  const ck = loadCheckpoint(dir);
  const sha = ck.manifest.files['model.safetensors'];
  ck.model.dispose();
  if (ck.optimizerState) tf.dispose([...Object.values(ck.optimizerState.m), ...Object.values(ck.optimizerState.v)]);
  return { epoch: ck.trainer!.epoch, sha };
}

/** After a kill: load gives prev or inflight exactly; resume continues from it and cleans up. */
async function checkAfterKill(dir: string, exp: Expect): Promise<void> {
  stats.kills += 1;
  stats.leftoversSeen += atomicLeftovers(dir).length;
  if (locateCheckpoint(dir)?.recovered) stats.recovered += 1;
  const got = current(dir); // loadCheckpoint verifies every sha256, so a match is exact
  const isPrev = got.sha === exp.prev.sha && got.epoch === exp.prev.epoch;
  const isInflight = exp.inflight !== undefined && got.sha === exp.inflight.sha && got.epoch === exp.inflight.epoch;
  expect(isPrev || isInflight, `loaded epoch ${got.epoch} ${got.sha}, expected ${JSON.stringify(exp)}`).toBe(true);
  if (isInflight) stats.gotInflight += 1;
  else stats.gotPrev += 1;

  const before = tf.memory().numTensors;
  const model = newModel();
  const res = await train(model, data, { epochs: 100_000, batchSize: 4, checkpointDir: dir, resume: true, stopAfterEpoch: got.epoch + 1, progress: 'none' });
  // Resumed from exactly the loaded checkpoint: one more epoch, one more step.
  expect(res.history.length).toBe(got.epoch + 1);
  expect(res.steps).toBe(got.epoch + 1);
  res.optimizer.dispose();
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  const left = atomicLeftovers(dir);
  stats.leftoversAfterResume += left.length;
  expect(left.map((l) => l.path)).toEqual([]);
}

/** A file system that stops working (throws, changes nothing) from its `at`-th operation on. */
function freezingFs(at: number): { fs: AtomicFs; ops: () => number } {
  let n = 0;
  const afs = interceptedFs(() => {
    if (++n >= at) throw new Error(`simulated kill before file-system operation ${at}`);
  });
  return { fs: afs, ops: () => n };
}

/** Saves the next checkpoint of the chain in `dir` through `afs` (which may freeze); returns its expectation. */
function saveNext(dir: string, afs: AtomicFs): { epoch: number; sha: string } {
  const prev = current(dir);
  const epoch = prev.epoch + 1;
  const model = newModel();
  const w = model.namedWeights();
  Object.values(w).forEach((x, i) => tf.tidy(() => x.assign(tf.fill(x.shape, epoch + i / 100))));
  const opt = new AdamW();
  const mv = Object.fromEntries(Object.entries(w).map(([k, x]) => [k, tf.fill(x.shape, epoch / 10)]));
  opt.setState({ step: epoch, m: mv, v: mv });
  tf.dispose(Object.values(mv));
  const sha = sha256Hex(tensorsToSafetensors(w, { format: 'acn-weights', architecture: 'mlp' }));
  const history = Array.from({ length: epoch }, (_, i) => ({ epoch: i + 1 }));
  try {
    saveCheckpoint(dir, { model, optimizer: opt, trainer: { epoch, step: epoch, rngState: epoch, history } }, { fs: afs });
  } catch {
    // the simulated kill
  } finally {
    opt.dispose();
    model.dispose();
  }
  return { epoch, sha };
}

interface ChildRun {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

function runChild(dir: string, killAt: string, randomKillMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, killAt], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      // Arm the random kill once the child is saving (startup takes far longer than a save).
      if (randomKillMs !== undefined && !armed && out.includes('begin ')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), randomKillMs);
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`kill child failed (${code}): ${err}`));
      else resolve({ lines: out.split('\n').filter(Boolean), code, signal });
    });
  });
}

/** prev = the last checkpoint known complete; inflight = the one begun but not reported done. */
function expectationFromChild(start: { epoch: number; sha: string }, lines: string[]): Expect {
  let prev = start;
  let inflight: { epoch: number; sha: string } | undefined;
  for (const l of lines) {
    const [kind, e, sha] = l.split(' ');
    if (kind === 'begin') inflight = { epoch: Number(e), sha };
    if (kind === 'done' && inflight) {
      prev = inflight;
      inflight = undefined;
    }
  }
  return { prev, inflight };
}

describe('saveCheckpoint survives a kill at any instant', () => {
  let dir: string;
  let protocolOps = 0;
  let swapAt = 0;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = join(root, 'run', 'ckpt');
    const m = newModel();
    const r = await train(m, data, { epochs: 1, batchSize: 4, checkpointDir: dir, progress: 'none' });
    r.optimizer.dispose();
    m.dispose();
    const counter = freezingFs(Infinity);
    saveNext(dir, counter.fs);
    protocolOps = counter.ops();
  });
  afterAll(() => {
    console.log(`[kill test] ${JSON.stringify({ protocolOps, ...stats })}`);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('simulated kill before every file-system operation of the save protocol', async () => {
    expect(protocolOps).toBeGreaterThan(15); // mkdir, 3 x (open, write, fsync, close), fsyncs, 2 renames, rm
    for (let at = 1; at <= protocolOps; at++) {
      const prev = current(dir);
      const inflight = saveNext(dir, freezingFs(at).fs);
      if (!fs.existsSync(dir)) swapAt = at; // killed between the two renames
      await checkAfterKill(dir, { prev, inflight });
      stats.simulated += 1;
    }
  });

  it('simulated kills stacked up: several crashed saves in a row, then one resume', async () => {
    const prev = current(dir);
    // Crash the same save at different instants three times without a resume in between: the
    // leftovers pile up (temp dirs, a backup), the live directory may be gone.
    expect(swapAt).toBeGreaterThan(0);
    const a = saveNext(dir, freezingFs(swapAt).fs); // after the first rename: dir is missing
    expect(fs.existsSync(dir)).toBe(false);
    const b = saveNext(dir, freezingFs(8).fs);
    expect(atomicLeftovers(dir).length).toBeGreaterThanOrEqual(2);
    // The newest complete copy wins: `a` (complete, in a temp sibling); `b` never completed.
    await checkAfterKill(dir, { prev: a, inflight: undefined });
    expect(b.epoch).toBeGreaterThan(prev.epoch);
  });

  it(`real SIGKILL of a child at ${REAL_RUNS} injected points and ${REAL_RUNS} random moments`, async () => {
    for (let i = 0; i < REAL_RUNS; i++) {
      // Spread the injected points over the whole protocol.
      const at = 1 + Math.floor(((i + 0.5) * protocolOps) / REAL_RUNS);
      const start = current(dir);
      const run = await runChild(dir, String(at));
      expect(run.signal).toBe('SIGKILL');
      await checkAfterKill(dir, expectationFromChild(start, run.lines));
      stats.realInjected += 1;
    }
    for (let i = 0; i < REAL_RUNS; i++) {
      const start = current(dir);
      const run = await runChild(dir, 'loop', Math.floor(Math.random() * 40));
      expect(run.signal).toBe('SIGKILL');
      await checkAfterKill(dir, expectationFromChild(start, run.lines));
      stats.realRandom += 1;
    }
  }, 900_000);
});
