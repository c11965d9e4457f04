import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../errors';
import { embeddedTextDir, loadEmbeddedSst2, TEXT_SUBSET_SHA256 } from './embedded-text';
import { loadSst2, parseSst2 } from './sst2';

const dir = mkdtempSync(join(tmpdir(), 'acn-sst2-'));

function expectError(text: string, code: string, re: RegExp): void {
  let err: unknown;
  try {
    parseSst2(text, { source: 'inline.tsv' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DatasetError);
  expect((err as DatasetError).code).toBe(code);
  expect((err as DatasetError).message).toMatch(re);
}

describe('SST-2 reader', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses train/dev TSV (header sentence<TAB>label), trimming the trailing space; CRLF accepted', () => {
    const d = parseSst2('sentence\tlabel\nhide new secretions from the parental units \t0\na fine film . \t1\n');
    expect(d.sentences).toEqual(['hide new secretions from the parental units', 'a fine film .']);
    expect([...d.labels!]).toEqual([0, 1]);
    expect(d.count).toBe(2);
    expect(d.classNames).toEqual(['negative', 'positive']);
    const crlf = parseSst2('sentence\tlabel\r\ngood \t1\r\nbad \t0');
    expect([...crlf.labels!]).toEqual([1, 0]);
    expect(parseSst2('sentence\tlabel\na \t1\nb \t0\nc \t1\n', { limit: 2 }).count).toBe(2);
  });

  it('parses the unlabeled test file (header index<TAB>sentence)', () => {
    const t = parseSst2('index\tsentence\n0\tuneasy mishmash of styles .\n1\ta poor imitation .\n');
    expect(t.labels).toBeUndefined();
    expect([...t.indices!]).toEqual([0, 1]);
    expect(t.sentences[1]).toBe('a poor imitation .');
  });

  it('names the line of every malformed row', () => {
    expectError('text\tlabel\nfoo\t1\n', 'BAD_MAGIC', /inline\.tsv: line 1: expected the header 'sentence<TAB>label'.*got "text\\tlabel"/);
    expectError('sentence\tlabel\ngood \t1\nbad \t2\nmeh \tx\n', 'BAD_LABEL', /line 3: label "2" is not 0 or 1; line 4: label "x" is not 0 or 1/);
    expectError('sentence\tlabel\ngood \t1\nno label here\n', 'BAD_LENGTH', /line 3: expected 2 tab-separated fields \(sentence<TAB>label\), got 1/);
    expectError('sentence\tlabel\na\tb\t1\n', 'BAD_LENGTH', /line 2: expected 2 tab-separated fields .* got 3/);
    expectError('sentence\tlabel\n \t1\n', 'BAD_LENGTH', /line 2: empty sentence/);
    expectError('sentence\tlabel\ngood \t1\n\nbad \t0\n', 'BAD_LENGTH', /line 3: blank line/);
    expectError('index\tsentence\nx\tfoo\n', 'BAD_LABEL', /line 2: index "x" is not an integer in \[0, 2147483647\]/);
    const many = `sentence\tlabel\n${Array.from({ length: 30 }, () => 'x\t7').join('\n')}\n`;
    expectError(many, 'BAD_LABEL', /stopped after 10 problems/);
  });

  it('loads a split from a data folder (dir/<split>.tsv or dir/sst2/<split>.tsv) and says where it looked', () => {
    mkdirSync(join(dir, 'sst2'));
    writeFileSync(join(dir, 'sst2', 'dev.tsv'), 'sentence\tlabel\ngood \t1\n');
    expect(loadSst2(dir, 'dev').sentences).toEqual(['good']);
    expect(loadSst2(dir, 'dev').source).toBe(join(dir, 'sst2', 'dev.tsv'));
    expect(() => loadSst2(dir, 'train')).toThrow(/SST-2 train split not found: looked for .*train\.tsv/);
  });

  it('ships the first 8,000 training phrases and the full dev set, sha256-verified', () => {
    const train = loadEmbeddedSst2('train');
    const dev = loadEmbeddedSst2('dev');
    expect(train.count).toBe(8000);
    expect(dev.count).toBe(872);
    expect([...dev.labels!].filter((l) => l === 1)).toHaveLength(444);
    expect([...train.labels!].filter((l) => l === 1)).toHaveLength(4438);
    expect(train.sentences[0]).toBe('hide new secretions from the parental units');
    expect(Object.keys(TEXT_SUBSET_SHA256).sort()).toEqual(['sst2/dev.tsv', 'sst2/train.tsv', 'tinyshakespeare/input.txt', 'wikitext-2-tokenized/valid.txt']);
    // The subset is laid out like a full data folder.
    expect(loadSst2(embeddedTextDir(), 'dev').count).toBe(872);
  });
});
