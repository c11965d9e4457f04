import { parseArgs } from 'node:util';

/** Options of the deploy example. */
export interface DeployOptions {
  /** Load this checkpoint directory instead of training (it must hold an AC-Mixer). */
  readonly checkpoint?: string;
  readonly depth: number;
  readonly width: number;
  readonly tokenMlpDim: number;
  readonly channelMlpDim: number;
  readonly patchSize: number;
  readonly epochs: number;
  /** Fine-tuning epochs of the low-rank and structured-pruned forms. */
  readonly fineTuneEpochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Timed runs per latency measurement (median reported). */
  readonly repeats: number;
  readonly outDir: string;
  readonly dataDir?: string;
  readonly quick: boolean;
}

/** The auto-compression demo's AC-Mixer (its defaults), so the table is about the demo's model. */
export const DEFAULTS: DeployOptions = {
  depth: 12,
  width: 64,
  tokenMlpDim: 32,
  channelMlpDim: 256,
  patchSize: 7,
  epochs: 10,
  fineTuneEpochs: 1,
  batchSize: 64,
  lr: 1e-3,
  seed: 0,
  repeats: 20,
  outDir: 'results',
  quick: false,
};

/** `--quick`: a smoke run (used by the example's test). */
export const QUICK: Partial<DeployOptions> = { depth: 3, width: 32, tokenMlpDim: 16, channelMlpDim: 64, epochs: 1, trainLimit: 512, testLimit: 256, repeats: 3 };

const HELP = `Usage: pnpm --filter @acn-examples/deploy start [options]

Trains (or loads) the auto-compression demo's AC-Mixer, finds its cutoff layer, builds six
deployable forms (fp32, truncated at the cutoff, truncated + low rank, truncated + int8,
truncated + 4-bit, structured-pruned), exports each to ONNX and measures file size, test accuracy
on onnxruntime-node and median latency (batch 1 and 128) on onnxruntime-node vs tfjs-wasm.

  --checkpoint DIR   use this trained AC-Mixer checkpoint instead of training one
  --epochs N         training epochs (default ${DEFAULTS.epochs})
  --fine-tune N      fine-tuning epochs of the low-rank and pruned forms (default ${DEFAULTS.fineTuneEpochs})
  --depth N          blocks (default ${DEFAULTS.depth})
  --repeats N        timed runs per latency (default ${DEFAULTS.repeats})
  --data-dir DIR     full Fashion-MNIST IDX files (default: env ACN_DATA_DIR, else the embedded subset)
  --out DIR          output directory (default ${DEFAULTS.outDir})
  --quick            smoke run (tiny model, 1 epoch)
`;

/** Parses argv; prints help and exits on `--help`. */
export function parseDeployArgs(argv: readonly string[]): DeployOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      checkpoint: { type: 'string' },
      epochs: { type: 'string' },
      'fine-tune': { type: 'string' },
      depth: { type: 'string' },
      repeats: { type: 'string' },
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const base: DeployOptions = values.quick ? { ...DEFAULTS, ...QUICK, quick: true } : DEFAULTS;
  const int = (name: string, v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${v}'`);
    return n;
  };
  return {
    ...base,
    checkpoint: values.checkpoint,
    epochs: int('epochs', values.epochs, base.epochs),
    fineTuneEpochs: int('fine-tune', values['fine-tune'], base.fineTuneEpochs),
    depth: int('depth', values.depth, base.depth),
    repeats: int('repeats', values.repeats, base.repeats),
    dataDir: values['data-dir'],
    outDir: values.out ?? base.outDir,
  };
}
