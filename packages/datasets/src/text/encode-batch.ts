/**
 * Turns sentences into fixed-width id matrices for a BERT-style model: `[CLS] … [SEP]`,
 * truncation to `maxLength`, padding with `[PAD]` (id 0) and a 1/0 attention mask.
 */
import { DatasetError } from '../errors';
import type { WordPieceTokenizer } from './wordpiece';

/** Options of {@link encodeBatch}. */
export interface EncodeBatchOptions {
  /** Width of every row, `[CLS]` and `[SEP]` included. Required. */
  readonly maxLength: number;
  /**
   * `max_length` (default): every row is `maxLength` wide. `longest`: rows are as wide as the
   * longest encoded sentence (at most `maxLength`).
   */
  readonly padding?: 'max_length' | 'longest';
  /**
   * Default true: keep `[CLS]`, the first `maxLength − 2` pieces and `[SEP]`. With false a
   * sentence that does not fit throws `BAD_LENGTH` naming its index and length.
   */
  readonly truncation?: boolean;
}

/** Output of {@link encodeBatch}: row-major `[count, length]` matrices. */
export interface EncodedBatch {
  /** Token ids, `[PAD]` (0) after each sentence's `[SEP]`. */
  readonly ids: Int32Array;
  /** 1 for real tokens (`[CLS]`, pieces, `[SEP]`), 0 for padding. */
  readonly attentionMask: Int32Array;
  /** Real tokens per row (`[CLS]` and `[SEP]` included). */
  readonly lengths: Int32Array;
  readonly count: number;
  /** Row width. */
  readonly length: number;
  /** How many sentences were cut to fit. */
  readonly truncated: number;
}

/**
 * Encodes, truncates and pads `texts` into `[count, length]` id and mask matrices.
 *
 * @example
 * ```ts
 * const { ids, attentionMask, length } = encodeBatch(tok, ['a fine film .', 'dull'], { maxLength: 64 });
 * // ids.length === 2 * 64; ids[0] === tok.clsId; attentionMask is 1 up to each [SEP]
 * ```
 */
export function encodeBatch(tokenizer: WordPieceTokenizer, texts: readonly string[], options: EncodeBatchOptions): EncodedBatch {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new DatasetError('BAD_ARGUMENT', `encodeBatch: maxLength must be an integer >= 2 (room for [CLS] and [SEP]), got ${maxLength}`);
  const truncation = options.truncation ?? true;
  const rows: number[][] = [];
  let truncated = 0;
  texts.forEach((text, i) => {
    const body = tokenizer.encode(text, { addSpecialTokens: false });
    if (body.length > maxLength - 2) {
      if (!truncation) {
        throw new DatasetError('BAD_LENGTH', `encodeBatch: text ${i} has ${body.length + 2} tokens with [CLS]/[SEP], more than maxLength ${maxLength} (pass truncation: true to cut it): ${JSON.stringify(text.slice(0, 60))}`);
      }
      truncated += 1;
      body.length = maxLength - 2;
    }
    rows.push([tokenizer.clsId, ...body, tokenizer.sepId]);
  });
  const length = options.padding === 'longest' ? rows.reduce((m, r) => Math.max(m, r.length), 2) : maxLength;
  const ids = new Int32Array(rows.length * length).fill(tokenizer.padId);
  const attentionMask = new Int32Array(rows.length * length);
  const lengths = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    ids.set(r, i * length);
    attentionMask.fill(1, i * length, i * length + r.length);
    lengths[i] = r.length;
  });
  return { ids, attentionMask, lengths, count: rows.length, length, truncated };
}
