/**
 * Experiment 5, low-data regime (acn.md §5.5; paper Fig. 6, CIFAR-10 with 100 images per class):
 * 100 random (seeded) training images per class of Fashion-MNIST, full test set; train and test
 * loss curves, AC vs residual.
 */
import { evaluate, type BlockModel, type TrainerCallbacks } from '@acn/core';
import { loadRunSplits, samplePerClass } from '../common/data';
import { lineChart, Rows, type Experiment } from '../common/experiment';
import { fit, toArrays } from '../common/fit';
import { armConnectivity, buildMixer } from '../common/model';
import { meanCurve } from '../common/stats';
import type { ArrayDataset } from '@acn/core';

/** Records the plain cross-entropy of `model` on `data` at every epoch end (inference mode). */
function lossRecorder(model: BlockModel, data: ArrayDataset): TrainerCallbacks & { losses: number[] } {
  const losses: number[] = [];
  return { losses, onEpochEnd: () => void losses.push(evaluate(model, data).loss) };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export const lowdata: Experiment = {
  name: 'lowdata',
  title: 'Low-data regime: 100 images per class, train and test loss, AC vs residual',
  paperRef: 'acn.md §5.5 (Fig. 6)',
  defaults: { epochs: 40, warmup: 2, arms: ['acn', 'residual'] },
  quick: { epochs: 2 },
  expectedMinutes: 8,
  async run(o, ctx) {
    const data = await loadRunSplits(o);
    const test = toArrays(data.test);
    const arms = o.arms ?? ['acn', 'residual'];
    const rows = new Rows();
    const curves = new Map<string, { train: number[][]; test: number[][] }>();
    ctx.runs.expect(arms.length * o.seeds.length);
    let trainSize = 0;
    for (const seed of o.seeds) {
      // The subset depends on the seed only, so both arms of a seed train on the same images.
      const train = toArrays(samplePerClass(data.train, o.perClass, seed));
      trainSize = train.count;
      for (const arm of arms) {
        ctx.runs.next(`${arm}, seed ${seed}`);
        const model = buildMixer(o, armConnectivity(arm), train, seed);
        try {
          const rec = lossRecorder(model, train);
          const r = await fit(model, train, test, o, seed, { progress: ctx.progress, callbacks: [rec] });
          const c = curves.get(arm) ?? { train: [], test: [] };
          c.train.push(rec.losses);
          c.test.push(r.testLoss);
          curves.set(arm, c);
          rows.add(arm, '', 'final train loss', 'loss', rec.losses[rec.losses.length - 1]);
          rows.add(arm, '', 'final test loss', 'loss', r.testLoss[r.testLoss.length - 1]);
          rows.add(arm, '', 'min test loss', 'loss', Math.min(...r.testLoss));
          rows.add(arm, '', 'epoch of min test loss', 'epoch', r.testLoss.indexOf(Math.min(...r.testLoss)) + 1);
          // "Lower loss in fewer epochs" (the paper's curves): the mean over epochs is the area under each curve.
          rows.add(arm, '', 'train loss, mean over epochs', 'loss', mean(rec.losses));
          rows.add(arm, '', 'test loss, mean over epochs', 'loss', mean(r.testLoss));
          rows.add(arm, '', 'test accuracy (last epoch)', 'fraction', r.finalAccuracy);
          rows.add(arm, '', 'test accuracy (best epoch)', 'fraction', r.bestAccuracy);
          ctx.log(`${arm} seed ${seed}: test loss ${r.testLoss[r.testLoss.length - 1].toFixed(3)}, acc ${(100 * r.finalAccuracy).toFixed(2)}%`);
        } finally {
          model.dispose();
        }
      }
    }
    const series = (kind: 'train' | 'test') => arms.map((a) => ({ name: `${a} ${kind}`, y: meanCurve(curves.get(a)![kind]) }));
    return {
      dataset: data.name,
      trainSize,
      testSize: test.count,
      rows: rows.rows(),
      charts: [lineChart('loss', 'Train and test loss per epoch (seed mean)', 'epoch', 'cross-entropy', [...series('train'), ...series('test')])],
      notes: [
        `Training set: ${o.perClass} images per class drawn at random without replacement with the run's seed (the authors' code took the first 100 per class; the paper says random), ${trainSize} images; test set complete.`,
        'Train loss is the plain cross-entropy on the whole training subset at each epoch end (inference mode, no label smoothing), so it is comparable to the test loss. A model that fits the training set under label smoothing ε = 0.1 ends near −ln(0.91) ≈ 0.094, the smoothing optimum, so the final train loss saturates; the mean over epochs (area under the curve) shows which model gets there sooner.',
      ],
    };
  },
};
