import { parseArgs } from 'node:util';
import type { WorkersOption } from '@acn/core';
import { checkPatch } from './common/model';
import { BASE, DATASET_SHAPES, datasetOf, QUICK_BASE, type PaperDataset, type PaperOptions } from './common/options';
import { EXPERIMENTS, experimentByName } from './experiments';
import type { Experiment } from './common/experiment';

/** What `parseCli` returns: the experiments to run with their resolved options. */
export interface CliPlan {
  readonly runs: { experiment: Experiment; options: PaperOptions }[];
  readonly progress: 'auto' | 'bar' | 'lines' | 'none';
}

const total = EXPERIMENTS.reduce((s, e) => s + e.expectedMinutes, 0);

export const HELP = `paper: the Auto-Compressing Networks paper's experiments at a 2-core scale

Usage: pnpm paper [EXPERIMENT ...] [--quick] [flags]     (no experiment = all of them)

Experiments (expected minutes of the default configuration on an idle 2-core machine, wasm):
${EXPERIMENTS.map((e) => `  ${e.name.padEnd(11)} ~${String(e.expectedMinutes).padStart(2)} min  ${e.title}`).join('\n')}
  all            ~${total} min

Flags (defaults: the base below, then each experiment's own defaults):
  --quick              smoke run of tiny models (a few minutes for all); written to results/quick/, never results
  --seeds N | a,b,c    N seeds 0..N-1, or an explicit list (default ${BASE.seeds.length}: ${BASE.seeds.join(',')})
  --epochs N           training epochs (per task in continual; fine-tuning epochs in transfer)
  --depth N            blocks (default ${BASE.depth}); --depths a,b,c for continual (default ${BASE.depths.join(',')})
  --width N --token-mlp N --channel-mlp N --patch N   Mixer size (default ${BASE.width}/${BASE.tokenMlp}/${BASE.channelMlp}, patch ${BASE.patch})
  --post-block none|linearReluSkipLN                  the repository's Mixer post-block (acn.md A1; default none)
  --batch N --lr X --warmup EPOCHS --label-smoothing X   recipe (default ${BASE.batch}, ${BASE.lr}, ${BASE.warmup}, ${BASE.labelSmoothing})
  --delta X            cutoff tolerance as a fraction (default ${BASE.delta} = ${100 * BASE.delta} point)
  --arms a,b           restrict the compared arms
  --dataset fashion-mnist|mnist|cifar10   the images (default fashion-mnist, 28×28×1; cifar10 is 32×32×3, so --patch must divide 32)
  --data-dir DIR       full datasets (or env ACN_DATA_DIR): Fashion-MNIST / MNIST IDX files in DIR, DIR/fashion-mnist, DIR/mnist;
                       CIFAR-10 binary version in DIR/cifar-10-batches-bin. Default: the embedded Fashion-MNIST subset (6,000 / 1,000)
  --train-limit N --test-limit N   keep the first N images
  --workers auto|N     training threads (core's data-parallel train; default 0 = the main thread, bit-reproducible;
                       auto = one per core, equal within float rounding). Views (acn-dg, continual's task heads) and extra
                       losses (SI, Aligned) always train on the main thread
  --dgfg-every N       gradients: DG-vs-FG pass every N steps (default ${BASE.dgfgEvery}; 0 = off)
  --classes a,b,c      difficulty: class counts (default ${BASE.classCounts.join(',')})
  --sigmas a,b,c --salt-pepper a,b,c   noise levels (default ${BASE.sigmas.join(',')} / ${BASE.saltPepper.join(',')})
  --per-class N        lowdata: images per class (default ${BASE.perClass})
  --upstream fashion-classes|mnist  --upstream-epochs N   transfer: classes 0–4 → 5–9 of --dataset, or MNIST → it (28×28×1; needs --data-dir)
  --tasks N --si-lambda X --si-xi X   continual (default ${BASE.tasks}, ${BASE.siLambda}, ${BASE.siXi})
  --out DIR            output folder (default results)
  --backend auto|tensorflow|wasm|cpu   (auto picks tfjs-node-gpu / tfjs-node when installed)
  --progress auto|bar|lines|none
  --help

Paper scale (a GPU and @tensorflow/tfjs-node-gpu; CIFAR-10 binary version in /data/cifar-10-batches-bin): e.g.
  pnpm paper baselines --dataset cifar10 --data-dir /data --depth 16 --width 128 --token-mlp 64 --channel-mlp 512 \\
    --patch 4 --post-block linearReluSkipLN --epochs 700 --lr 1e-3 --warmup 10 --seeds 5 --backend tensorflow
  pnpm paper difficulty lowdata --dataset cifar10 --data-dir /data --depth 16 --width 128 --token-mlp 64 --channel-mlp 512 --patch 4 --backend tensorflow
(the paper's continual and transfer tables use CIFAR-100 and its noise table ViT on ImageNet, which are not wired in).
On a CPU-only machine, --workers auto trains on every core.
`;

function num(name: string, v: string | undefined, opts: { int?: boolean; min?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new Error(`--${name} must be ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}, got '${v}'`);
  }
  return n;
}

function list(name: string, v: string | undefined, opts: { int?: boolean; min?: number } = {}): number[] | undefined {
  if (v === undefined) return undefined;
  const out = v.split(',').map((s) => num(name, s.trim(), opts)!);
  if (out.length === 0) throw new Error(`--${name} needs at least one value`);
  return out;
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new Error(`--${name}: unknown '${v}' (${allowed.join(', ')})`);
  return v as T;
}

const STRING_FLAGS = [
  'seeds', 'epochs', 'depth', 'depths', 'width', 'token-mlp', 'channel-mlp', 'patch', 'post-block', 'batch', 'lr', 'warmup', 'label-smoothing',
  'delta', 'arms', 'dataset', 'data-dir', 'workers', 'train-limit', 'test-limit', 'dgfg-every', 'classes', 'sigmas', 'salt-pepper', 'per-class', 'upstream',
  'upstream-epochs', 'tasks', 'si-lambda', 'si-xi', 'out', 'backend', 'progress',
] as const;

/**
 * Parses argv (without node and script) into the experiments to run and their options; throws a
 * clear message on a bad flag or value.
 *
 * @example
 * ```ts
 * parseCli(['noise', '--quick', '--seeds', '2']);
 * ```
 */
export function parseCli(argv: readonly string[]): CliPlan | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv].filter((a) => a !== '--'),
    strict: true,
    allowPositionals: true,
    options: { ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])), quick: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) return 'help';
  const v = values as Record<string, string | undefined>;
  const names = positionals.length === 0 || positionals.includes('all') ? EXPERIMENTS.map((e) => e.name) : positionals;
  const experiments = names.map(experimentByName);
  const seedsList = list('seeds', v.seeds, { int: true, min: 0 });
  const seeds = seedsList && seedsList.length === 1 ? Array.from({ length: Math.max(1, seedsList[0]) }, (_, i) => i) : seedsList;
  const flags: Partial<PaperOptions> = {
    seeds,
    epochs: num('epochs', v.epochs, { int: true, min: 1 }),
    depth: num('depth', v.depth, { int: true, min: 1 }),
    depths: list('depths', v.depths, { int: true, min: 1 }),
    width: num('width', v.width, { int: true, min: 1 }),
    tokenMlp: num('token-mlp', v['token-mlp'], { int: true, min: 1 }),
    channelMlp: num('channel-mlp', v['channel-mlp'], { int: true, min: 1 }),
    patch: num('patch', v.patch, { int: true, min: 1 }),
    postBlock: oneOf('post-block', v['post-block'], ['none', 'linearReluSkipLN'] as const),
    batch: num('batch', v.batch, { int: true, min: 1 }),
    lr: num('lr', v.lr, { min: 0 }),
    warmup: num('warmup', v.warmup, { min: 0 }),
    labelSmoothing: num('label-smoothing', v['label-smoothing'], { min: 0 }),
    delta: num('delta', v.delta, { min: 0 }),
    arms: v.arms?.split(',').map((s) => s.trim()).filter(Boolean),
    dataset: oneOf('dataset', v.dataset, Object.keys(DATASET_SHAPES) as PaperDataset[]),
    dataDir: v['data-dir'],
    workers: workersFlag(v.workers),
    trainLimit: num('train-limit', v['train-limit'], { int: true, min: 1 }),
    testLimit: num('test-limit', v['test-limit'], { int: true, min: 1 }),
    dgfgEvery: num('dgfg-every', v['dgfg-every'], { int: true, min: 0 }),
    classCounts: list('classes', v.classes, { int: true, min: 2 }),
    sigmas: list('sigmas', v.sigmas, { min: 0 }),
    saltPepper: list('salt-pepper', v['salt-pepper'], { min: 0 }),
    perClass: num('per-class', v['per-class'], { int: true, min: 1 }),
    upstream: oneOf('upstream', v.upstream, ['fashion-classes', 'mnist'] as const),
    upstreamEpochs: num('upstream-epochs', v['upstream-epochs'], { int: true, min: 1 }),
    tasks: num('tasks', v.tasks, { int: true, min: 1 }),
    siLambda: num('si-lambda', v['si-lambda'], { min: 0 }),
    siXi: num('si-xi', v['si-xi'], { min: 0 }),
    out: v.out,
    backend: oneOf('backend', v.backend, ['auto', 'tensorflow', 'wasm', 'cpu'] as const),
  };
  const given = Object.fromEntries(Object.entries(flags).filter(([, x]) => x !== undefined)) as Partial<PaperOptions>;
  const progress = oneOf('progress', v.progress, ['auto', 'bar', 'lines', 'none'] as const) ?? 'auto';
  const runs = experiments.map((experiment) => ({
    experiment,
    options: { ...BASE, ...experiment.defaults, ...(values.quick ? { ...QUICK_BASE, ...experiment.quick } : {}), ...given },
  }));
  for (const { options } of runs) {
    const dataset = datasetOf(options);
    const [h, w] = DATASET_SHAPES[dataset];
    checkPatch(options.patch, h, w, `images of ${dataset}${v.patch === undefined ? ` (--patch ${options.patch} is the default for 28×28 images)` : ''}`);
  }
  return { progress, runs };
}

function workersFlag(v: string | undefined): WorkersOption | undefined {
  if (v === undefined || v === 'auto') return v;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`--workers must be 'auto' or an integer >= 0, got '${v}'`);
  return n;
}
