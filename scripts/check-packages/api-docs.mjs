#!/usr/bin/env node
// The "API" section of every public package README, generated from the source so it covers every
// export and cannot drift: one table per task group (the `// Group` comments of src/index.ts, else
// the folder an export comes from), one row per value export with the first sentence of its TSDoc,
// then the group's types. Written between `<!-- api:start -->` and `<!-- api:end -->` (appended as
// a new `## API reference` section the first time).
//
//   node scripts/check-packages/api-docs.mjs           check that every README is up to date
//   node scripts/check-packages/api-docs.mjs --write   regenerate the sections
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { publicPackages, repoRoot } from './metadata.mjs';

const START = '<!-- api:start -->';
const END = '<!-- api:end -->';

/** First sentence of a doc comment, on one line, with `|` escaped for tables. */
function summary(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = flat.match(/^(.+?[.!?])(\s|$)/);
  return (m ? m[1] : flat).replace(/\|/g, '\\|');
}

/** A short single-line `// Heading` right above the statement (index.ts groups exports by task this way). */
function headingOf(statement, source) {
  const ranges = ts.getLeadingCommentRanges(source.text, statement.getFullStart()) ?? [];
  const lines = ranges.map((r) => source.text.slice(r.pos, r.end)).filter((c) => c.startsWith('//'));
  if (lines.length !== 1) return null;
  const text = lines[0].replace(/^\/\/\s*/, '').trim();
  return text.length > 0 && text.length <= 80 && !text.endsWith('.') ? text : null;
}

/** Group of a statement without headings: the folder it re-exports from. */
function folderGroup(statement) {
  const spec = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : '';
  if (!spec.startsWith('.')) return `Re-exported from ${spec}`;
  const part = spec.replace(/^\.\//, '').split('/')[0] || 'other';
  return part.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** `[{ group, values: [{ name, doc }], types: [name] }]` in index.ts order. */
export function apiOf(pkgDir) {
  const entry = join(pkgDir, 'src', 'index.ts');
  // The package's own tsconfig (paths map every @acn/* to its source), so re-exports resolve to
  // the documented declarations.
  const config = ts.getParsedCommandLineOfConfigFile(join(pkgDir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const program = ts.createProgram([entry], { ...(config?.options ?? {}), noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const groups = new Map();
  const group = (name) => {
    if (!groups.has(name)) groups.set(name, { group: name, values: [], types: [] });
    return groups.get(name);
  };
  const exportsOf = source.statements.filter((st) => ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause));
  const byHeading = exportsOf.some((st) => headingOf(st, source) !== null);
  let current = 'TensorFlow.js and basics';
  for (const st of exportsOf) {
    // With headings, one applies to the statements after it until the next; otherwise the folder.
    const target = byHeading ? (current = headingOf(st, source) ?? current) : folderGroup(st);
    for (const el of st.exportClause.elements) {
      let sym = checker.getSymbolAtLocation(el.name);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const isTypeOnly = st.isTypeOnly || el.isTypeOnly || (sym && !(sym.flags & ts.SymbolFlags.Value));
      const doc = sym ? ts.displayPartsToString(sym.getDocumentationComment(checker)) : '';
      if (isTypeOnly) group(target).types.push(el.name.text);
      else group(target).values.push({ name: el.name.text, doc: summary(doc) });
    }
  }
  return [...groups.values()];
}

export function renderApi(pkgName, api) {
  const lines = [START, '', `Generated from the TSDoc of \`${pkgName}\`'s exports by \`node scripts/check-packages/api-docs.mjs --write\`; each symbol's full documentation and an example are in its type declarations (your editor shows them).`, ''];
  for (const g of api) {
    lines.push(`### ${g.group}`, '');
    if (g.values.length > 0) {
      lines.push('| export | what it is |', '|---|---|');
      for (const v of g.values) lines.push(`| \`${v.name}\` | ${v.doc || '—'} |`);
      lines.push('');
    }
    if (g.types.length > 0) lines.push(`Types: ${g.types.map((t) => `\`${t}\``).join(', ')}.`, '');
  }
  lines.push(END);
  return lines.join('\n');
}

/** The README with its API section replaced (or appended). */
export function withApi(readme, block) {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a >= 0 && b > a) return `${readme.slice(0, a)}${block}${readme.slice(b + END.length)}`;
  return `${readme.replace(/\s*$/, '')}\n\n## API reference\n\n${block}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const write = process.argv.includes('--write');
  const stale = [];
  for (const p of publicPackages(repoRoot)) {
    if (!existsSync(join(p.dir, 'src', 'index.ts'))) continue;
    const file = join(p.dir, 'README.md');
    const readme = existsSync(file) ? readFileSync(file, 'utf8') : `# ${p.name}\n`;
    const next = withApi(readme, renderApi(p.name, apiOf(p.dir)));
    if (next === readme) continue;
    if (write) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, next);
      renameSync(tmp, file);
      console.log(`wrote the API section of ${relative(repoRoot, file)}`);
    } else stale.push(p.name);
  }
  if (stale.length > 0) {
    console.error(`API section out of date in: ${stale.join(', ')}\nfix: node scripts/check-packages/api-docs.mjs --write`);
    process.exit(1);
  }
  if (!write) console.log('API sections: up to date');
}
