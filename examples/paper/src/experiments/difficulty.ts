/**
 * Experiment 3, task difficulty (acn.md §4.6; paper Fig. 4): the first 2, 5 and 10 classes of
 * Fashion-MNIST, AC vs residual of the same depth; the cutoff layer per class count. Paper (CIFAR-10
 * Mixers, 16 layers): AC uses 8 / 10 / 12 layers, residual all 16.
 */
import { firstClasses, loadRunSplits } from '../common/data';
import { lineChart, Rows, type Experiment } from '../common/experiment';
import { fit, toArrays } from '../common/fit';
import { armConnectivity, buildMixer } from '../common/model';
import { meanCurve } from '../common/stats';

export const difficulty: Experiment = {
  name: 'difficulty',
  title: 'Task difficulty: cutoff layer for 2, 5 and 10 classes of Fashion-MNIST, AC vs residual',
  paperRef: 'acn.md §4.6 (Fig. 4)',
  defaults: { epochs: 8, arms: ['acn', 'residual'] },
  quick: { classCounts: [2, 10] },
  expectedMinutes: 12,
  async run(o, ctx) {
    const data = await loadRunSplits(o);
    const arms = o.arms ?? ['acn', 'residual'];
    const rows = new Rows();
    const cutoffs = new Map<string, number[][]>();
    ctx.runs.expect(arms.length * o.seeds.length * o.classCounts.length);
    const sizes: string[] = [];
    for (const c of o.classCounts) {
      const train = toArrays(firstClasses(data.train, c));
      const test = toArrays(firstClasses(data.test, c));
      sizes.push(`${c} classes: ${train.count} train / ${test.count} test`);
      for (const seed of o.seeds) {
        for (const arm of arms) {
          ctx.runs.next(`${arm}, ${c} classes, seed ${seed}`);
          const model = buildMixer(o, armConnectivity(arm), train, seed);
          try {
            const r = await fit(model, train, test, o, seed, { progress: ctx.progress });
            rows.add(arm, `${c} classes`, 'cutoff layer', 'layer', r.cutoffLayer);
            rows.add(arm, `${c} classes`, 'test accuracy', 'fraction', r.finalAccuracy);
            const key = arm;
            const list = cutoffs.get(key) ?? [];
            (list[o.seeds.indexOf(seed)] ??= []).push(r.cutoffLayer);
            cutoffs.set(key, list);
            ctx.log(`${arm}, ${c} classes, seed ${seed}: ${(100 * r.finalAccuracy).toFixed(2)}%, cutoff ${r.cutoffLayer}/${model.depth}`);
          } finally {
            model.dispose();
          }
        }
      }
    }
    return {
      dataset: data.name,
      trainSize: data.train.count,
      testSize: data.test.count,
      rows: rows.rows(),
      charts: [lineChart('cutoffs', 'Cutoff layer vs number of classes (seed mean)', 'classes', 'cutoff layer', arms.map((a) => ({ name: a, x: [...o.classCounts], y: meanCurve(cutoffs.get(a)!) })))],
      notes: [
        `Subsets take the first C classes (acn.md §4.6), relabelled 0..C−1, train and test filtered alike: ${sizes.join('; ')}. trainSize/testSize above are the 10-class sizes.`,
        `Same epochs for every class count, so smaller tasks see fewer steps. Cutoff: smallest k with probe(k) >= probe(L) − ${100 * o.delta} points.`,
        'The paper trains AC longer (420 vs 300 epochs) to match the residual accuracy; here both get the same budget.',
      ],
    };
  },
};
