/*
 * "One block loop": no source file of the repository except core's `walkPrefixes` walks the blocks
 * of a model to run them (issue 10). Scans every non-test TypeScript source of packages/*\/src and
 * examples/*\/src. Structural walks that run no forward (listing layers, disposing, per-block cost
 * tables) are allowed line by line below, with the reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** Ways to iterate the blocks or call one by hand. */
const PATTERNS: RegExp[] = [
  /\bof\s+[\w.]*\bblocks\b/, // for (const b of model.blocks)
  /\bblocks\.(forEach|map|reduce|flatMap|entries|some|every)\(/, // model.blocks.forEach(...)
  /\bblocks\.length\b/, // for (let i = 0; i < model.blocks.length; i++)
  /\.blocks\[/, // model.blocks[k - 1].apply(...)
  /\bblock\.apply\(/, // const block = ...; block.apply(h, ctx)
];

/** file (from the repo root) → the exact matching lines allowed there, and why. */
const ALLOWED: Record<string, { lines: string[]; why: string }> = {
  'packages/core/src/connectivity/walk.ts': { lines: ['const next = step(() => strategy.join(s, block.apply(', 'if (control?.stop || k === blocks.length) return state;'], why: 'the one block loop' },
  'packages/early-exit/src/cost.ts': { lines: ['const blocks = mc.blocks.map((b) => b.flops);', 'for (const b of blocks) prefix.push('], why: 'prefix sums of per-block FLOPs (numbers), no forward' },
  'packages/core/src/models/block-model.ts': {
    lines: ['return this.blocks.length;', 'this.blocks.forEach((b, i) => out.push(...b.walk(), ...this.connections[i].walk()));'],
    why: '`depth` and `layers()`: structural, no forward',
  },
  'packages/core/src/cost/model-cost.ts': { lines: ['model.blocks.map((_, index)'], why: 'per-block cost table, no forward' },
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts|cts)$/.test(name) && !/\.test(-helper)?\.ts$|\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

describe('one block loop', () => {
  it('no source file iterates the blocks by hand (only core/src/connectivity/walk.ts runs them)', () => {
    const files: string[] = [];
    for (const top of ['packages', 'examples']) {
      for (const pkg of readdirSync(join(ROOT, top))) {
        const src = join(ROOT, top, pkg, 'src');
        try {
          if (statSync(src).isDirectory()) sources(src, files);
        } catch {
          // a package without src/
        }
      }
    }
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const f of files) {
      const rel = relative(ROOT, f);
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '').trim();
          if (code.startsWith('*') || code.startsWith('/*')) return; // doc comments and examples
          if (!PATTERNS.some((p) => p.test(code))) return;
          if (ALLOWED[rel]?.lines.some((a) => code.includes(a))) return;
          found.push(`${rel}:${i + 1}: ${code}`);
        });
    }
    expect(found).toEqual([]);
  });
});
