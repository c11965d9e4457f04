import { describe, expect, it } from 'vitest';
import { cleanWikiText, packSequences, textLines } from './corpus';
import { encodeBatch } from './encode-batch';
import { loadEmbeddedTextCorpus } from './embedded-text';
import { WordPieceTokenizer } from './wordpiece';

const tok = WordPieceTokenizer.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'fine', 'film', '.', 'dull', 'b', '##c']);
const id = (t: string) => tok.tokenToId(t)!;

describe('padding, truncation and attention masks', () => {
  it('wraps in [CLS] … [SEP], pads with [PAD] = 0 to maxLength and masks the padding', () => {
    const e = encodeBatch(tok, ['a fine film .', 'dull'], { maxLength: 8 });
    expect(e.length).toBe(8);
    expect([...e.ids]).toEqual([2, id('a'), id('fine'), id('film'), id('.'), 3, 0, 0, 2, id('dull'), 3, 0, 0, 0, 0, 0]);
    expect([...e.attentionMask]).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect([...e.lengths]).toEqual([6, 3]);
    expect(e.truncated).toBe(0);
  });

  it('truncates to maxLength keeping [SEP], pads to the longest with padding: longest, or refuses without truncation', () => {
    const e = encodeBatch(tok, ['a fine film . a fine film .', 'bc'], { maxLength: 5 });
    expect([...e.ids.subarray(0, 5)]).toEqual([2, id('a'), id('fine'), id('film'), 3]);
    expect(e.truncated).toBe(1);
    const l = encodeBatch(tok, ['dull', 'a bc'], { maxLength: 64, padding: 'longest' });
    expect(l.length).toBe(5);
    expect([...l.ids]).toEqual([2, id('dull'), 3, 0, 0, 2, id('a'), id('b'), id('##c'), 3]);
    expect(() => encodeBatch(tok, ['dull', 'a fine film .'], { maxLength: 4, truncation: false })).toThrow(/text 1 has 6 tokens with \[CLS\]\/\[SEP\], more than maxLength 4/);
    expect(() => encodeBatch(tok, ['a'], { maxLength: 1 })).toThrow(/maxLength must be an integer >= 2/);
  });
});

describe('MLM corpora', () => {
  it('cleans tokenized WikiText: headings and blank lines dropped, @-@ splits undone, <unk> → [UNK]', () => {
    expect(cleanWikiText(' \n = Title = \n = = Section = = \n The 1 @,@ 000 @-@ year <unk> , 2 @.@ 5 m . \n')).toEqual(['The 1,000-year [UNK] , 2.5 m .']);
    expect(textLines('First Citizen:\nBefore we proceed.\n\n  \nAll:\n')).toEqual(['First Citizen:', 'Before we proceed.', 'All:']);
  });

  it('packs a token stream into [CLS] + (maxLength − 2) + [SEP] rows; only the last row is padded', () => {
    const p = packSequences(tok, ['a fine film .', 'dull a fine', 'film'], { maxLength: 5 });
    expect(p.tokens).toBe(8);
    expect(p.count).toBe(3);
    expect([...p.ids]).toEqual([2, id('a'), id('fine'), id('film'), 3, 2, id('.'), id('dull'), id('a'), 3, 2, id('fine'), id('film'), 3, 0]);
    expect(packSequences(tok, ['a fine film .', 'dull a fine', 'film'], { maxLength: 5, minChunk: 3 }).count).toBe(2);
  });

  it('ships Tiny Shakespeare and WikiText-2 slices (sha256-verified)', () => {
    const { shakespeare, wikitext } = loadEmbeddedTextCorpus();
    expect(shakespeare[0]).toBe('First Citizen:');
    expect(shakespeare.length).toBeGreaterThan(5000);
    expect(wikitext.length).toBeGreaterThan(300);
    expect(wikitext.join(' ')).not.toMatch(/ @-@ |<unk>|^ = /);
  });
});
