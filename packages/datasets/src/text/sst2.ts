/**
 * SST-2 (GLUE) TSV reader: `train.tsv` / `dev.tsv` with the header `sentence<TAB>label` and labels
 * 0 (negative) / 1 (positive); `test.tsv` with the header `index<TAB>sentence` and no labels.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, type DatasetErrorCode } from '../errors';
import { readError } from '../read-bytes';
import { visible } from './visible';

/** The three GLUE SST-2 files. */
export type Sst2Split = 'train' | 'dev' | 'test';

/** SST-2 class names by label. */
export const SST2_CLASS_NAMES: readonly string[] = ['negative', 'positive'];

/** One parsed SST-2 file. */
export interface Sst2Data {
  /** Sentences with surrounding whitespace trimmed (the GLUE files end each with a space). */
  readonly sentences: readonly string[];
  /** 0 / 1 per sentence; `undefined` for the unlabeled test file. */
  readonly labels: Int32Array | undefined;
  /** Test file only: the `index` column. */
  readonly indices?: Int32Array;
  readonly count: number;
  readonly numClasses: 2;
  readonly classNames: readonly string[];
  /** Where the text came from (a path or a label), used in error messages. */
  readonly source: string;
}

/** Options of {@link parseSst2} and {@link loadSst2}. */
export interface Sst2Options {
  /** Keep only the first `limit` rows. */
  readonly limit?: number;
}

const LABELED_HEADER = 'sentence\tlabel';
const TEST_HEADER = 'index\tsentence';
const MAX_REPORTED = 10;

/**
 * Parses the text of an SST-2 TSV file. The header decides the kind: `sentence<TAB>label`
 * (train/dev) or `index<TAB>sentence` (test). CRLF line endings and a final newline are accepted.
 * Malformed rows throw one `DatasetError` listing up to 10 problems by 1-based line number:
 * `BAD_MAGIC` for an unknown header, `BAD_LENGTH` for a row without exactly two tab-separated
 * fields or with an empty sentence (and for blank lines), `BAD_LABEL` for a label that is not 0 or
 * 1 (or an index that is not an integer). The error's code is that of the first problem.
 *
 * @example
 * ```ts
 * const dev = parseSst2('sentence\tlabel\na fine film . \t1\n', { source: 'inline' });
 * dev.sentences[0]; // 'a fine film .'
 * ```
 */
export function parseSst2(text: string, options: Sst2Options & { source?: string } = {}): Sst2Data {
  const source = options.source ?? 'SST-2 text';
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const header = lines[0] ?? '';
  const labeled = header === LABELED_HEADER;
  if (!labeled && header !== TEST_HEADER) {
    throw new DatasetError(
      'BAD_MAGIC',
      `${source}: line 1: expected the header '${LABELED_HEADER.replace('\t', '<TAB>')}' (train/dev) or '${TEST_HEADER.replace('\t', '<TAB>')}' (test), got ${visible(header.slice(0, 80))}${header.startsWith('\uFEFF') ? ' (the file starts with a byte-order mark U+FEFF: save it as UTF-8 without BOM)' : ''}`,
      { path: source },
    );
  }
  const limit = options.limit ?? Infinity;
  if (!(limit >= 0)) throw new DatasetError('BAD_ARGUMENT', `${source}: limit must be >= 0, got ${options.limit}`, { path: source });
  const sentences: string[] = [];
  const values: number[] = [];
  const problems: { code: DatasetErrorCode; line: number; message: string }[] = [];
  const report = (code: DatasetErrorCode, line: number, message: string) => problems.push({ code, line, message });
  for (let i = 1; i < lines.length && sentences.length < limit; i++) {
    const line = i + 1;
    const fields = lines[i].split('\t');
    if (fields.length !== 2) {
      const what = labeled ? 'sentence<TAB>label' : 'index<TAB>sentence';
      report('BAD_LENGTH', line, lines[i] === '' ? 'blank line' : `expected 2 tab-separated fields (${what}), got ${fields.length}: ${visible(lines[i].slice(0, 60))}`);
      if (problems.length >= MAX_REPORTED) break;
      continue;
    }
    const [sentenceField, valueField] = labeled ? fields : [fields[1], fields[0]];
    const sentence = sentenceField.trim();
    if (!sentence) report('BAD_LENGTH', line, 'empty sentence');
    const v = valueField.trim();
    if (labeled && v !== '0' && v !== '1') report('BAD_LABEL', line, `label ${visible(v)} is not 0 or 1`);
    // Indices are stored as int32: 2147483648 would wrap to -2147483648.
    if (!labeled && !(/^\d+$/.test(v) && Number(v) <= 2147483647)) report('BAD_LABEL', line, `index ${visible(v)} is not an integer in [0, 2147483647]`);
    if (problems.length >= MAX_REPORTED) break;
    sentences.push(sentence);
    values.push(Number(v));
  }
  if (problems.length) {
    const more = problems.length >= MAX_REPORTED ? ' (stopped after 10 problems)' : '';
    throw new DatasetError(problems[0].code, `${source}: malformed SST-2 rows${more}: ${problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`, { path: source });
  }
  const ints = Int32Array.from(values);
  return {
    sentences,
    labels: labeled ? ints : undefined,
    ...(labeled ? {} : { indices: ints }),
    count: sentences.length,
    numClasses: 2,
    classNames: SST2_CLASS_NAMES,
    source,
  };
}

/**
 * Where the SST-2 file of `split` lies under `dir`: `dir/<split>.tsv` or `dir/sst2/<split>.tsv`
 * (so one data root can hold several datasets). Throws `FILE_NOT_FOUND` naming both places.
 *
 * @example
 * ```ts
 * sst2Path('./data', 'dev'); // 'data/sst2/dev.tsv'
 * ```
 */
export function sst2Path(dir: string, split: Sst2Split): string {
  const candidates = [join(dir, `${split}.tsv`), join(dir, 'sst2', `${split}.tsv`), join(dir, 'SST-2', `${split}.tsv`)];
  const hit = candidates.find((p) => existsSync(p));
  if (!hit) throw new DatasetError('FILE_NOT_FOUND', `SST-2 ${split} split not found: looked for ${candidates.join(', ')}`, { path: candidates[0] });
  return hit;
}

/**
 * Reads one SST-2 split from a folder holding the GLUE files (see {@link sst2Path}).
 *
 * @example
 * ```ts
 * const train = loadSst2('./data', 'train'); // 67,349 labeled phrases
 * ```
 */
export function loadSst2(dir: string, split: Sst2Split, options: Sst2Options = {}): Sst2Data {
  const path = sst2Path(dir, split);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw readError(path, err, 'SST-2 file') ?? err;
  }
  return parseSst2(text, { ...options, source: path });
}
