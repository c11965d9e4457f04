/**
 * Masked-language-model corruption as in BERT and Hugging Face's
 * `DataCollatorForLanguageModeling`: each eligible token is selected with probability 0.15; a
 * selected token becomes `[MASK]` (80%), a random token (10%) or stays unchanged (10%). Labels
 * hold the original id at selected positions and {@link MLM_IGNORE_INDEX} everywhere else.
 */
import { DatasetError } from '../errors';
import { TextRng } from './random';

/** Label of positions that are not predicted (PyTorch's `ignore_index` convention). */
export const MLM_IGNORE_INDEX = -100;

/** Options of {@link maskTokens}. */
export interface MaskTokensOptions {
  /** Vocabulary size: random replacements are drawn from `[0, vocabSize)` minus the special ids. */
  readonly vocabSize: number;
  /** Id of `[MASK]`. */
  readonly maskId: number;
  /** Ids that are never selected (special tokens and `[PAD]`), e.g. `tokenizer.specialIds`. */
  readonly specialIds: readonly number[];
  /** Selection probability per eligible token. Default 0.15. */
  readonly probability?: number;
  /** Of the selected tokens, the share replaced by `[MASK]`. Default 0.8. */
  readonly maskFraction?: number;
  /** Of the selected tokens, the share replaced by a random non-special token. Default 0.1 (the rest stay unchanged). */
  readonly randomFraction?: number;
  /** Seed of the corruption (default 0); ignored when `rng` is given. */
  readonly seed?: number;
  /** A generator to draw from (its state advances), e.g. one per training run. */
  readonly rng?: TextRng;
}

/** Output of {@link maskTokens}: same layout as the input ids. */
export interface MaskedTokens {
  /** The corrupted ids fed to the model. */
  readonly inputs: Int32Array;
  /** Original ids at selected positions, `MLM_IGNORE_INDEX` (-100) elsewhere. */
  readonly labels: Int32Array;
  /** Number of selected positions. */
  readonly selected: number;
}

/**
 * Applies BERT's MLM corruption to `ids` (any layout, e.g. `[count, length]` row-major). Special
 * tokens and padding are never selected. Seeded and deterministic. Note: random replacements
 * skip special tokens (Hugging Face draws them from the whole vocabulary).
 *
 * @example
 * ```ts
 * const { inputs, labels } = maskTokens(batch.ids, { vocabSize: tok.vocabSize, maskId: tok.maskId, specialIds: tok.specialIds, seed: 1 });
 * ```
 */
export function maskTokens(ids: Int32Array, options: MaskTokensOptions): MaskedTokens {
  const p = options.probability ?? 0.15;
  const maskFraction = options.maskFraction ?? 0.8;
  const randomFraction = options.randomFraction ?? 0.1;
  const { vocabSize, maskId } = options;
  const bad = (what: string, v: unknown) => new DatasetError('BAD_ARGUMENT', `maskTokens: ${what} (got ${JSON.stringify(v)})`);
  if (!(p >= 0 && p <= 1)) throw bad('probability must be in [0, 1]', p);
  if (!(maskFraction >= 0 && randomFraction >= 0 && maskFraction + randomFraction <= 1)) throw bad('maskFraction and randomFraction must be >= 0 with a sum <= 1', { maskFraction, randomFraction });
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw bad('vocabSize must be a positive integer', vocabSize);
  if (!Number.isInteger(maskId) || maskId < 0 || maskId >= vocabSize) throw bad(`maskId must be an id in [0, ${vocabSize})`, maskId);
  const special = new Set(options.specialIds);
  if (!special.has(maskId)) special.add(maskId);
  if (special.size >= vocabSize && randomFraction > 0) throw bad('the vocabulary has no non-special token to draw random replacements from', vocabSize);
  const rng = options.rng ?? new TextRng(options.seed ?? 0);
  const inputs = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(MLM_IGNORE_INDEX);
  let selected = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= vocabSize) throw new DatasetError('BAD_ARGUMENT', `maskTokens: id ${id} at position ${i} is outside the vocabulary [0, ${vocabSize})`);
    if (special.has(id) || rng.next() >= p) continue;
    selected += 1;
    labels[i] = id;
    const r = rng.next();
    if (r < maskFraction) {
      inputs[i] = maskId;
    } else if (r < maskFraction + randomFraction) {
      let t: number;
      do t = rng.int(vocabSize);
      while (special.has(t));
      inputs[i] = t;
    } // else: unchanged
  }
  return { inputs, labels, selected };
}
