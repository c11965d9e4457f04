import { parseArgs } from 'node:util';
import { CONNECTIVITIES, type Connectivity } from '@acn/core';

/** Everything the example can be told on the command line. */
export interface BertSst2Options {
  // Encoder
  readonly depth: number;
  readonly width: number;
  readonly heads: number;
  readonly mlpDim: number;
  readonly maxLength: number;
  readonly vocabSize: number;
  /** Tie the MLM decoder to the token embedding (see BertConfig.tieEmbeddings). Default false here (see README). */
  readonly tieEmbeddings: boolean;
  // MLM pre-training
  readonly mlmSteps: number;
  readonly mlmBatch: number;
  readonly mlmLr: number;
  /** Fraction of the MLM steps spent in linear warm-up. */
  readonly mlmWarmup: number;
  /** Start the MLM decoder bias at the log unigram frequencies (see pretrain.ts). */
  readonly unigramBias: boolean;
  // SST-2 fine-tuning
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly connectivities: readonly Connectivity[];
  readonly dataDir?: string;
  readonly outDir: string;
  readonly trainLimit?: number;
  readonly devLimit?: number;
  /** Limit on MLM corpus lines (quick runs). */
  readonly corpusLimit?: number;
  /** Cutoff tolerance as a fraction (0.005 = 0.5 accuracy points). */
  readonly delta: number;
  readonly saveCheckpoints: boolean;
  readonly quick: boolean;
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

/** The default run: two 4-layer, d=128 encoders; measured 817 s on a shared 2-core machine (see README). */
export const DEFAULTS: BertSst2Options = {
  depth: 4,
  width: 128,
  heads: 4,
  mlpDim: 512,
  maxLength: 64,
  vocabSize: 4096,
  tieEmbeddings: false,
  mlmSteps: 200,
  mlmBatch: 32,
  mlmLr: 2e-3,
  mlmWarmup: 0.1,
  unigramBias: true,
  epochs: 2,
  batchSize: 32,
  lr: 5e-4,
  seed: 0,
  connectivities: ['acn', 'residual'],
  outDir: 'results',
  delta: 0.005,
  saveCheckpoints: false,
  quick: false,
  backend: 'auto',
};

/** `--quick`: a smoke run of well under a minute (used by the example's own test). */
export const QUICK: Partial<BertSst2Options> = {
  depth: 2,
  width: 32,
  heads: 2,
  mlpDim: 64,
  maxLength: 48,
  vocabSize: 1000,
  mlmSteps: 12,
  mlmBatch: 16,
  mlmLr: 2e-3,
  epochs: 1,
  batchSize: 32,
  lr: 1e-3,
  trainLimit: 512,
  devLimit: 200,
  corpusLimit: 3000,
};

export const HELP = `bert-sst2: AC-BERT vs residual BERT — MLM pre-training, SST-2 fine-tuning, per-layer probes

Usage: pnpm --filter bert-sst2 start -- [options]

Encoder
  --depth N            blocks (default ${DEFAULTS.depth})
  --width N            hidden width D (default ${DEFAULTS.width})
  --heads N            attention heads, must divide D (default ${DEFAULTS.heads})
  --mlp N              FFN width (default ${DEFAULTS.mlpDim})
  --max-length N       longest sequence incl. [CLS]/[SEP] (default ${DEFAULTS.maxLength})
  --vocab N            WordPiece vocabulary size, trained on the MLM corpus (default ${DEFAULTS.vocabSize})
  --tied               tie the MLM decoder to the token embedding (standard BERT; default untied,
                       as the repository's AC-BERT: tied, our short MLM collapsed the AC encoder)
MLM pre-training
  --mlm-steps N        optimizer steps (default ${DEFAULTS.mlmSteps}; 0 = no pre-training)
  --mlm-batch N        sequences per step (default ${DEFAULTS.mlmBatch})
  --mlm-lr X           peak learning rate (default ${DEFAULTS.mlmLr})
  --mlm-warmup X       warm-up fraction of the steps (default ${DEFAULTS.mlmWarmup})
  --no-unigram-bias    start the MLM decoder bias at 0 (HF) instead of the log unigram frequencies
SST-2 fine-tuning
  --epochs N           epochs (default ${DEFAULTS.epochs})
  --batch N            batch size (default ${DEFAULTS.batchSize})
  --lr X               peak learning rate (default ${DEFAULTS.lr})
General
  --connectivity LIST  comma-separated: ${CONNECTIVITIES.join(', ')} (default ${DEFAULTS.connectivities.join(',')})
  --seed N             seed of init, masking and shuffling (default ${DEFAULTS.seed})
  --data-dir DIR       full data: DIR/sst2/{train,dev}.tsv, DIR/tinyshakespeare/input.txt,
                       DIR/wikitext-2-tokenized/{valid,test}.txt (default: env ACN_DATA_DIR,
                       else the subset shipped in @acn/datasets)
  --train-limit N      use only the first N SST-2 training phrases
  --dev-limit N        use only the first N dev sentences
  --corpus-limit N     use only the first N lines of each MLM corpus
  --delta X            cutoff tolerance as a fraction (default ${DEFAULTS.delta} = 0.5 points)
  --out DIR            output directory (default ${DEFAULTS.outDir})
  --save-checkpoints   also save each fine-tuned model (DIR/bert-<connectivity>/)
  --backend KIND       auto | tensorflow | wasm | cpu (default auto)
  --quick              smoke run (< 1 minute)
  --help               this text
`;

function num(name: string, v: string | undefined, opts: { int?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const bad = !Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max);
  if (bad) {
    const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
    throw new Error(`--${name} must be ${opts.int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got '${v}'`);
  }
  return n;
}

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export function parseCli(argv: readonly string[]): BertSst2Options | 'help' {
  const s = { type: 'string' } as const;
  const { values } = parseArgs({
    args: [...argv].filter((a) => a !== '--'),
    strict: true,
    options: {
      depth: s,
      width: s,
      heads: s,
      mlp: s,
      'max-length': s,
      vocab: s,
      tied: { type: 'boolean' },
      'mlm-steps': s,
      'mlm-batch': s,
      'mlm-lr': s,
      'mlm-warmup': s,
      'no-unigram-bias': { type: 'boolean' },
      epochs: s,
      batch: s,
      lr: s,
      seed: s,
      connectivity: s,
      'data-dir': s,
      'train-limit': s,
      'dev-limit': s,
      'corpus-limit': s,
      delta: s,
      out: s,
      'save-checkpoints': { type: 'boolean' },
      backend: s,
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const base: BertSst2Options = values.quick ? { ...DEFAULTS, ...QUICK, quick: true } : DEFAULTS;
  const conns = values.connectivity?.split(',').map((c) => c.trim()) as Connectivity[] | undefined;
  for (const c of conns ?? []) {
    if (!CONNECTIVITIES.includes(c)) throw new Error(`--connectivity: unknown '${c}' (known: ${CONNECTIVITIES.join(', ')})`);
  }
  const backend = values.backend ?? base.backend;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backend: unknown '${backend}' (auto, tensorflow, wasm, cpu)`);
  const o: BertSst2Options = {
    ...base,
    depth: num('depth', values.depth, { int: true, min: 1 }) ?? base.depth,
    width: num('width', values.width, { int: true, min: 1 }) ?? base.width,
    heads: num('heads', values.heads, { int: true, min: 1 }) ?? base.heads,
    mlpDim: num('mlp', values.mlp, { int: true, min: 1 }) ?? base.mlpDim,
    maxLength: num('max-length', values['max-length'], { int: true, min: 8 }) ?? base.maxLength,
    vocabSize: num('vocab', values.vocab, { int: true, min: 100 }) ?? base.vocabSize,
    tieEmbeddings: values.tied ? true : base.tieEmbeddings,
    mlmSteps: num('mlm-steps', values['mlm-steps'], { int: true, min: 0 }) ?? base.mlmSteps,
    mlmBatch: num('mlm-batch', values['mlm-batch'], { int: true, min: 1 }) ?? base.mlmBatch,
    mlmLr: num('mlm-lr', values['mlm-lr'], { min: 0 }) ?? base.mlmLr,
    mlmWarmup: num('mlm-warmup', values['mlm-warmup'], { min: 0, max: 1 }) ?? base.mlmWarmup,
    unigramBias: values['no-unigram-bias'] ? false : base.unigramBias,
    epochs: num('epochs', values.epochs, { int: true, min: 1 }) ?? base.epochs,
    batchSize: num('batch', values.batch, { int: true, min: 1 }) ?? base.batchSize,
    lr: num('lr', values.lr, { min: 0 }) ?? base.lr,
    seed: num('seed', values.seed, { int: true, min: 0 }) ?? base.seed,
    connectivities: conns ?? base.connectivities,
    dataDir: values['data-dir'] ?? base.dataDir,
    trainLimit: num('train-limit', values['train-limit'], { int: true, min: 1 }) ?? base.trainLimit,
    devLimit: num('dev-limit', values['dev-limit'], { int: true, min: 1 }) ?? base.devLimit,
    corpusLimit: num('corpus-limit', values['corpus-limit'], { int: true, min: 1 }) ?? base.corpusLimit,
    delta: num('delta', values.delta, { min: 0 }) ?? base.delta,
    outDir: values.out ?? base.outDir,
    saveCheckpoints: values['save-checkpoints'] ?? base.saveCheckpoints,
    backend: backend as BertSst2Options['backend'],
  };
  if (o.width % o.heads !== 0) throw new Error(`--heads ${o.heads} must divide --width ${o.width}`);
  return o;
}
