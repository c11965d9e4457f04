#!/usr/bin/env node
// The dependency shape of the design (layering), checked on every workspace package under packages/:
// `@acn/core` depends on no other `@acn/*` package, and every other package (plugins, metrics,
// datasets, onnx, the private test-utils) depends on `@acn/core` only; packages other than core
// and test-utils may also use the private `@acn/test-utils` in their tests (devDependencies).
// Plugins never depend on each other, not even for tests: cross-plugin tests live in the private
// `packages/integration-tests`, the one package exempt here.
//
// Both the package.json fields (every dependency field, devDependencies included) and the imports
// in the sources (src/, test/, bench/, scripts/) are checked: vitest and tsc resolve `@acn/*` to
// source through aliases, so an undeclared import would otherwise go unnoticed.
//
//   node scripts/check-packages/layering.mjs     exit 1 and list every violation
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const CORE = '@acn/core';
const TEST_UTILS = '@acn/test-utils';
/** Composes real plugins on purpose (that is what it is for). */
const EXEMPT = new Set(['@acn/integration-tests']);
const FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
const SOURCE_DIRS = ['src', 'test', 'bench', 'scripts'];
const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js)$/;
/** Test-only files: the only place `@acn/test-utils` may be imported. */
const TEST_FILE = /(?:\.(?:test|spec|fuzz)\.[cm]?[jt]s|\.test-helper\.[cm]?[jt]s)$|(?:^|\/)test\//;

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The `@acn/*` packages `name` may depend on through `field`. */
function allowed(name, field) {
  if (name === CORE) return new Set();
  if (name === TEST_UTILS || field !== 'devDependencies') return new Set([CORE]);
  return new Set([CORE, TEST_UTILS]);
}

function* sourceFiles(dir) {
  if (!existsSync(dir)) return;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory() && d.name !== 'node_modules' && d.name !== 'vendor') yield* sourceFiles(p);
    else if (d.isFile() && SOURCE_FILE.test(d.name)) yield p;
  }
}

/** `@acn/*` package names a module imports (comments stripped: TSDoc examples import freely). */
export function acnImports(code) {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out = new Set();
  for (const m of stripped.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](@acn\/[a-z0-9-]+)/g)) out.add(m[1]);
  return out;
}

/** Every layering violation under `root/packages`, as readable lines (empty when the shape holds). */
export function checkLayering(root = repoRoot) {
  const problems = [];
  const base = join(root, 'packages');
  for (const d of readdirSync(base, { withFileTypes: true })) {
    const dir = join(base, d.name);
    if (!d.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (EXEMPT.has(pkg.name)) continue;
    for (const field of FIELDS) {
      const ok = allowed(pkg.name, field);
      for (const dep of Object.keys(pkg[field] ?? {})) {
        if (dep.startsWith('@acn/') && !ok.has(dep)) {
          problems.push(`${pkg.name}: ${field} has ${dep}; allowed: ${[...ok].join(', ') || 'no @acn/* package'} (cross-package tests go in packages/integration-tests)`);
        }
      }
    }
    const devOk = allowed(pkg.name, 'devDependencies');
    for (const srcDir of SOURCE_DIRS) {
      for (const file of sourceFiles(join(dir, srcDir))) {
        const rel = relative(dir, file).split('\\').join('/');
        const ok = TEST_FILE.test(rel) ? devOk : allowed(pkg.name, 'dependencies');
        for (const dep of acnImports(readFileSync(file, 'utf8'))) {
          if (dep !== pkg.name && !ok.has(dep)) problems.push(`${pkg.name}: ${rel} imports ${dep}; allowed: ${[...ok].join(', ') || 'no @acn/* package'}`);
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = checkLayering();
  if (problems.length > 0) {
    console.error(`layering: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('layering: ok (core depends on no @acn package; every other package on @acn/core only)');
}
