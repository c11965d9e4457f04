/**
 * Regenerates the committed text subset in packages/datasets/data/text-subset/ from the full
 * files (a folder laid out like /work/shared/data: sst2/, tinyshakespeare/, wikitext-2-tokenized/).
 * Every file is a byte-for-byte prefix (whole lines) of its source; prints the sha256 table that
 * packages/datasets/src/text/embedded-text.ts and the subset README hold.
 *
 *   pnpm --filter @acn-examples/bert-sst2 make-text-subset /work/shared/data
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What to take from each source file: its first `lines` lines (the SST-2 header included). */
export const SUBSET_FILES = [
  { file: 'sst2/train.tsv', lines: 8001 }, // header + the first 8,000 labeled phrases
  { file: 'sst2/dev.tsv', lines: Infinity }, // all 872 dev sentences
  { file: 'tinyshakespeare/input.txt', lines: 7400 }, // up to a speech boundary, ~196 KB
  { file: 'wikitext-2-tokenized/valid.txt', lines: 1040 }, // the first 20 articles, ~256 KB
] as const;

function main(): void {
  const src = process.argv[2];
  if (!src) {
    console.error('usage: make-text-subset <data-dir>   (holding sst2/, tinyshakespeare/, wikitext-2-tokenized/)');
    process.exit(2);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const out = resolve(here, '../../../packages/datasets/data/text-subset');
  for (const { file, lines } of SUBSET_FILES) {
    const text = readFileSync(join(src, file), 'utf8');
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    const kept = `${all.slice(0, lines).join('\n')}\n`;
    const target = join(out, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, kept);
    const sha = createHash('sha256').update(kept).digest('hex');
    console.log(`| ${file} | ${Buffer.byteLength(kept)} | ${Math.min(lines, all.length)} | ${sha} |`);
  }
}

main();
