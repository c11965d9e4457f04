#!/usr/bin/env node
// Publish metadata of every public @acn/* package, derived from ONE place (the root package.json's
// `repository`, `license`, `engines`), plus a LICENSE copy in each package (npm puts a package's
// own LICENSE in its tarball, not the repository's).
//
//   node scripts/check-packages/metadata.mjs           check; exit 1 and list what is wrong
//   node scripts/check-packages/metadata.mjs --write   fix it (rewrites package.json files)
//
// Keywords are hand-maintained per package (a starting set is filled in when missing).
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync, renameSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMON_KEYWORDS = ['tensorflowjs', 'tfjs', 'model-compression', 'auto-compressing-networks'];
const STARTING_KEYWORDS = {
  '@acn/core': ['neural-networks', 'mlp-mixer', 'vision-transformer', 'bert', 'truncation', 'safetensors'],
  '@acn/datasets': ['datasets', 'mnist', 'fashion-mnist', 'cifar-10', 'sst-2', 'wordpiece'],
  '@acn/metrics': ['probing', 'flops', 'latency', 'model-analysis', 'vega-lite'],
  '@acn/prune': ['pruning', 'sparsity', 'n-m-sparsity', 'csr'],
  '@acn/quant': ['quantization', 'binary-neural-networks', 'ternary', 'straight-through-estimator'],
  '@acn/lowrank': ['low-rank', 'svd', 'factorization'],
  '@acn/vcon': ['vanishing-contributions', 'compression-schedule'],
  '@acn/early-exit': ['early-exit', 'adaptive-inference', 'dynamic-depth'],
  '@acn/onnx': ['onnx', 'onnxruntime', 'export'],
};

/** Key order of a rewritten package.json: npm's usual order; unknown keys keep theirs, after these. */
const ORDER = [
  'name', 'version', 'private', 'description', 'keywords', 'homepage', 'bugs', 'repository', 'license', 'author',
  'type', 'sideEffects', 'main', 'module', 'types', 'exports', 'files', 'engines', 'scripts',
  'dependencies', 'peerDependencies', 'peerDependenciesMeta', 'optionalDependencies', 'devDependencies', 'publishConfig',
];

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Every non-private workspace package under packages/: { dir, name, pkg }. */
export function publicPackages(root = repoRoot) {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => {
      const dir = join(base, d.name);
      return { dir, name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    })
    .filter((p) => !p.pkg.private)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The fields every public package must carry, derived from the root package.json. */
function expected(rootPkg, relDir) {
  const url = rootPkg.repository?.url ?? '';
  const web = url.replace(/^git\+/, '').replace(/\.git$/, '');
  return {
    homepage: `${web}/tree/main/${relDir}#readme`,
    bugs: { url: `${web}/issues` },
    repository: { type: 'git', url, directory: relDir },
    license: rootPkg.license,
    engines: rootPkg.engines,
    publishConfig: { access: 'public' },
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function ordered(pkg) {
  const out = {};
  for (const k of ORDER) if (k in pkg) out[k] = pkg[k];
  for (const k of Object.keys(pkg)) if (!(k in out)) out[k] = pkg[k];
  return out;
}

/** Checks (and with `write`, fixes) every public package. Returns the problems left. */
export function checkMetadata(root = repoRoot, { write = false } = {}) {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const problems = [];
  if (!rootPkg.repository?.url) problems.push('root package.json: repository.url is missing (the source of every package\'s repository/homepage/bugs)');
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  for (const { dir, name, pkg } of publicPackages(root)) {
    const relDir = relative(root, dir).split('\\').join('/');
    const want = expected(rootPkg, relDir);
    const next = { ...pkg };
    for (const [k, v] of Object.entries(want)) {
      if (!same(pkg[k], v)) {
        if (write) next[k] = v;
        else problems.push(`${name}: "${k}" should be ${JSON.stringify(v)}, is ${JSON.stringify(pkg[k])}`);
      }
    }
    if (pkg.sideEffects === undefined) {
      if (write) next.sideEffects = false;
      else problems.push(`${name}: "sideEffects" is missing (false unless a module has import-time effects)`);
    }
    if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) {
      if (write) next.keywords = [...COMMON_KEYWORDS, ...(STARTING_KEYWORDS[name] ?? [])];
      else problems.push(`${name}: "keywords" is missing`);
    }
    if (!pkg.description) problems.push(`${name}: "description" is missing`);
    if (write && !same(ordered(next), pkg)) {
      const file = join(dir, 'package.json');
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(ordered(next), null, 2)}\n`);
      renameSync(tmp, file);
    }
    const licenseFile = join(dir, 'LICENSE');
    if (!existsSync(licenseFile) || readFileSync(licenseFile, 'utf8') !== license) {
      if (write) copyFileSync(join(root, 'LICENSE'), licenseFile);
      else problems.push(`${name}: LICENSE is missing or differs from the root LICENSE`);
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const write = process.argv.includes('--write');
  const problems = checkMetadata(repoRoot, { write });
  if (problems.length > 0) {
    console.error(`package metadata: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    console.error('fix: node scripts/check-packages/metadata.mjs --write');
    process.exit(1);
  }
  console.log(`package metadata: ok (${publicPackages().length} public packages)${write ? ', written' : ''}`);
}
