/**
 * Raw-text corpora for MLM pre-training (Tiny Shakespeare, tokenized WikiText-2) and packing a
 * corpus into fixed-width `[CLS] … [SEP]` sequences.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../errors';
import { readError } from '../read-bytes';
import type { WordPieceTokenizer } from './wordpiece';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw readError(path, err, `${what} file`) ?? err;
  }
}

function firstExisting(candidates: readonly string[], what: string): string {
  const hit = candidates.find((p) => existsSync(p));
  if (!hit) throw new DatasetError('FILE_NOT_FOUND', `${what} not found: looked for ${candidates.join(', ')}`, { path: candidates[0] });
  return hit;
}

/**
 * Turns tokenized WikiText (v1 `wiki.*.tokens` format) into plain paragraphs: drops blank lines
 * and ` = Heading = ` lines, undoes the `@-@`, `@,@`, `@.@` number/hyphen splits, and maps
 * `<unk>` to `[UNK]` (kept as one token by the tokenizer, never masked).
 *
 * @example
 * ```ts
 * cleanWikiText(' = Title = \n The 1 @,@ 000 @-@ year <unk> . \n'); // ['The 1,000-year [UNK] .']
 * ```
 */
export function cleanWikiText(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || /^=.*=$/.test(line)) continue;
    out.push(
      line
        .replace(/ @([-,.])@ /g, '$1')
        .replace(/<unk>/g, '[UNK]')
        .replace(/\s+/g, ' '),
    );
  }
  return out;
}

/**
 * Non-empty lines of a plain-text file (Tiny Shakespeare style), trimmed.
 *
 * @example
 * ```ts
 * textLines('First Citizen:\nBefore we proceed.\n\n'); // ['First Citizen:', 'Before we proceed.']
 * ```
 */
export function textLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/**
 * Tiny Shakespeare (`input.txt` in `dir` or `dir/tinyshakespeare`) as non-empty lines.
 *
 * @example
 * ```ts
 * const lines = loadTinyShakespeare('./data'); // ~32,777 lines
 * ```
 */
export function loadTinyShakespeare(dir: string): string[] {
  const path = firstExisting([join(dir, 'input.txt'), join(dir, 'tinyshakespeare', 'input.txt')], 'Tiny Shakespeare input.txt');
  return textLines(readText(path, 'Tiny Shakespeare'));
}

/**
 * A tokenized WikiText-2 split (`valid.txt` / `test.txt` / `train.txt`, or the `wiki.<split>.tokens`
 * names) from `dir` or `dir/wikitext-2-tokenized`, cleaned with {@link cleanWikiText}.
 *
 * @example
 * ```ts
 * const paragraphs = loadWikiText2('./data', 'valid');
 * ```
 */
export function loadWikiText2(dir: string, split: 'train' | 'valid' | 'test'): string[] {
  const names = [`${split}.txt`, `wiki.${split}.tokens`];
  const dirs = [dir, join(dir, 'wikitext-2-tokenized'), join(dir, 'wikitext-2')];
  const path = firstExisting(dirs.flatMap((d) => names.map((n) => join(d, n))), `WikiText-2 ${split} split`);
  return cleanWikiText(readText(path, 'WikiText-2'));
}

/** Options of {@link packSequences}. */
export interface PackOptions {
  /** Width of every sequence, `[CLS]` and `[SEP]` included. */
  readonly maxLength: number;
  /** Drop a last chunk shorter than this many pieces (default 1: keep every non-empty chunk, padded). */
  readonly minChunk?: number;
}

/** Output of {@link packSequences}: row-major `[count, length]` ids, padded with `[PAD]` (0). */
export interface PackedSequences {
  readonly ids: Int32Array;
  readonly count: number;
  readonly length: number;
  /** Word pieces in the corpus (before packing). */
  readonly tokens: number;
}

/**
 * Tokenizes `texts` into one stream and cuts it into `[CLS] + (maxLength − 2) pieces + [SEP]`
 * sequences (Hugging Face `group_texts`; the ACN repository uses 126 + 2 = 128). Only the last
 * sequence can be padded.
 *
 * @example
 * ```ts
 * const { ids, count } = packSequences(tok, lines, { maxLength: 64 }); // ids.length === count * 64
 * ```
 */
export function packSequences(tokenizer: WordPieceTokenizer, texts: Iterable<string>, options: PackOptions): PackedSequences {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 3) throw new DatasetError('BAD_ARGUMENT', `packSequences: maxLength must be an integer >= 3, got ${maxLength}`);
  const minChunk = options.minChunk ?? 1;
  const stream: number[] = [];
  for (const t of texts) for (const id of tokenizer.encode(t, { addSpecialTokens: false })) stream.push(id);
  const body = maxLength - 2;
  const chunks: number[][] = [];
  for (let s = 0; s < stream.length; s += body) {
    const piece = stream.slice(s, s + body);
    if (piece.length < minChunk) break;
    chunks.push(piece);
  }
  const ids = new Int32Array(chunks.length * maxLength).fill(tokenizer.padId);
  chunks.forEach((c, i) => ids.set([tokenizer.clsId, ...c, tokenizer.sepId], i * maxLength));
  return { ids, count: chunks.length, length: maxLength, tokens: stream.length };
}
