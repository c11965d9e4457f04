/**
 * Experiment 6, transfer (acn.md §5.7; paper Table 4, CIFAR-100 → CIFAR-10): pre-train on one
 * task, fine-tune every weight on another; AC vs residual vs residual trained with the Aligned
 * shared-head exit losses (`@acn/early-exit`).
 */
import { tf, type BlockModel } from '@acn/core';
import { alignedExitLoss } from '@acn/early-exit';
import type { ImageDataset } from '@acn/datasets';
import { filterClasses } from '@acn/datasets';
import { loadRunSplits, loadSplits } from '../common/data';
import { lineChart, Rows, type Experiment } from '../common/experiment';
import { fit, toArrays } from '../common/fit';
import { buildMixer } from '../common/model';
import { DATASET_SHAPES, datasetOf, type PaperOptions } from '../common/options';
import { meanCurve } from '../common/stats';

/** The transfer arms: the backbone connectivity and whether the Aligned exit losses are used. */
const ARMS = { acn: { connectivity: 'acn', aligned: false }, residual: { connectivity: 'residual', aligned: false }, 'residual+aligned': { connectivity: 'residual', aligned: true } } as const;
type TransferArm = keyof typeof ARMS;

/**
 * Copies every weight of `from` into `to` except the classifier (`head.fc.*`), which the
 * downstream task re-learns from its fresh initialisation. Both models must have the same body.
 */
export function copyBackbone(from: BlockModel, to: BlockModel): number {
  const src = from.namedWeights();
  let copied = 0;
  for (const [path, v] of Object.entries(to.namedWeights())) {
    if (path.startsWith('head.fc.')) continue;
    const s = src[path];
    if (!s || s.shape.join() !== v.shape.join()) throw new Error(`copyBackbone: '${path}' is missing or differs in the pre-trained model`);
    tf.tidy(() => v.assign(s));
    copied += 1;
  }
  return copied;
}

async function stages(o: PaperOptions): Promise<{ name: string; up: { train: ImageDataset; test: ImageDataset }; down: { train: ImageDataset; test: ImageDataset }; describe: string }> {
  const dataset = datasetOf(o);
  if (o.upstream === 'mnist') {
    // The backbone is copied weight for weight, so both datasets need the same image shape.
    if (dataset === 'mnist') throw new Error('transfer: --upstream mnist with --dataset mnist would transfer MNIST to itself; use --upstream fashion-classes (classes 0–4 → 5–9)');
    if (DATASET_SHAPES[dataset].join() !== DATASET_SHAPES.mnist.join()) {
      throw new Error(`transfer: --upstream mnist needs 28×28×1 downstream images, but --dataset ${dataset} has ${DATASET_SHAPES[dataset].join('×')}; use --upstream fashion-classes (classes 0–4 → 5–9 of ${dataset})`);
    }
  }
  const main = await loadRunSplits(o);
  if (o.upstream === 'mnist') {
    const mnist = await loadSplits('mnist', o.dataDir, { train: o.trainLimit, test: o.testLimit });
    return { name: `${mnist.name} → ${main.name}`, up: mnist, down: main, describe: `pre-train on MNIST (10 classes), fine-tune on ${dataset} (10 classes)` };
  }
  const pick = (ds: ImageDataset, cls: number[]) => filterClasses(ds, cls);
  const upC = [0, 1, 2, 3, 4];
  const downC = [5, 6, 7, 8, 9];
  const names = (cls: number[]) => cls.map((c) => main.train.classNames[c]).join(', ');
  return {
    name: `${main.name}: classes 0–4 → 5–9`,
    up: { train: pick(main.train, upC), test: pick(main.test, upC) },
    down: { train: pick(main.train, downC), test: pick(main.test, downC) },
    describe:
      dataset === 'fashion-mnist'
        ? 'pre-train on Fashion-MNIST classes 0–4 (T-shirt, trouser, pullover, dress, coat), fine-tune on classes 5–9 (sandal, shirt, sneaker, bag, ankle boot), each relabelled 0–4'
        : `pre-train on ${dataset} classes 0–4 (${names(upC)}), fine-tune on classes 5–9 (${names(downC)}), each relabelled 0–4`,
  };
}

export const transfer: Experiment = {
  name: 'transfer',
  title: 'Transfer: pre-train, then fine-tune on a new task; AC vs residual vs residual + Aligned exit losses',
  paperRef: 'acn.md §5.7 (Table 4)',
  defaults: { epochs: 5, upstreamEpochs: 8 },
  quick: {},
  expectedMinutes: 10,
  async run(o, ctx) {
    const s = await stages(o);
    const up = { train: toArrays(s.up.train), test: toArrays(s.up.test) };
    const down = { train: toArrays(s.down.train), test: toArrays(s.down.test) };
    const arms = (o.arms ?? Object.keys(ARMS)) as TransferArm[];
    for (const a of arms) if (!(a in ARMS)) throw new Error(`transfer: unknown arm '${a}' (known: ${Object.keys(ARMS).join(', ')})`);
    const rows = new Rows();
    const curves = new Map<string, number[][]>();
    ctx.runs.expect(2 * arms.length * o.seeds.length);
    for (const seed of o.seeds) {
      for (const arm of arms) {
        const { connectivity, aligned } = ARMS[arm];
        const extras = aligned ? { probes: true, extraLoss: alignedExitLoss({ labelSmoothing: o.labelSmoothing }) } : {};
        const pre = buildMixer(o, connectivity, up.train, seed);
        const fine = buildMixer(o, connectivity, down.train, seed + 10_000);
        try {
          ctx.runs.next(`${arm}, seed ${seed}: pre-training`);
          const u = await fit(pre, up.train, up.test, o, seed, { ...extras, epochs: o.upstreamEpochs, progress: ctx.progress });
          copyBackbone(pre, fine);
          ctx.runs.next(`${arm}, seed ${seed}: fine-tuning`);
          const d = await fit(fine, down.train, down.test, o, seed, { ...extras, progress: ctx.progress });
          rows.add(arm, 'upstream', 'test accuracy', 'fraction', u.finalAccuracy);
          rows.add(arm, 'downstream', 'test accuracy (last epoch)', 'fraction', d.finalAccuracy);
          rows.add(arm, 'downstream', 'test accuracy (best epoch)', 'fraction', d.bestAccuracy);
          rows.add(arm, 'downstream', 'test accuracy after 1 fine-tuning epoch', 'fraction', d.testAccuracy[0]);
          rows.add(arm, 'downstream', 'cutoff layer', 'layer', d.cutoffLayer);
          curves.set(arm, [...(curves.get(arm) ?? []), d.testAccuracy.map((a) => 100 * a)]);
          ctx.log(`${arm} seed ${seed}: upstream ${(100 * u.finalAccuracy).toFixed(2)}%, downstream ${(100 * d.finalAccuracy).toFixed(2)}%`);
        } finally {
          pre.dispose();
          fine.dispose();
        }
      }
    }
    return {
      dataset: s.name,
      trainSize: down.train.count,
      testSize: down.test.count,
      rows: rows.rows(),
      charts: [lineChart('finetune', 'Downstream test accuracy while fine-tuning (seed mean)', 'fine-tuning epoch', 'test accuracy (%)', arms.map((a) => ({ name: a, y: meanCurve(curves.get(a)!) })))],
      notes: [
        `Protocol (the paper leaves it open, acn.md A11): ${s.describe}. Upstream ${o.upstreamEpochs} epochs on ${up.train.count} images; then every weight except the classifier (head.fc, re-initialised) is copied and the whole model is fine-tuned for ${o.epochs} epochs on ${down.train.count} images with the same recipe. trainSize/testSize above are the downstream sizes.`,
        'residual+aligned: the Aligned loss Σ_l w_l·CE(shared head on layer l), w_l = 2(l+1)/(L(L+1)) (acn.md §3.5), in both pre-training and fine-tuning; accuracy is read from the final output.',
        'Seeds: the upstream model is initialised with the run seed, the fresh downstream classifier with seed + 10000.',
      ],
    };
  },
};
