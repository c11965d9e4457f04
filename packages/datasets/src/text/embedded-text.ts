/**
 * The small text subset shipped in this package's `data/text-subset/` (see its README for
 * provenance and licenses): the first 8,000 SST-2 training phrases, the whole SST-2 dev set, and
 * slices of Tiny Shakespeare and tokenized WikiText-2, laid out like a full data folder so the
 * same loaders read both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertSha256, sha256Bytes } from '../checksum';
import { DatasetError } from '../errors';
import { cleanWikiText, textLines } from './corpus';
import { parseSst2, type Sst2Data, type Sst2Options } from './sst2';

const SUBSET_DIR = join('data', 'text-subset');
const MARKER = join('sst2', 'dev.tsv');
const MAX_LEVELS_UP = 4;

/** sha256 of every file of the shipped subset (the loaders verify them by default). */
export const TEXT_SUBSET_SHA256: Readonly<Record<string, string>> = {
  'sst2/train.tsv': '3af6d08730e3f059a9e759cf368282e04c0c8ca1fb4ee83aad96fe14a41d4b7a',
  'sst2/dev.tsv': '54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0',
  'tinyshakespeare/input.txt': 'a77a02614f3b6b684d517f344a4d267f8a12bbd838b1d924ea61af549cfc8f24',
  'wikitext-2-tokenized/valid.txt': '16f0cc32c2434b35b3a2393df35d0cd51e95dd33139f884b03081157debb3478',
};

let cached: string | undefined;

function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * Absolute path of the shipped text subset, found by walking up from this module (works from
 * `src/`, `dist/index.js` and `dist/index.cjs`). It is laid out like a full data folder, so
 * `loadSst2(embeddedTextDir(), 'dev')` works too.
 *
 * @throws {@link DatasetError} `DATA_DIR_NOT_FOUND` when the package was bundled without `data/`.
 *
 * @example
 * ```ts
 * embeddedTextDir(); // '/…/@acn/datasets/data/text-subset'
 * ```
 */
export function embeddedTextDir(): string {
  if (cached) return cached;
  const start = moduleDir();
  let dir = start;
  for (let level = 0; level <= MAX_LEVELS_UP + 1; level++) {
    const candidate = join(dir, SUBSET_DIR);
    if (existsSync(join(candidate, MARKER))) return (cached = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DatasetError(
    'DATA_DIR_NOT_FOUND',
    `embedded text subset not found above ${start} (looked for ${join(SUBSET_DIR, MARKER)}). Was @acn/datasets bundled without its data/ folder? Point ACN_DATA_DIR at a full data folder instead.`,
  );
}

/** Reads one subset file as text, verifying its sha256 unless `verify` is false. */
function readSubsetFile(name: string, verify: boolean): string {
  const path = join(embeddedTextDir(), name);
  const bytes = new Uint8Array(readFileSync(path));
  if (verify) assertSha256(path, sha256Bytes(bytes), TEXT_SUBSET_SHA256[name]);
  return new TextDecoder().decode(bytes);
}

/** Options of the embedded-text loaders. */
export interface EmbeddedTextOptions {
  /** Check the file's sha256 against {@link TEXT_SUBSET_SHA256}. Default true. */
  readonly verify?: boolean;
}

/**
 * The shipped SST-2 split: `train` = the first 8,000 phrases of GLUE `train.tsv` (4,438 positive),
 * `dev` = the full dev set (872 sentences, 444 positive).
 *
 * @example
 * ```ts
 * const dev = loadEmbeddedSst2('dev'); // dev.count === 872
 * ```
 */
export function loadEmbeddedSst2(split: 'train' | 'dev', options: Sst2Options & EmbeddedTextOptions = {}): Sst2Data {
  const name = `sst2/${split}.tsv`;
  return parseSst2(readSubsetFile(name, options.verify ?? true), { limit: options.limit, source: join(embeddedTextDir(), name) });
}

/**
 * The shipped MLM corpora: Tiny Shakespeare's first 7,400 lines (non-empty lines, trimmed) and
 * the first 20 articles of tokenized WikiText-2 valid (cleaned paragraphs, see `cleanWikiText`).
 *
 * @example
 * ```ts
 * const { shakespeare, wikitext } = loadEmbeddedTextCorpus();
 * ```
 */
export function loadEmbeddedTextCorpus(options: EmbeddedTextOptions = {}): { shakespeare: string[]; wikitext: string[] } {
  const verify = options.verify ?? true;
  return {
    shakespeare: textLines(readSubsetFile('tinyshakespeare/input.txt', verify)),
    wikitext: cleanWikiText(readSubsetFile('wikitext-2-tokenized/valid.txt', verify)),
  };
}
