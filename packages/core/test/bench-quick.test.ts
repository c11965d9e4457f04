/**
 * The benchmark suite in its quick configuration, in-process: every case the CI bench runs must
 * produce finite timings, FLOPs and ratios, leave no tensors behind, and print a table.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf } from '../src/index';
import { useWasm } from '../src/testing/helpers';
import { runHooksCase, runInferenceCase, runTrainCase, runWorkersCase } from '../bench/suite/cases';
import { suiteConfig } from '../bench/suite/configs';
import { bestReference, printTable } from '../bench/suite/table';

const cfg = { ...suiteConfig(true), reps: 1 };
const logs: string[] = [];

describe('bench --quick', () => {
  beforeAll(useWasm);
  afterAll(() => vi.restoreAllMocks());

  it('measures a training step of each model with FLOPs, efficiency and stable tensors', async () => {
    const start = tf.memory().numTensors;
    const rows = [];
    for (const c of cfg.train) {
      const r = await runTrainCase(c, 1);
      expect(r.step.wallMs).toBeGreaterThan(0);
      expect(r.stepFlops).toBeGreaterThan(0);
      expect(r.matmulPeak.gflops).toBeGreaterThan(0);
      expect(Number.isFinite(r.efficiency)).toBe(true);
      expect(r.tensors.after).toBe(r.tensors.before);
      rows.push(r);
    }
    expect(tf.memory().numTensors).toBe(start);
    const workers = [];
    for (const c of cfg.train) {
      // ViT and BERT (int32 token ids) too: every model the suite trains also runs on 1 and 2 workers.
      const w = await runWorkersCase(cfg, c);
      expect(w.twoWorkers.wallMs).toBeGreaterThan(0);
      expect(w.twoWorkers.workerCpuMs).toHaveLength(2);
      expect(w.perCore.matmulPeak).toBeGreaterThan(0);
      expect(Number.isFinite(w.perCore.efficiency.wall)).toBe(true);
      workers.push(w);
    }
    expect(tf.memory().numTensors).toBe(start);
    const hooks = await runHooksCase(cfg, cfg.train[0]);
    const inference = await runInferenceCase(cfg);
    expect((inference.flopSpeedup as number) > 1.5).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    const reference = {
      available: true,
      message: 'fake',
      runs: [
        { env: 'default detection', threads: 2, blas: {}, verbose: '', rows: [{ case: 'mixer', batch: 16, wallMs: 40, cpuMs: 70, params: 1 }], load: [] },
        { env: 'OPENBLAS_CORETYPE=SkylakeX', threads: 2, blas: {}, verbose: '', rows: [{ case: 'mixer', batch: 16, wallMs: 20, cpuMs: 35, params: 1 }], load: [] },
        { env: 'default detection', threads: 1, blas: {}, verbose: '', rows: ['mixer', 'vit', 'bert'].map((c) => ({ case: c, batch: 8, wallMs: 30, cpuMs: 28, params: 1 })), load: [] },
        { env: 'OPENBLAS_CORETYPE=SkylakeX', threads: 1, blas: {}, verbose: '', rows: ['mixer', 'vit', 'bert'].map((c) => ({ case: c, batch: 8, wallMs: 26, cpuMs: 25, params: 1 })), load: [] },
        { env: 'default detection', threads: 2, blas: {}, verbose: '', rows: ['vit', 'bert'].map((c) => ({ case: c, batch: 8, wallMs: 18, cpuMs: 33, params: 1 })), load: [] },
      ],
    };
    expect(bestReference(reference, 'mixer')).toEqual({ ms: 20, env: 'OPENBLAS_CORETYPE=SkylakeX, 2 threads' });
    expect(bestReference(reference, 'mixer', 1)).toEqual({ ms: 25, env: 'OPENBLAS_CORETYPE=SkylakeX, 1 thread cpu' });
    expect(bestReference(reference, 'bert', 2)).toEqual({ ms: 18, env: 'default detection, 2 threads' });
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    printTable({ train: rows, hooks, inference, workers, reference, loadBefore: [1, 1, 1], loadAfter: [1, 1, 1] });
    const text = logs.join('\n');
    expect(text).toMatch(/mixer step <= 4x PyTorch \(ours 1 thread vs best torch\)\s+\d/);
    for (const m of ['mixer', 'vit', 'bert']) {
      const limit = m === 'mixer' ? 4 : 5;
      expect(text).toMatch(new RegExp(`${m} step <= ${limit}x PyTorch, 1 thread vs torch 1 thread\\s+\\d`));
      expect(text).toMatch(new RegExp(`${m} step <= ${limit}x PyTorch, 2 workers \\(wall\\) vs torch 2 threads\\s+\\d`));
      expect(text).toMatch(new RegExp(`${m}: 2 workers >= 1.7x 1 worker \\(wall\\)\\s+\\d`));
    }
    expect(text).toMatch(/Mixer GFLOP\/s per core, 2 workers, >= 65% of matmul peak \(wall \/ projected\)\s+\d/);
    expect(text).toMatch(/identity hook overhead <= 1.10x\s+\d/);
    expect(text).toMatch(/truncated speed-up >= 80% of FLOPs speed-up/);
  });
});
