#!/usr/bin/env node
// Does every public package's README mention every name its entry point exports?
//   node scripts/check-packages/readme-exports.mjs            report; exit 1 if a name is missing
//   node scripts/check-packages/readme-exports.mjs --list     also list the missing names
// Names are read from the TypeScript entry point (`src/index.ts`) with the TypeScript compiler
// API, so re-exports, `export type` and aliases all count; a README mentions a name when it
// appears as a whole word (e.g. in an API table or a code block).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { publicPackages, repoRoot } from './metadata.mjs';

/** Exported names of `src/index.ts` (value and type exports). */
export function exportedNames(pkgDir) {
  const file = join(pkgDir, 'src', 'index.ts');
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const names = new Set();
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) names.add(el.name.text);
    } else if (ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (st.name && ts.isIdentifier(st.name)) names.add(st.name.text);
      if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    }
  }
  return [...names].sort();
}

/** Names exported by the package but never mentioned in its README. */
export function missingFromReadme(pkgDir) {
  const readme = existsSync(join(pkgDir, 'README.md')) ? readFileSync(join(pkgDir, 'README.md'), 'utf8') : '';
  const names = exportedNames(pkgDir);
  const missing = names.filter((n) => !new RegExp(`(^|[^A-Za-z0-9_$])${n.replace(/\$/g, '\\$')}([^A-Za-z0-9_$]|$)`).test(readme));
  return { names, missing };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const list = process.argv.includes('--list');
  let bad = 0;
  for (const p of publicPackages(repoRoot)) {
    if (!existsSync(join(p.dir, 'src', 'index.ts'))) continue;
    const { names, missing } = missingFromReadme(p.dir);
    bad += missing.length;
    console.log(`${p.name}: ${names.length - missing.length}/${names.length} exports mentioned in README.md${missing.length && list ? `; missing: ${missing.join(', ')}` : ''}`);
  }
  if (bad > 0) {
    console.log(`${bad} export(s) not mentioned (run with --list to see them)`);
    process.exit(1);
  }
}
