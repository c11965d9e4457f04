/**
 * `results/vcon.json` (default budget) and `results/vcon-long.json` (`--budget long`): the shape
 * the issue asks for, plus per-seed values, spreads and the measured sizes. Validated with zod
 * before it is written.
 */
import { z } from 'zod';
import { MODALITIES } from './cli';

const finite = z.number().finite();
const fraction = finite.min(0).max(1);

/** One modality's comparison. Accuracies are fractions in [0, 1]; ratios are uncompressed ÷ compressed. */
export const modalityResultSchema = z
  .object({
    modality: z.enum(MODALITIES),
    setting: z.string().min(1),
    /** Mean over seeds: compress at once, then fine-tune N steps. */
    baselineAccuracy: fraction,
    /** Mean over seeds: VCON with Q < N for the same N steps and optimizer. */
    vconAccuracy: fraction,
    /**
     * Uncompressed bytes ÷ deployed compressed bytes, the compressed bytes averaged over every run
     * (they can differ by a few bytes per run, e.g. a binary kernel with exact zeros needs a zero map).
     */
    bytesRatio: finite.positive(),
    /** Uncompressed FLOPs per sample ÷ compressed FLOPs per sample. */
    flopsRatio: finite.positive(),
    // ---- extra fields ----
    seeds: z.array(z.number().int().min(0)).min(1),
    baselinePerSeed: z.array(fraction).min(1),
    vconPerSeed: z.array(fraction).min(1),
    /** Sample standard deviations over seeds (0 for a single seed). */
    baselineStd: finite.min(0),
    vconStd: finite.min(0),
    /** Mean and sample std over seeds of (VCON − baseline), paired by seed (same batch order). */
    deltaMean: finite,
    deltaStd: finite.min(0),
    /** Seeds where VCON scored strictly higher than the baseline. */
    vconWins: z.number().int().min(0),
    /** The compressed model before any fine-tuning (compressed at once, or truncated). */
    oneShotAccuracy: fraction,
    bytes: z.object({ uncompressed: finite.positive(), compressed: finite.positive() }),
    /** Deployed bytes of every run's baked model, by method, in seed order. */
    compressedBytesPerRun: z.object({ baseline: z.array(finite.positive()).min(1), vcon: z.array(finite.positive()).min(1) }),
    flops: z.object({ uncompressed: finite.positive(), compressed: finite.positive() }),
    params: z.object({ uncompressed: finite.positive(), compressed: finite.positive() }),
    /** Uncompressed ÷ compressed FLOPs of the block dense layers only (the layers the compressors act on; all blocks for depth). */
    blockDenseFlopsRatio: finite.positive(),
    /** Mean seconds of one run (fine-tuning, evaluation, bake, measurement). */
    baselineSeconds: finite.min(0),
    vconSeconds: finite.min(0),
    /** Mean training loss over the last epoch of fine-tuning. */
    baselineFinalLoss: finite,
    vconFinalLoss: finite,
    /** Depth only: blocks kept. */
    keep: z.number().int().min(1).optional(),
  })
  .strict();

/** The whole results file. */
export const vconResultsSchema = z
  .object({
    dataset: z.string().min(1),
    /** Fine-tuning steps N of every run. */
    steps: z.number().int().min(1),
    /** VCON transition length in optimizer steps (Q < N). */
    Q: z.number().int().min(0),
    uncompressedAccuracy: fraction,
    results: z.array(modalityResultSchema).min(1),
    // ---- extra fields ----
    budget: z.enum(['short', 'long']),
    stepsPerEpoch: z.number().int().min(1),
    trainSize: z.number().int().min(1),
    testSize: z.number().int().min(1),
    batchSize: z.number().int().min(1),
    lr: finite.positive(),
    schedule: z.string(),
    model: z.record(z.string(), z.unknown()),
    baseTraining: z.object({ epochs: z.number().int().min(0), seconds: finite.min(0), loadedFrom: z.string().optional() }),
    backend: z.string(),
    durationSeconds: finite.min(0),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.Q >= r.steps) ctx.addIssue({ code: 'custom', path: ['Q'], message: `Q (${r.Q}) must be < steps (${r.steps})` });
    r.results.forEach((m, i) => {
      for (const k of ['baselinePerSeed', 'vconPerSeed'] as const) {
        if (m[k].length !== m.seeds.length) ctx.addIssue({ code: 'custom', path: ['results', i, k], message: `has ${m[k].length} values for ${m.seeds.length} seeds` });
      }
    });
  });

export type ModalityResult = z.infer<typeof modalityResultSchema>;
export type VconResults = z.infer<typeof vconResultsSchema>;

/**
 * Parses and validates a results object; throws naming the first bad field.
 *
 * @example
 * ```ts
 * const r = validateVconResults(JSON.parse(readFileSync('results/vcon.json', 'utf8')));
 * ```
 */
export function validateVconResults(value: unknown): VconResults {
  const r = vconResultsSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`invalid vcon results at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}
