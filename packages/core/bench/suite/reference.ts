/**
 * Runs the PyTorch reference (`bench/reference/run.py` at the repository root) when the system
 * Python has torch: with OpenBLAS's default core detection and, if a small matmul gives the same
 * numbers, with `OPENBLAS_CORETYPE=SkylakeX`. `OPENBLAS_VERBOSE=2` makes OpenBLAS name the kernel
 * it chose; that stderr line is kept in the result.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainCase } from './configs';
import { load } from './measure';

export interface ReferenceRun {
  readonly env: string;
  /** torch threads of this run. */
  readonly threads: number;
  readonly blas: Record<string, unknown>;
  /** What `OPENBLAS_VERBOSE=2` printed (the chosen core). */
  readonly verbose: string;
  readonly rows: Array<{ case: string; batch: number; wallMs: number; cpuMs: number; params: number }>;
  /** Load average when the run started (ours) and when it ended (`load`, from Python). */
  readonly loadBefore?: number[];
  readonly load: number[];
}

export interface ReferenceResult {
  readonly available: boolean;
  readonly message: string;
  readonly runs: ReferenceRun[];
  /** Largest |default − SkylakeX| on the check matmul (null when not run). */
  readonly coretypeCheck?: { readonly maxAbsDiff: number; readonly same: boolean; readonly gflops512: Record<string, number> };
}

/** The system interpreter that Debian's python3-torch installs into (platform.md §4). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function py(script: string, args: string[], env: Record<string, string>, timeoutMs: number) {
  // OPENBLAS_NUM_THREADS=1: torch runs its own 2 threads; OpenBLAS threading on top oversubscribes (platform.md §4).
  return spawnSync(PYTHON, [script, ...args], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OPENBLAS_VERBOSE: '2', ...env }, encoding: 'utf8', timeout: timeoutMs });
}

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').pop() ?? '{}');

/** Runs the reference for `cases`; never throws (an unavailable reference is a message). */
export function runReference(root: string, cases: readonly TrainCase[], reps: number, threads = 2): ReferenceResult {
  const script = join(root, 'bench', 'reference', 'run.py');
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return { available: false, message: `PyTorch reference skipped: '${PYTHON} -c "import torch"' failed (apt-get install python3-torch libopenblas0-pthread)`, runs: [] };
  }
  const check = (env: Record<string, string>) => {
    const r = py(script, ['--matmul-check', '--threads', String(threads)], env, 120_000);
    if (r.status !== 0) throw new Error(`matmul check failed: ${r.stderr}`);
    return lastJson(r.stdout) as { values: number[]; gflops512: number };
  };
  const base = check({});
  const sky = check({ OPENBLAS_CORETYPE: 'SkylakeX' });
  const maxAbsDiff = Math.max(...base.values.map((v, i) => Math.abs(v - sky.values[i])));
  // Both compute the same fp32 dot products in a different order: agreement to ~1e-5 relative is "the same numbers".
  const same = maxAbsDiff <= 1e-4 * Math.max(...base.values.map(Math.abs));
  const envs: Array<Record<string, string>> = same ? [{}, { OPENBLAS_CORETYPE: 'SkylakeX' }] : [{}];
  const runs: ReferenceRun[] = [];
  // Also 1 thread: the like-for-like reference of our single-threaded step (the 2-thread run is
  // that of 2 workers), and on a loaded machine its CPU time estimates the uncontended step, where
  // the 2-thread run's wall time is inflated and its CPU time counts spin-waiting threads.
  for (const env of envs) {
    for (const t of [...new Set([threads, 1])]) {
      const loadBefore = load();
      const r = py(script, ['--cases', JSON.stringify(cases), '--reps', String(reps), '--threads', String(t)], env, 3_600_000);
      if (r.status !== 0) return { available: false, message: `PyTorch reference failed: ${r.stderr.slice(-2000)}`, runs };
      const out = lastJson(r.stdout) as Omit<ReferenceRun, 'env' | 'verbose' | 'threads'>;
      const verbose = r.stderr.split('\n').filter((l) => /core|openblas/i.test(l)).slice(0, 3).join(' | ');
      runs.push({ ...out, loadBefore, threads: t, env: env.OPENBLAS_CORETYPE ? `OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE}` : 'default detection', verbose });
    }
  }
  return {
    available: true,
    message: same ? 'default and SkylakeX agree on the check matmul' : `SkylakeX differs on the check matmul (max |diff| ${maxAbsDiff}); only the default detection is used`,
    runs,
    coretypeCheck: { maxAbsDiff, same, gflops512: { default: base.gflops512, SkylakeX: sky.gflops512 } },
  };
}
