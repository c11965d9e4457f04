/**
 * BERT text normalization and pre-tokenization (the "basic tokenizer" of the original BERT and
 * Hugging Face's `BertNormalizer` + `BertPreTokenizer`): clean control characters, put spaces
 * around CJK ideographs, strip accents (NFD, drop combining marks), lowercase, then split on
 * whitespace and isolate every punctuation character.
 */

/** Options of {@link normalizeText}. Defaults are BERT-uncased. */
export interface NormalizeOptions {
  /** Lowercase. Default true. */
  readonly lowercase?: boolean;
  /** NFD, then drop combining marks (Unicode category Mn). Default: same as `lowercase` (as in BERT). */
  readonly stripAccents?: boolean;
  /** Drop NUL, U+FFFD and control/format characters; map every whitespace character to a space. Default true. */
  readonly cleanText?: boolean;
  /** Put spaces around CJK ideographs so each becomes its own word. Default true. */
  readonly chineseChars?: boolean;
  /**
   * Drop every non-ASCII character after the steps above (the ACN repository's tokenizer does,
   * acn.md §5.3). Default false.
   */
  readonly asciiOnly?: boolean;
}

const CONTROL = /\p{C}/u;
const WHITESPACE = /\s/u;
const MARK_NONSPACING = /\p{Mn}/gu;
const PUNCT = /\p{P}/u;

function isControl(ch: string): boolean {
  // Tab, newline and carriage return are technically control characters but count as whitespace.
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return CONTROL.test(ch);
}

/** CJK Unified Ideographs blocks (the ranges of the original BERT `_is_chinese_char`). */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/**
 * Punctuation as BERT defines it: every non-alphanumeric printable ASCII character (so `$`, `+`,
 * `^`, `` ` `` count) or any Unicode punctuation (category P*).
 *
 * @example
 * ```ts
 * isPunctuation('$'); // true
 * isPunctuation('é'); // false
 * ```
 */
export function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return PUNCT.test(ch);
}

/**
 * BERT normalization of one string (no splitting). Whitespace is kept (as single spaces per
 * whitespace character); {@link preTokenize} splits on it.
 *
 * @example
 * ```ts
 * normalizeText('Héllo\tWORLD!'); // 'hello world!'
 * ```
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  const lowercase = options.lowercase ?? true;
  const stripAccents = options.stripAccents ?? lowercase;
  const cleanText = options.cleanText ?? true;
  const chineseChars = options.chineseChars ?? true;
  let out = '';
  for (const ch of text) {
    if (cleanText) {
      if (ch === '\0' || ch === '\ufffd' || isControl(ch)) continue;
      if (WHITESPACE.test(ch)) {
        out += ' ';
        continue;
      }
    }
    if (chineseChars && isCjk(ch.codePointAt(0) ?? 0)) out += ` ${ch} `;
    else out += ch;
  }
  if (stripAccents) out = out.normalize('NFD').replace(MARK_NONSPACING, '');
  if (lowercase) out = out.toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (options.asciiOnly) out = out.replace(/[^\x00-\x7f]/g, '');
  return out;
}

/**
 * Splits normalized text into words: on whitespace, with every punctuation character as a word
 * of its own (BERT's pre-tokenizer).
 *
 * @example
 * ```ts
 * preTokenize("it's great, really."); // ['it', "'", 's', 'great', ',', 'really', '.']
 * ```
 */
export function preTokenize(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (WHITESPACE.test(ch)) {
      if (cur) words.push(cur);
      cur = '';
    } else if (isPunctuation(ch)) {
      if (cur) words.push(cur);
      words.push(ch);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) words.push(cur);
  return words;
}

/**
 * {@link normalizeText} then {@link preTokenize}: the words a WordPiece model sees.
 *
 * @example
 * ```ts
 * basicTokenize('Don\'t STOP!'); // ['don', "'", 't', 'stop', '!']
 * ```
 */
export function basicTokenize(text: string, options: NormalizeOptions = {}): string[] {
  return preTokenize(normalizeText(text, options));
}
