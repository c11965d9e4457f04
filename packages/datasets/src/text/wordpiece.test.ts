import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../errors';
import { loadEmbeddedSst2, loadEmbeddedTextCorpus } from './embedded-text';
import { basicTokenize, normalizeText, preTokenize } from './normalize';
import { loadVocab, saveVocab } from './vocab-file';
import { DEFAULT_SPECIAL_TOKENS, WordPieceTokenizer } from './wordpiece';
import { trainWordPiece } from './wordpiece-trainer';

const dir = mkdtempSync(join(tmpdir(), 'acn-wordpiece-'));
const SPECIALS = [...DEFAULT_SPECIAL_TOKENS];

// Trained once: the SST-2 subset's first 3,000 phrases (fast, deterministic).
const sst = loadEmbeddedSst2('train', { limit: 3000 });
const tok = trainWordPiece(sst.sentences, { vocabSize: 1200 });

describe('BERT normalization and pre-tokenization', () => {
  it('lowercases, strips accents, cleans control characters and maps whitespace to spaces', () => {
    expect(normalizeText('Héllo\tWÖRLD\u0000!\u200b')).toBe('hello world!');
    expect(normalizeText('Crème Brûlée', { lowercase: false })).toBe('Crème Brûlée');
    expect(normalizeText('Crème', { lowercase: false, stripAccents: true })).toBe('Creme');
    expect(normalizeText('naïve café', { asciiOnly: true })).toBe('naive cafe');
    expect(normalizeText('日本語')).toBe(' 日  本  語 ');
  });

  it('splits on whitespace and isolates every punctuation character (BERT, incl. ASCII symbols)', () => {
    expect(preTokenize("it's  great,really.")).toEqual(['it', "'", 's', 'great', ',', 'really', '.']);
    expect(preTokenize('$5+3=8 -- ok')).toEqual(['$', '5', '+', '3', '=', '8', '-', '-', 'ok']);
    expect(basicTokenize('Don’t STOP!')).toEqual(['don', '’', 't', 'stop', '!']);
  });
});

describe('WordPiece training and encoding', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains a vocabulary of the requested size that starts with the special tokens ([PAD] = 0)', () => {
    expect(tok.vocabSize).toBe(1200);
    expect(tok.vocab.slice(0, 5)).toEqual(SPECIALS);
    expect([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId]).toEqual([0, 1, 2, 3, 4]);
    expect(tok.vocab.some((t) => t.startsWith('##'))).toBe(true);
    expect(tok.tokenToId('the')).toBeDefined();
    // Deterministic: the same corpus gives the same vocabulary.
    expect(trainWordPiece(sst.sentences, { vocabSize: 1200 }).vocab).toEqual(tok.vocab);
  });

  it('round-trips: decode(encode(text)) is the normalized, pre-tokenized text (no [UNK] in the training text)', () => {
    for (const s of sst.sentences.slice(0, 300)) {
      const ids = tok.encode(s);
      expect(ids[0]).toBe(tok.clsId);
      expect(ids[ids.length - 1]).toBe(tok.sepId);
      expect(ids).not.toContain(tok.unkId);
      expect(tok.decode(ids)).toBe(basicTokenize(s).join(' '));
    }
    expect(tok.decode(tok.encode('A Charming, FUNNY film!'))).toBe('a charming , funny film !');
    expect(tok.decode(tok.encode('good'), { skipSpecialTokens: false })).toBe('[CLS] good [SEP]');
  });

  it('splits rare words into ## pieces greedily (longest match first)', () => {
    const pieces = tok.tokenize('unflinchingly');
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.slice(1).every((p) => p.startsWith('##'))).toBe(true);
    expect(pieces.join('').replace(/##/g, '')).toBe('unflinchingly');
    const small = WordPieceTokenizer.fromVocab([...SPECIALS, 'un', 'unf', '##a', '##ab', '##b', 'a']);
    expect(small.tokenize('unfab')).toEqual(['unf', '##ab']);
    expect(small.tokenize('ab')).toEqual(['a', '##b']);
  });

  it('maps words that cannot be covered (unknown characters, too long) to one [UNK]; literal special tokens stay whole', () => {
    expect(tok.encode('good Ω movie', { addSpecialTokens: false })).toEqual([tok.tokenToId('good'), tok.unkId, tok.tokenToId('movie')]);
    const longWord = 'a'.repeat(101);
    expect(tok.encode(longWord, { addSpecialTokens: false })).toEqual([tok.unkId]);
    expect(tok.tokenize('a [MASK] film [SEP]')).toEqual(['a', '[MASK]', 'film', '[SEP]']);
    expect(tok.decode([tok.unkId, tok.tokenToId('film')!], { skipSpecialTokens: false })).toBe('[UNK] film');
    expect(() => tok.decode([99999])).toThrow(/token id 99999 is outside the vocabulary \[0, 1200\)/);
  });

  it('encodes exactly as Hugging Face tokenizers.js with the same vocabulary (BertNormalizer, BertPreTokenizer, WordPiece)', () => {
    const hf = new Tokenizer(tok.toTokenizerJson(), { model_max_length: 512, do_lower_case: true });
    const corpus = loadEmbeddedTextCorpus();
    const dev = loadEmbeddedSst2('dev');
    const texts = [
      ...dev.sentences.slice(0, 200),
      ...corpus.shakespeare.slice(0, 100),
      ...corpus.wikitext.slice(0, 20).map((p) => p.replace(/\[UNK\]/g, 'xyz')),
      'Héllo, Wörld! naïve café… “quotes” 日本 emoji 🙂 tab\there',
    ];
    for (const t of texts) expect(tok.encode(t)).toEqual(hf.encode(t).ids);
  });

  it('saves and loads the vocabulary (one token per line, atomic) and rejects malformed files by line', () => {
    const p = join(dir, 'vocab.txt');
    tok.save(p);
    const text = readFileSync(p, 'utf8');
    expect(text.split('\n')).toHaveLength(1201); // 1200 lines + final newline
    expect(text.startsWith('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n')).toBe(true);
    expect(readdirSync(dir)).toEqual(['vocab.txt']); // no temporary file left behind
    const back = WordPieceTokenizer.load(p);
    expect(back.vocab).toEqual(tok.vocab);
    expect(back.encode(sst.sentences[7])).toEqual(tok.encode(sst.sentences[7]));
    writeFileSync(p, `${SPECIALS.join('\r\n')}\r\nfoo\r\n`);
    expect(loadVocab(p)).toEqual([...SPECIALS, 'foo']);
    const bad = (lines: string[], re: RegExp) => {
      writeFileSync(p, `${lines.join('\n')}\n`);
      expect(() => WordPieceTokenizer.load(p)).toThrow(DatasetError);
      expect(() => WordPieceTokenizer.load(p)).toThrow(re);
    };
    bad([...SPECIALS, 'foo', 'bar', 'foo'], /line 8: duplicate token "foo" \(first on line 6\)/);
    bad([...SPECIALS, 'a', '', 'b'], /line 7: empty token/);
    bad([...SPECIALS, 'a b'], /line 6: token "a b" contains whitespace/);
    bad(['[UNK]', '[PAD]', '[CLS]', '[SEP]', '[MASK]'], /\[PAD\] must have id 0 \(line 1\), found at line 2/);
    bad(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'x'], /has no \[MASK\] token/);
    expect(() => WordPieceTokenizer.load(join(dir, 'missing.txt'))).toThrow(/vocabulary file not found/);
    expect(() => saveVocab(p, ['a', 'a'])).toThrow(/line 2: duplicate token/);
  });

  it('rejects bad training options', () => {
    expect(() => trainWordPiece(['a b'], { vocabSize: 5 })).toThrow(/vocabSize must be an integer > 5/);
    expect(() => trainWordPiece(['a b'], { minFrequency: 0 })).toThrow(/minFrequency must be an integer >= 1/);
    expect(() => trainWordPiece(['  ', '\t'])).toThrow(/the corpus has no words/);
  });
});
