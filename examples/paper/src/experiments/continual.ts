/**
 * Experiment 7, continual learning (acn.md §5.6; paper Table 3, Split CIFAR-100 with 20 tasks):
 * Split Fashion-MNIST (embedded subset, or the full set with `--data-dir`) into 5 two-class tasks, task-incremental,
 * naive fine-tuning and Synaptic Intelligence, AC vs residual at several depths; average accuracy
 * and average forgetting.
 */
import { evaluate, train, type ArrayDataset } from '@acn/core';
import { filterClasses } from '@acn/datasets';
import { averageAccuracy, averageForgetting } from '../continual/metrics';
import { SynapticIntelligence } from '../continual/si';
import { taskView } from '../continual/task-view';
import { loadRunSplits, splitClasses } from '../common/data';
import { lineChart, Rows, type Experiment } from '../common/experiment';
import { toArrays } from '../common/fit';
import { armConnectivity, buildMixer, trainWorkers } from '../common/model';
import type { PaperOptions } from '../common/options';

/** Trains one model through every task and returns the T × T accuracy matrix. */
async function runSequence(
  o: PaperOptions,
  connectivity: 'acn' | 'residual',
  method: 'naive' | 'si',
  depth: number,
  seed: number,
  tasks: { classes: number[]; train: ArrayDataset; test: ArrayDataset }[],
  progress: RunProgress,
  numClasses: number,
): Promise<number[][]> {
  // One head over all classes of the dataset (10); each task answers with its own columns.
  const model = buildMixer(o, connectivity, { sampleShape: tasks[0].train.sampleShape, numClasses }, seed, depth);
  const si = method === 'si' ? new SynapticIntelligence(model.namedWeights(), { lambda: o.siLambda, xi: o.siXi }) : undefined;
  const r: number[][] = [];
  try {
    for (const [t, task] of tasks.entries()) {
      const view = taskView(model, task.classes);
      const extraLoss = si ? () => si.penalty() : undefined;
      const res = await train(view, task.train, {
        epochs: o.epochs,
        batchSize: o.batch,
        lr: o.lr,
        warmupEpochs: Math.min(o.warmup, o.epochs),
        labelSmoothing: o.labelSmoothing,
        clipNorm: 1,
        seed: seed * 100 + t,
        callbacks: si ? [si] : undefined,
        extraLoss,
        progress: progress.mode,
        // Always 0 here (a task view, and SI's extra loss): worker replicas would train the plain 10-way model.
        workers: trainWorkers(o, view, extraLoss),
      });
      res.optimizer.dispose();
      si?.consolidate();
      r.push(tasks.map((u) => evaluate(taskView(model, u.classes), u.test).accuracy));
      progress.log(`  after task ${t + 1}/${tasks.length}: ${r[t].map((a) => (100 * a).toFixed(1)).join(' ')}`);
    }
  } finally {
    si?.dispose();
    model.dispose();
  }
  return r;
}

interface RunProgress {
  readonly mode: 'auto' | 'bar' | 'lines' | 'none';
  readonly log: (line: string) => void;
}

export const continual: Experiment = {
  name: 'continual',
  title: 'Continual learning: Split Fashion-MNIST (5 two-class tasks, task-incremental), naive fine-tuning and SI, AC vs residual by depth',
  paperRef: 'acn.md §5.6 (Table 3)',
  defaults: { epochs: 2, warmup: 0, depths: [4, 8, 12] },
  quick: { depths: [2, 3] },
  expectedMinutes: 10,
  async run(o, ctx) {
    const data = await loadRunSplits(o);
    const tasks = splitClasses(data.train.numClasses, o.tasks).map((classes) => ({
      classes,
      train: toArrays(filterClasses(data.train, classes)),
      test: toArrays(filterClasses(data.test, classes)),
    }));
    const arms = (o.arms ?? ['acn', 'residual']).map((a) => armConnectivity(a));
    for (const a of arms) if (a !== 'acn' && a !== 'residual') throw new Error(`continual: arm '${a}' is not supported (acn, residual)`);
    const methods = ['naive', 'si'] as const;
    const rows = new Rows();
    const curves = new Map<string, number[][]>();
    ctx.runs.expect(arms.length * methods.length * o.depths.length * o.seeds.length);
    for (const seed of o.seeds) {
      for (const depth of o.depths) {
        for (const method of methods) {
          for (const arm of arms as ('acn' | 'residual')[]) {
            ctx.runs.next(`${arm} + ${method}, depth ${depth}, seed ${seed}`);
            const r = await runSequence(o, arm, method, depth, seed, tasks, { mode: ctx.progress, log: ctx.log }, data.train.numClasses);
            const name = `${arm}/${method}`;
            rows.add(name, `depth ${depth}`, 'average accuracy', 'fraction', averageAccuracy(r));
            rows.add(name, `depth ${depth}`, 'average forgetting', 'fraction', averageForgetting(r));
            const key = `${name} forgetting`;
            const list = curves.get(key) ?? [];
            (list[o.seeds.indexOf(seed)] ??= []).push(100 * averageForgetting(r));
            curves.set(key, list);
          }
        }
      }
    }
    const mean = (c: number[][]) => c[0].map((_, i) => c.reduce((s, row) => s + row[i], 0) / c.length);
    return {
      dataset: data.name,
      trainSize: tasks[0].train.count,
      testSize: tasks[0].test.count,
      rows: rows.rows(),
      charts: [lineChart('forgetting', 'Average forgetting vs depth (seed mean)', 'depth', 'average forgetting (points)', [...curves.entries()].map(([k, c]) => ({ name: k, x: [...o.depths], y: mean(c) })))],
      notes: [
        `${o.tasks} tasks of ${tasks[0].classes.length} classes (${tasks.map((t) => `[${t.classes.join(',')}]`).join(' ')}), ${o.epochs} epochs per task, task-incremental: one 10-way head, and for each task only its classes' logits are used (training and testing; acn.md A10 leaves the head layout open). trainSize/testSize above are per task.`,
        'Average accuracy: mean over tasks of the accuracy after the last task. Average forgetting: mean over tasks 1..T−1 of (accuracy right after learning the task − final accuracy); both in points.',
        `SI (Zenke et al. 2017): ω += −g·Δθ per step (g = the raw gradient of the step's total loss, as in Avalanche's implementation), Ω += ω/(Δθ_task² + ξ) after each task, penalty λ·ΣΩ(θ − θ*)², λ = ${o.siLambda}, ξ = ${o.siXi} (the paper gives λ = 1 and no ξ).`,
        'A new AdamW and learning-rate schedule per task; the shuffling seed differs per task.',
      ],
    };
  },
};
