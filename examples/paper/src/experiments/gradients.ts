/**
 * Experiment 2, gradient dynamics (acn.md §4.4, §4.5, §5.1; paper Fig. 1 left, Fig. 2 right):
 * per-layer gradient L2 norms and the direct-vs-full gradient comparison (cosine and norm ratio)
 * over training, AC vs residual. Heatmaps are seed means, layers × epochs.
 */
import { DirectGradientTracker, GradientNormTracker } from '@acn/metrics';
import { loadRunArrays } from '../common/data';
import { Rows, type Experiment } from '../common/experiment';
import { fit } from '../common/fit';
import { armConnectivity, buildMixer } from '../common/model';
import type { Chart } from '../common/schema';
import { meanMatrix } from '../common/stats';

/** Mean of the finite values of `m[rows][cols]` over the given row and column ranges (end-exclusive). */
export function blockMean(m: readonly (readonly number[])[], rows: [number, number], cols: [number, number]): number {
  let s = 0;
  let n = 0;
  for (let r = rows[0]; r < rows[1]; r++) {
    for (let c = cols[0]; c < cols[1]; c++) {
      const v = m[r]?.[c];
      if (v !== undefined && Number.isFinite(v)) {
        s += v;
        n += 1;
      }
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/** Divides every epoch column of a layers × epochs matrix by its largest entry (display scaling, acn.md §4.4). */
function perEpochScaled(m: number[][]): number[][] {
  const cols = m[0]?.length ?? 0;
  const max = Array.from({ length: cols }, (_, c) => Math.max(...m.map((row) => (Number.isFinite(row[c]) ? row[c] : 0))));
  return m.map((row) => row.map((v, c) => (max[c] > 0 && Number.isFinite(v) ? v / max[c] : 0)));
}

export const gradients: Experiment = {
  name: 'gradients',
  title: 'Gradient dynamics: per-layer gradient norms and direct vs full gradient, AC vs residual',
  paperRef: 'acn.md §4.4, §4.5, §5.1 (Fig. 1 left, Fig. 2 right)',
  defaults: { epochs: 10, arms: ['acn', 'residual'] },
  quick: {},
  expectedMinutes: 8,
  async run(o, ctx) {
    const { name: dataset, train, test } = await loadRunArrays(o);
    const arms = o.arms ?? ['acn', 'residual'];
    const rows = new Rows();
    const heat = new Map<string, { norms: number[][][]; cosine: number[][][]; ratio: number[][][] }>();
    ctx.runs.expect(arms.length * o.seeds.length);
    const L = o.depth;
    const early: [number, number] = [0, Math.max(1, Math.floor(L / 2))];
    const late: [number, number] = [Math.max(1, Math.floor(L / 2)), L];
    const firstEpochs: [number, number] = [0, Math.max(1, Math.ceil(o.epochs / 3))];
    for (const seed of o.seeds) {
      for (const arm of arms) {
        ctx.runs.next(`${arm}, seed ${seed}`);
        const model = buildMixer(o, armConnectivity(arm), train, seed);
        try {
          const norms = new GradientNormTracker(L);
          const dgfg = o.dgfgEvery > 0 ? new DirectGradientTracker(model, { every: o.dgfgEvery, labelSmoothing: o.labelSmoothing }) : undefined;
          const r = await fit(model, train, test, o, seed, { progress: ctx.progress, callbacks: dgfg ? [norms, dgfg] : [norms] });
          const h = heat.get(arm) ?? { norms: [], cosine: [], ratio: [] };
          const n = norms.layersByEpochs();
          h.norms.push(n);
          const total = blockMean(n, [0, L], firstEpochs);
          rows.add(arm, '', 'test accuracy', 'fraction', r.finalAccuracy);
          rows.add(arm, '', 'cutoff layer', 'layer', r.cutoffLayer);
          rows.add(arm, `first ${firstEpochs[1]} epoch(s)`, 'grad norm, layers 1..L/2 ÷ all layers', 'ratio', blockMean(n, early, firstEpochs) / total);
          rows.add(arm, `first ${firstEpochs[1]} epoch(s)`, 'grad norm, layers L/2+1..L ÷ all layers', 'ratio', blockMean(n, late, firstEpochs) / total);
          if (dgfg) {
            const cos = dgfg.layersByEpochs('cosine');
            const ratio = dgfg.layersByEpochs('normRatio');
            h.cosine.push(cos);
            h.ratio.push(ratio);
            rows.add(arm, `first ${firstEpochs[1]} epoch(s)`, 'cos(DG, FG), layers 1..L/2', 'ratio', blockMean(cos, early, firstEpochs));
            rows.add(arm, `first ${firstEpochs[1]} epoch(s)`, 'cos(DG, FG), layers L/2+1..L', 'ratio', blockMean(cos, late, firstEpochs));
            rows.add(arm, 'all epochs', 'cos(DG, FG), all layers', 'ratio', blockMean(cos, [0, L], [0, o.epochs]));
            rows.add(arm, 'all epochs', '‖DG‖/‖FG‖, all layers', 'ratio', blockMean(ratio, [0, L], [0, o.epochs]));
          }
          heat.set(arm, h);
          ctx.log(`${arm} seed ${seed}: ${(100 * r.finalAccuracy).toFixed(2)}%, cutoff ${r.cutoffLayer}/${L} (${r.seconds.toFixed(0)} s)`);
        } finally {
          model.dispose();
        }
      }
    }
    const charts: Chart[] = [];
    const heatmap = (id: string, title: string, colorLabel: string, m: (number | null)[][]): Chart => ({ kind: 'heatmap', id, title, xLabel: 'epoch', yLabel: 'layer', colorLabel, matrix: m });
    for (const arm of arms) {
      const h = heat.get(arm)!;
      charts.push(heatmap(`norms-${arm}`, `Gradient L2 norm per layer, ${arm} (seed mean, ÷ epoch max)`, 'norm / epoch max', perEpochScaled(meanMatrix(h.norms).map((r) => r.map((v) => v ?? Number.NaN)))));
      if (h.cosine.length) {
        charts.push(heatmap(`cos-${arm}`, `cos(DG, FG) per layer, ${arm} (seed mean)`, 'cosine', meanMatrix(h.cosine)));
        charts.push(heatmap(`ratio-${arm}`, `‖DG‖/‖FG‖ per layer, ${arm} (seed mean)`, 'norm ratio', meanMatrix(h.ratio)));
      }
    }
    return {
      dataset,
      trainSize: train.count,
      testSize: test.count,
      rows: rows.rows(),
      charts,
      notes: [
        'Gradient norms: per block, L2 norm of the raw (unclipped) gradient at every step, averaged per epoch (acn.md §4.4; raw values stored, scaled per epoch only for display).',
        `DG vs FG (acn.md §4.5, A3): once every ${o.dgfgEvery} steps the same batch is run again with every block input stop-gradiented (AC) or every residual branch input stop-gradiented (residual); per block cos(g_DG, g_FG) and ‖g_DG‖/‖g_FG‖, averaged per epoch. The paper's "DG/FG ratio" reading is ambiguous, so both are reported.`,
        '"layers 1..L/2 ÷ all layers" is the mean norm of the first half of the blocks divided by the mean over all blocks in the first third of training: above 1 means gradient mass concentrated in early layers (the paper\'s layer-wise learning signature for AC).',
      ],
    };
  },
};
