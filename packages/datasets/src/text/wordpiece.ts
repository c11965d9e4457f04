/**
 * WordPiece tokenizer (BERT): BERT normalization and pre-tokenization, then greedy
 * longest-match-first subwords with the `##` continuation prefix. A word that cannot be covered
 * by the vocabulary (or is longer than `maxInputCharsPerWord`) becomes `[UNK]`, as in BERT.
 */
import { DatasetError } from '../errors';
import { basicTokenize, type NormalizeOptions } from './normalize';
import { checkVocabTokens, loadVocab, saveVocab } from './vocab-file';

/** The special tokens every vocabulary must contain, and their default ids (`[PAD]` must be 0). */
export const SPECIAL_TOKENS = { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } as const;

/** The special tokens in the order a trained vocabulary starts with: `[PAD]`=0, `[UNK]`=1, `[CLS]`=2, `[SEP]`=3, `[MASK]`=4. */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.unk, SPECIAL_TOKENS.cls, SPECIAL_TOKENS.sep, SPECIAL_TOKENS.mask];

/** Options of a {@link WordPieceTokenizer}. */
export interface WordPieceOptions {
  /** Normalization (default BERT-uncased: lowercase, strip accents, clean text, CJK spacing). */
  readonly normalize?: NormalizeOptions;
  /** Prefix of word-internal pieces. Default `##`. */
  readonly continuationPrefix?: string;
  /** Longer words become `[UNK]` without trying (BERT: 100). */
  readonly maxInputCharsPerWord?: number;
}

/** Options of {@link WordPieceTokenizer.encode}. */
export interface EncodeOptions {
  /** Wrap in `[CLS] … [SEP]`. Default true. */
  readonly addSpecialTokens?: boolean;
}

/**
 * A WordPiece tokenizer over a fixed vocabulary (index = id). Build it from a trained vocabulary
 * (`trainWordPiece`), a list of tokens, or a `vocab.txt` (BERT's format; any vocabulary that holds
 * the five special tokens with `[PAD]` at id 0 works, e.g. `bert-base-uncased`'s).
 *
 * Special tokens written literally in the input text (`"a [MASK] day"`) are kept as single tokens.
 *
 * @example
 * ```ts
 * const tok = WordPieceTokenizer.load('vocab.txt');
 * const ids = tok.encode('A charming film.'); // [2, …, 3]: [CLS] … [SEP]
 * tok.decode(ids); // 'a charming film .'
 * ```
 */
export class WordPieceTokenizer {
  /** The tokens, index = id. */
  readonly vocab: readonly string[];
  readonly padId: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly maskId: number;
  /** Ids of the five special tokens (never masked by MLM, skipped by `decode`). */
  readonly specialIds: readonly number[];
  readonly continuationPrefix: string;
  readonly maxInputCharsPerWord: number;
  readonly normalizeOptions: NormalizeOptions;
  private readonly ids: Map<string, number>;
  private readonly specialSet: Set<number>;
  private readonly specialPattern: RegExp;
  private readonly cache = new Map<string, number[]>();

  private constructor(tokens: readonly string[], options: WordPieceOptions, source: string) {
    checkVocabTokens(tokens, source);
    this.vocab = [...tokens];
    this.ids = new Map(tokens.map((t, i) => [t, i]));
    const need = (t: string): number => {
      const id = this.ids.get(t);
      if (id === undefined) throw new DatasetError('BAD_ARGUMENT', `${source}: the vocabulary has no ${t} token (needs ${DEFAULT_SPECIAL_TOKENS.join(' ')})`, { path: source });
      return id;
    };
    this.padId = need(SPECIAL_TOKENS.pad);
    if (this.padId !== 0) throw new DatasetError('BAD_ARGUMENT', `${source}: [PAD] must have id 0 (line 1), found at line ${this.padId + 1}`, { path: source });
    this.unkId = need(SPECIAL_TOKENS.unk);
    this.clsId = need(SPECIAL_TOKENS.cls);
    this.sepId = need(SPECIAL_TOKENS.sep);
    this.maskId = need(SPECIAL_TOKENS.mask);
    this.specialIds = [this.padId, this.unkId, this.clsId, this.sepId, this.maskId];
    this.specialSet = new Set(this.specialIds);
    this.continuationPrefix = options.continuationPrefix ?? '##';
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 100;
    this.normalizeOptions = { ...options.normalize };
    const escaped = DEFAULT_SPECIAL_TOKENS.map((t) => t.replace(/[[\]]/g, '\\$&'));
    this.specialPattern = new RegExp(`(${escaped.join('|')})`);
  }

  /**
   * A tokenizer over `tokens` (index = id). Throws `BAD_ARGUMENT` for a missing special token,
   * `[PAD]` not at id 0, or an empty, duplicate or whitespace-containing token (naming its line).
   *
   * @example
   * ```ts
   * const tok = WordPieceTokenizer.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', '##b']);
   * ```
   */
  static fromVocab(tokens: readonly string[], options: WordPieceOptions = {}): WordPieceTokenizer {
    return new WordPieceTokenizer(tokens, options, 'vocabulary');
  }

  /**
   * Reads a `vocab.txt` (one token per line). Throws `FILE_NOT_FOUND` or `BAD_ARGUMENT`.
   *
   * @example
   * ```ts
   * const tok = WordPieceTokenizer.load('runs/bert/vocab.txt');
   * ```
   */
  static load(path: string, options: WordPieceOptions = {}): WordPieceTokenizer {
    return new WordPieceTokenizer(loadVocab(path), options, path);
  }

  /** Number of tokens. */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /**
   * Writes the vocabulary as `vocab.txt` (one token per line, atomic).
   *
   * @example
   * ```ts
   * tok.save('runs/bert/vocab.txt');
   * ```
   */
  save(path: string): void {
    saveVocab(path, this.vocab);
  }

  /** The id of `token`, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** The token of `id`; throws `BAD_ARGUMENT` for an id outside the vocabulary. */
  idToToken(id: number): string {
    const t = this.vocab[id];
    if (t === undefined) throw new DatasetError('BAD_ARGUMENT', `token id ${id} is outside the vocabulary [0, ${this.vocab.length})`);
    return t;
  }

  /** Whether `id` is one of the five special tokens. */
  isSpecial(id: number): boolean {
    return this.specialSet.has(id);
  }

  /** WordPiece ids of one pre-tokenized word (greedy longest match first); `[UNK]` if it cannot be covered. */
  private wordIds(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const chars = Array.from(word);
    let out: number[];
    if (chars.length > this.maxInputCharsPerWord) {
      out = [this.unkId];
    } else {
      out = [];
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found: number | undefined;
        while (start < end) {
          const piece = (start > 0 ? this.continuationPrefix : '') + chars.slice(start, end).join('');
          found = this.ids.get(piece);
          if (found !== undefined) break;
          end -= 1;
        }
        if (found === undefined) {
          out = [this.unkId];
          break;
        }
        out.push(found);
        start = end;
      }
    }
    if (this.cache.size < 200_000) this.cache.set(word, out);
    return out;
  }

  /** Ids of `text` without `[CLS]`/`[SEP]`; literal special tokens in the text are kept whole. */
  private encodeBody(text: string): number[] {
    const out: number[] = [];
    for (const part of text.split(this.specialPattern)) {
      if (!part) continue;
      const special = this.ids.get(part);
      if (special !== undefined && DEFAULT_SPECIAL_TOKENS.includes(part)) {
        out.push(special);
        continue;
      }
      for (const w of basicTokenize(part, this.normalizeOptions)) out.push(...this.wordIds(w));
    }
    return out;
  }

  /**
   * Token ids of `text`, by default wrapped in `[CLS] … [SEP]`. No truncation (see `encodeBatch`).
   *
   * @example
   * ```ts
   * tok.encode("it 's a charming journey ."); // [2, …, 3]
   * tok.encode('charming', { addSpecialTokens: false });
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const body = this.encodeBody(text);
    return options.addSpecialTokens === false ? body : [this.clsId, ...body, this.sepId];
  }

  /**
   * The WordPiece strings of `text` (no `[CLS]`/`[SEP]`), e.g. `['charm', '##ing']`.
   *
   * @example
   * ```ts
   * tok.tokenize('Charming!'); // ['charm', '##ing', '!']
   * ```
   */
  tokenize(text: string): string[] {
    return this.encodeBody(text).map((id) => this.vocab[id]);
  }

  /**
   * Text of `ids`: pieces with the continuation prefix are glued to the previous piece, other
   * tokens are joined with single spaces; special tokens are skipped unless
   * `skipSpecialTokens: false`. For text without `[UNK]`s, `decode(encode(t))` equals
   * `basicTokenize(t).join(' ')`.
   *
   * @example
   * ```ts
   * tok.decode(tok.encode('Charming, really!')); // 'charming , really !'
   * ```
   */
  decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    const skip = options.skipSpecialTokens ?? true;
    const p = this.continuationPrefix;
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (skip && this.specialSet.has(id)) continue;
      const t = this.idToToken(id);
      if (p && t.startsWith(p) && t.length > p.length && out) out += t.slice(p.length);
      else out += (out ? ' ' : '') + t;
    }
    return out;
  }

  /**
   * The tokenizer as a Hugging Face `tokenizer.json` object (BertNormalizer, BertPreTokenizer,
   * WordPiece model, `[CLS] $A [SEP]` post-processor), so the vocabulary can be used with
   * `tokenizers` / `@huggingface/tokenizers` / transformers.
   *
   * @example
   * ```ts
   * writeFileSync('tokenizer.json', JSON.stringify(tok.toTokenizerJson()));
   * ```
   */
  toTokenizerJson(): Record<string, unknown> {
    const n = this.normalizeOptions;
    const lowercase = n.lowercase ?? true;
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: this.specialIds.map((id) => ({ id, content: this.vocab[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: { type: 'BertNormalizer', clean_text: n.cleanText ?? true, handle_chinese_chars: n.chineseChars ?? true, strip_accents: n.stripAccents ?? lowercase, lowercase },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'BertProcessing',
        sep: [SPECIAL_TOKENS.sep, this.sepId],
        cls: [SPECIAL_TOKENS.cls, this.clsId],
      },
      decoder: { type: 'WordPiece', prefix: this.continuationPrefix, cleanup: false },
      model: {
        type: 'WordPiece',
        unk_token: SPECIAL_TOKENS.unk,
        continuing_subword_prefix: this.continuationPrefix,
        max_input_chars_per_word: this.maxInputCharsPerWord,
        vocab: Object.fromEntries(this.vocab.map((t, i) => [t, i])),
      },
    };
  }
}
