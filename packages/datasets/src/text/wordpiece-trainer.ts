/**
 * Trains a WordPiece vocabulary from raw text, the way Hugging Face's `WordPieceTrainer` does: BPE
 * merges over the corpus' words with a `##` prefix on word-internal symbols, most frequent pair
 * first, until the vocabulary is full or no pair occurs `minFrequency` times.
 *
 * Why our own trainer: the npm `tokenizers` package trains, but only through a native (napi)
 * addon, and `@huggingface/tokenizers` is pure JS but can only load and run tokenizers, not train
 * them. This file is the missing piece (~150 lines); encoding uses the standard WordPiece
 * algorithm in `wordpiece.ts`, checked against `@huggingface/tokenizers` in the tests.
 */
import { DatasetError } from '../errors';
import { basicTokenize, type NormalizeOptions } from './normalize';
import { DEFAULT_SPECIAL_TOKENS, WordPieceTokenizer } from './wordpiece';

/** Options of {@link trainWordPiece}. */
export interface WordPieceTrainOptions {
  /** Target vocabulary size, special tokens included. Default 8192. */
  readonly vocabSize?: number;
  /** A pair must occur at least this often (summed over word counts) to be merged. Default 2 (the ACN repository's value). */
  readonly minFrequency?: number;
  /** Keep only the most frequent characters (others make their words `[UNK]`). Default 1000 (HF's BERT default). */
  readonly limitAlphabet?: number;
  /** Normalization (default BERT-uncased). */
  readonly normalize?: NormalizeOptions;
  /** Default `##`. */
  readonly continuationPrefix?: string;
}

/** Heap entry: a candidate pair and its count when pushed (stale entries are skipped on pop). */
interface Candidate {
  readonly count: number;
  readonly a: number;
  readonly b: number;
}

/** Max-heap on count, ties broken by smaller (a, b) ids so training is deterministic. */
class PairHeap {
  private readonly items: Candidate[] = [];

  get size(): number {
    return this.items.length;
  }

  private better(x: Candidate, y: Candidate): boolean {
    if (x.count !== y.count) return x.count > y.count;
    if (x.a !== y.a) return x.a < y.a;
    return x.b < y.b;
  }

  push(c: Candidate): void {
    const h = this.items;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  pop(): Candidate | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.better(h[l], h[m])) m = l;
        if (r < h.length && this.better(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const KEY = 1 << 22; // symbol ids stay below 4M, so a * KEY + b is an exact integer key
const key = (a: number, b: number): number => a * KEY + b;

/**
 * Counts the words of `texts` after BERT normalization and pre-tokenization.
 *
 * @example
 * ```ts
 * countWords(['a b', 'a']); // Map { 'a' => 2, 'b' => 1 }
 * ```
 */
export function countWords(texts: Iterable<string>, normalize: NormalizeOptions = {}): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of basicTokenize(t, normalize)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/**
 * Trains a WordPiece vocabulary on `texts` and returns a tokenizer over it. Ids: the five special
 * tokens first (`[PAD]`=0, `[UNK]`=1, `[CLS]`=2, `[SEP]`=3, `[MASK]`=4), then the alphabet
 * (sorted), then merged pieces in merge order. Deterministic for a given corpus and options.
 *
 * @example
 * ```ts
 * const tok = trainWordPiece(sentences, { vocabSize: 4096 });
 * tok.save('runs/bert/vocab.txt');
 * ```
 */
export function trainWordPiece(texts: Iterable<string>, options: WordPieceTrainOptions = {}): WordPieceTokenizer {
  const vocabSize = options.vocabSize ?? 8192;
  const minFrequency = options.minFrequency ?? 2;
  const limitAlphabet = options.limitAlphabet ?? 1000;
  const prefix = options.continuationPrefix ?? '##';
  const bad = (what: string, v: unknown) => new DatasetError('BAD_ARGUMENT', `trainWordPiece: ${what} (got ${JSON.stringify(v)})`);
  if (!Number.isInteger(vocabSize) || vocabSize <= DEFAULT_SPECIAL_TOKENS.length) throw bad(`vocabSize must be an integer > ${DEFAULT_SPECIAL_TOKENS.length} (the special tokens)`, vocabSize);
  if (!Number.isInteger(minFrequency) || minFrequency < 1) throw bad('minFrequency must be an integer >= 1', minFrequency);
  if (!Number.isInteger(limitAlphabet) || limitAlphabet < 1) throw bad('limitAlphabet must be an integer >= 1', limitAlphabet);

  const wordCounts = countWords(texts, options.normalize);
  if (wordCounts.size === 0) throw new DatasetError('BAD_ARGUMENT', 'trainWordPiece: the corpus has no words');

  // Alphabet: the most frequent characters, sorted for stable ids.
  const charCounts = new Map<string, number>();
  for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  const alphabet = new Set(
    [...charCounts.entries()]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, limitAlphabet)
      .map(([ch]) => ch),
  );

  const vocab: string[] = [...DEFAULT_SPECIAL_TOKENS];
  const ids = new Map<string, number>(vocab.map((t, i) => [t, i]));
  const idOf = (t: string): number => {
    let id = ids.get(t);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(t);
      ids.set(t, id);
    }
    return id;
  };
  for (const ch of [...alphabet].sort()) idOf(ch);

  // Words as symbol-id sequences: first char plain, the rest with the prefix. Words with a
  // character outside the alphabet are left out (they encode to [UNK]).
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [w, c] of [...wordCounts.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const chars = Array.from(w);
    if (!chars.every((ch) => alphabet.has(ch))) continue;
    words.push(chars.map((ch, i) => idOf(i === 0 ? ch : prefix + ch)));
    counts.push(c);
  }

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: number) => {
    const s = words[wi];
    for (let i = 0; i + 1 < s.length; i++) {
      const k = key(s[i], s[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * counts[wi]);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(wi);
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1);
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push({ count: c, a: Math.floor(k / KEY), b: k % KEY });

  while (vocab.length < vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const k = key(top.a, top.b);
    const current = pairCount.get(k) ?? 0;
    if (current !== top.count) continue; // stale entry
    if (current < minFrequency) break;
    const right = vocab[top.b];
    const merged = idOf(vocab[top.a] + (right.startsWith(prefix) ? right.slice(prefix.length) : right));
    const touched = new Set<number>();
    for (const wi of pairWords.get(k) ?? []) {
      const s = words[wi];
      let has = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === top.a && s[i + 1] === top.b) has = true;
      if (!has) continue;
      addPairs(wi, -1);
      const next: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === top.a && s[i + 1] === top.b) {
          next.push(merged);
          i += 1;
        } else {
          next.push(s[i]);
        }
      }
      words[wi] = next;
      addPairs(wi, 1);
      for (let i = 0; i + 1 < next.length; i++) touched.add(key(next[i], next[i + 1]));
      for (let i = 0; i + 1 < s.length; i++) touched.add(key(s[i], s[i + 1]));
    }
    pairCount.delete(k);
    pairWords.delete(k);
    for (const t of touched) {
      const c = pairCount.get(t) ?? 0;
      if (c <= 0) {
        pairCount.delete(t);
        continue;
      }
      heap.push({ count: c, a: Math.floor(t / KEY), b: t % KEY });
    }
  }
  return WordPieceTokenizer.fromVocab(vocab, { normalize: options.normalize, continuationPrefix: prefix });
}
