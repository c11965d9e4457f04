#!/usr/bin/env node
// Sums the vitest JSON reports of every workspace (written by vitest.shared.ts) into one closing
// line, 'N passed, N failed, N skipped', so a reader (or CI) sees the whole suite at a glance.
// Turbo may replay cached test runs: their JSON files are restored as task outputs, so the sum
// always covers every package.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const group of ['packages', 'examples']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const file = join(group, name, '.vitest-result.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    rows.push(`  ${join(group, name)}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
}
console.log(`\ntest summary by workspace:\n${rows.join('\n')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
