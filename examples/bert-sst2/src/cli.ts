import { CONNECTIVITIES, type Connectivity } from '@acn/core';
import { defineCli, runOptions, withOption, type RunOptions } from '@acn-examples/kit';

/** Everything the example can be told on the command line. */
export interface BertSst2Options extends RunOptions {
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
  readonly connectivities: readonly Connectivity[];
  readonly devLimit?: number;
  /** Limit on MLM corpus lines (quick runs). */
  readonly corpusLimit?: number;
  /** Cutoff tolerance as a fraction (0.005 = 0.5 accuracy points). */
  readonly delta: number;
  readonly saveCheckpoints: boolean;
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

export const cli = defineCli<BertSst2Options>({
  name: 'bert-sst2',
  summary: 'AC-BERT vs residual BERT: MLM pre-training, SST-2 fine-tuning, per-layer probes',
  usage: 'pnpm bert-sst2 [-- options]',
  defaults: DEFAULTS,
  quick: QUICK,
  options: [
    // Encoder
    { flag: 'depth', key: 'depth', help: 'encoder blocks', kind: { type: 'int', min: 1 } },
    { flag: 'width', key: 'width', help: 'hidden width D', kind: { type: 'int', min: 1 } },
    { flag: 'heads', key: 'heads', help: 'attention heads, must divide D', kind: { type: 'int', min: 1 } },
    { flag: 'mlp', key: 'mlpDim', help: 'FFN width', kind: { type: 'int', min: 1 } },
    { flag: 'max-length', key: 'maxLength', help: 'longest sequence incl. [CLS]/[SEP]', kind: { type: 'int', min: 8 } },
    { flag: 'vocab', key: 'vocabSize', help: 'WordPiece vocabulary size, trained on the MLM corpus', kind: { type: 'int', min: 100 } },
    { flag: 'tied', key: 'tieEmbeddings', help: 'tie the MLM decoder to the token embedding (standard BERT; default untied: with ties our short MLM collapsed the AC encoder)', kind: { type: 'flag' } },
    // MLM pre-training
    { flag: 'mlm-steps', key: 'mlmSteps', help: 'MLM optimizer steps (0 = no pre-training)', kind: { type: 'int', min: 0 } },
    { flag: 'mlm-batch', key: 'mlmBatch', help: 'MLM sequences per step', kind: { type: 'int', min: 1 } },
    { flag: 'mlm-lr', key: 'mlmLr', help: 'MLM peak learning rate', kind: { type: 'number', min: 0 } },
    { flag: 'mlm-warmup', key: 'mlmWarmup', help: 'MLM warm-up fraction of the steps', kind: { type: 'number', min: 0, max: 1 } },
    { flag: 'no-unigram-bias', key: 'unigramBias', help: 'start the MLM decoder bias at 0 (HF) instead of the log unigram frequencies', kind: { type: 'flag' } },
    // SST-2 fine-tuning
    { flag: 'epochs', key: 'epochs', help: 'SST-2 fine-tuning epochs', kind: { type: 'int', min: 1 } },
    { flag: 'batch', key: 'batchSize', help: 'SST-2 batch size', kind: { type: 'int', min: 1 } },
    { flag: 'lr', key: 'lr', help: 'SST-2 peak learning rate', kind: { type: 'number', min: 0 } },
    // General
    { flag: 'connectivity', key: 'connectivities', arg: 'LIST', help: 'comma-separated', kind: { type: 'list', choices: CONNECTIVITIES } },
    { flag: 'delta', key: 'delta', help: 'cutoff tolerance as a fraction (0.005 = 0.5 points)', kind: { type: 'number', min: 0 } },
    { flag: 'dev-limit', key: 'devLimit', help: 'use only the first N dev sentences', kind: { type: 'int', min: 1 } },
    { flag: 'corpus-limit', key: 'corpusLimit', help: 'use only the first N lines of each MLM corpus', kind: { type: 'int', min: 1 } },
    { flag: 'save-checkpoints', key: 'saveCheckpoints', help: 'also save each fine-tuned model (DIR/bert-<connectivity>/)', kind: { type: 'flag' } },
    // SST-2 has no labeled test split (see --dev-limit), so no --test-limit.
    ...withOption(
      withOption(
        runOptions<BertSst2Options>('seed of init, masking and shuffling').filter((s) => s.flag !== 'test-limit'),
        'data-dir',
        { help: 'full data: DIR/sst2/{train,dev}.tsv, DIR/tinyshakespeare/input.txt, DIR/wikitext-2-tokenized/{valid,test}.txt (default: env ACN_DATA_DIR, else the subset shipped in @acn/datasets)' },
      ),
      'train-limit',
      { help: 'use only the first N SST-2 training phrases' },
    ),
  ],
  check: (o) => {
    if (o.width % o.heads !== 0) throw new Error(`--heads ${o.heads} must divide --width ${o.width}`);
  },
});

/** Parses argv (without node and script) into options; throws with a clear message on bad flags. */
export const parseCli = (argv: readonly string[]): BertSst2Options | 'help' => cli.parse(argv);
