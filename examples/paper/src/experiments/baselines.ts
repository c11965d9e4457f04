/**
 * Experiment 1, baselines (acn.md §3.2–3.4, §5.8 Table 5): every connectivity core knows
 * (feedforward, residual, AC, and DenseNet-/DenseFormer-style once core has them) plus the AC
 * direct-gradient-only variant, same size, data and budget; test accuracy (last and best epoch),
 * cutoff layer, % network used and best epoch.
 */
import type { Experiment } from '../common/experiment';
import { lineChart, Rows } from '../common/experiment';
import { fit } from '../common/fit';
import { armConnectivity, baselineArms, buildMixer, directGradientOnly, DG_ONLY_ARM } from '../common/model';
import { loadRunArrays } from '../common/data';
import { meanCurve } from '../common/stats';

export const baselines: Experiment = {
  name: 'baselines',
  title: 'Baselines: feedforward, residual, AC, AC direct-gradient-only, DenseNet-/DenseFormer-style Mixers (same budget)',
  paperRef: 'acn.md §3.2–3.4, §5.8 (Table 5)',
  defaults: { epochs: 6 },
  quick: {},
  expectedMinutes: 25,
  async run(o, ctx) {
    const { name: dataset, train, test } = await loadRunArrays(o);
    const arms = o.arms ?? baselineArms();
    for (const a of arms) armConnectivity(a); // fail before training on an unknown arm
    const rows = new Rows();
    const probes = new Map<string, number[][]>();
    ctx.runs.expect(arms.length * o.seeds.length);
    for (const seed of o.seeds) {
      for (const arm of arms) {
        ctx.runs.next(`${arm}, seed ${seed}`);
        const model = buildMixer(o, armConnectivity(arm), train, seed);
        try {
          const r = await fit(model, train, test, o, seed, { progress: ctx.progress, trainView: arm === DG_ONLY_ARM ? directGradientOnly(model) : undefined });
          rows.add(arm, '', 'test accuracy (last epoch)', 'fraction', r.finalAccuracy);
          rows.add(arm, '', 'test accuracy (best epoch)', 'fraction', r.bestAccuracy);
          rows.add(arm, '', 'best epoch', 'epoch', r.bestEpoch);
          rows.add(arm, '', 'cutoff layer', 'layer', r.cutoffLayer);
          rows.add(arm, '', '% network used', 'fraction', r.cutoffLayer / model.depth);
          rows.add(arm, '', 'params', 'count', model.paramCount());
          probes.set(arm, [...(probes.get(arm) ?? []), r.probeAccuracy.map((a) => 100 * a)]);
          ctx.log(`${arm} seed ${seed}: ${(100 * r.finalAccuracy).toFixed(2)}%, cutoff ${r.cutoffLayer}/${model.depth}, best epoch ${r.bestEpoch} (${r.seconds.toFixed(0)} s)`);
        } finally {
          model.dispose();
        }
      }
    }
    const probeChart = lineChart(
      'probes',
      'Probe accuracy per prediction layer (seed mean)',
      'prediction layer k (0 = embedding only)',
      'probe accuracy (%)',
      arms.map((a) => ({ name: a, y: meanCurve(probes.get(a)!), x: probes.get(a)![0].map((_, k) => k) })),
    );
    return {
      dataset,
      trainSize: train.count,
      testSize: test.count,
      rows: rows.rows(),
      charts: [probeChart],
      notes: [
        `Arms are read from core's CONNECTIVITIES (${arms.join(', ')}); DenseNet-/DenseFormer-style Mixers appear automatically once core has them.`,
        'All arms have the same depth, width and budget (the paper reduces DenseNet-Mixer to 10 layers to match parameters; here the params row shows the difference instead).',
        `Cutoff layer: smallest k with probe(k) >= probe(L) − ${100 * o.delta} points (acn.md §4.2, A4).`,
        `${DG_ONLY_ARM}: the AC model trained with every block input stop-gradiented (acn.md §3.3); probed with the normal forward.`,
      ],
    };
  },
};
