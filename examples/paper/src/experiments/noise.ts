/**
 * Experiment 4, noise robustness (acn.md §5.4; paper Table 2, ViT on ImageNet): models trained on
 * clean Fashion-MNIST, tested on the clean test set and on copies corrupted with Gaussian noise
 * (σ ∈ {0.1, 0.2, 0.4}) and salt-and-pepper noise (p ∈ {0.01, 0.05, 0.1}), AC vs residual.
 */
import { evaluate, type ArrayDataset } from '@acn/core';
import { loadRunArrays } from '../common/data';
import { lineChart, Rows, type Experiment } from '../common/experiment';
import { fit } from '../common/fit';
import { armConnectivity, buildMixer } from '../common/model';
import { gaussianNoise, saltAndPepper } from '../common/noise';

/** The test-set variants: clean, then every Gaussian σ, then every salt-and-pepper p, each with its own seeded noise. */
export function noisyTestSets(test: ArrayDataset, sigmas: readonly number[], probs: readonly number[], seed: number): { condition: string; data: ArrayDataset }[] {
  return [
    { condition: 'clean', data: test },
    ...sigmas.map((s, i) => ({ condition: `gaussian σ=${s}`, data: { ...test, inputs: gaussianNoise(test.inputs, s, seed * 1000 + i) } })),
    ...probs.map((p, i) => ({ condition: `salt&pepper p=${p}`, data: { ...test, inputs: saltAndPepper(test.inputs, p, seed * 1000 + 500 + i, test.sampleShape[2] ?? 1) } })),
  ];
}

export const noise: Experiment = {
  name: 'noise',
  title: 'Noise robustness: Gaussian and salt-and-pepper noise on the test set, AC vs residual',
  paperRef: 'acn.md §5.4 (Table 2)',
  defaults: { epochs: 10, arms: ['acn', 'residual'] },
  quick: {},
  expectedMinutes: 9,
  async run(o, ctx) {
    const { name: dataset, train, test } = await loadRunArrays(o);
    const arms = o.arms ?? ['acn', 'residual'];
    const rows = new Rows();
    const curves = new Map<string, number[][]>();
    ctx.runs.expect(arms.length * o.seeds.length);
    for (const seed of o.seeds) {
      const sets = noisyTestSets(test, o.sigmas, o.saltPepper, seed);
      for (const arm of arms) {
        ctx.runs.next(`${arm}, seed ${seed}`);
        const model = buildMixer(o, armConnectivity(arm), train, seed);
        try {
          await fit(model, train, test, o, seed, { progress: ctx.progress });
          const accs = sets.map((s) => evaluate(model, s.data).accuracy);
          sets.forEach((s, i) => rows.add(arm, s.condition, 'test accuracy', 'fraction', accs[i]));
          sets.forEach((s, i) => i > 0 && rows.add(arm, s.condition, 'drop vs clean', 'points', 100 * (accs[0] - accs[i])));
          curves.set(arm, [...(curves.get(arm) ?? []), accs.map((a) => 100 * a)]);
          ctx.log(`${arm} seed ${seed}: ${sets.map((s, i) => `${s.condition} ${(100 * accs[i]).toFixed(1)}%`).join(', ')}`);
        } finally {
          model.dispose();
        }
      }
    }
    const gIdx = o.sigmas.map((_, i) => i + 1);
    const spIdx = o.saltPepper.map((_, i) => i + 1 + o.sigmas.length);
    const mean = (arm: string, idx: number[]) => idx.map((i) => curves.get(arm)!.reduce((s, c) => s + c[i], 0) / curves.get(arm)!.length);
    return {
      dataset,
      trainSize: train.count,
      testSize: test.count,
      rows: rows.rows(),
      charts: [
        lineChart('gaussian', 'Accuracy under Gaussian noise (seed mean)', 'σ', 'test accuracy (%)', arms.map((a) => ({ name: a, x: [0, ...o.sigmas], y: mean(a, [0, ...gIdx]) }))),
        lineChart('saltpepper', 'Accuracy under salt-and-pepper noise (seed mean)', 'p', 'test accuracy (%)', arms.map((a) => ({ name: a, x: [0, ...o.saltPepper], y: mean(a, [0, ...spIdx]) }))),
      ],
      notes: [
        'Where the noise is added: to the raw test pixels in [0, 1] (the models see exactly these values; there is no further normalisation), then clipped to [0, 1]. Training data stay clean.',
        'Gaussian: x + σ·N(0,1) per pixel. Salt-and-pepper: each pixel becomes 0 with probability p/2 and 1 with probability p/2 (a fraction p corrupted). The paper does not say where it adds noise or which S&P convention it uses (acn.md A8).',
        'The noise is seeded per run seed and condition, so AC and residual of one seed see the identical corrupted images.',
      ],
    };
  },
};
