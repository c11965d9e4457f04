import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatasetError } from '../errors';
import { readError } from '../read-bytes';
import { visible } from './visible';

/**
 * Writes `text` to `path` atomically: a temporary file beside the target is written, flushed and
 * renamed over it, so a crash never leaves a half-written file.
 */
export function writeTextAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Checks a vocabulary (index = token id): non-empty tokens without whitespace, no duplicates.
 * Throws `BAD_ARGUMENT` naming the 1-based line(s) of the first problem.
 */
export function checkVocabTokens(tokens: readonly string[], source: string): void {
  if (tokens.length === 0) throw new DatasetError('BAD_ARGUMENT', `${source}: the vocabulary is empty`, { path: source });
  const seen = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (t.length === 0) throw new DatasetError('BAD_ARGUMENT', `${source}: line ${i + 1}: empty token`, { path: source });
    if (/\s/u.test(t)) throw new DatasetError('BAD_ARGUMENT', `${source}: line ${i + 1}: token ${visible(t)} contains whitespace`, { path: source });
    const prev = seen.get(t);
    if (prev !== undefined) throw new DatasetError('BAD_ARGUMENT', `${source}: line ${i + 1}: duplicate token ${visible(t)} (first on line ${prev + 1})`, { path: source });
    seen.set(t, i);
  });
}

/**
 * Saves a vocabulary as UTF-8 text, one token per line in id order (BERT's `vocab.txt` format),
 * atomically.
 *
 * @example
 * ```ts
 * saveVocab('out/vocab.txt', tokenizer.vocab);
 * ```
 */
export function saveVocab(path: string, tokens: readonly string[]): void {
  checkVocabTokens(tokens, path);
  writeTextAtomic(path, `${tokens.join('\n')}\n`);
}

/**
 * Reads a `vocab.txt` (one token per line, line n = id n-1; CRLF accepted, one trailing newline
 * optional). Throws `FILE_NOT_FOUND`, or `BAD_ARGUMENT` naming the line of an empty, duplicate or
 * whitespace-containing token.
 *
 * @example
 * ```ts
 * const tokens = loadVocab('out/vocab.txt'); // tokens[0] === '[PAD]'
 * ```
 */
export function loadVocab(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw readError(path, err, 'vocabulary file') ?? err;
  }
  return parseVocab(text, path);
}

/**
 * The tokens of `vocab.txt` text (see {@link loadVocab}), checked.
 *
 * @example
 * ```ts
 * parseVocab('[PAD]\n[UNK]\n', 'inline'); // ['[PAD]', '[UNK]']
 * ```
 */
export function parseVocab(text: string, source: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  checkVocabTokens(lines, source);
  return lines;
}
