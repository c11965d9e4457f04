#!/usr/bin/env node
// `pnpm check:packages`: check what a user gets from npm, not what the workspace links give us.
//
//  1. package metadata + LICENSE copies (metadata.mjs); layering: plugins depend on core only (layering.mjs)
//  2. build every public package (turbo, cached)
//  3. pack every public package (pnpm pack: workspace:/catalog: ranges become real versions)
//  4. publint (strict) and @arethetypeswrong/cli (profile node16: we require Node >= 20, so the
//     node10 resolution of old `moduleResolution: node` setups is not checked) on every tarball
//  5. npm-install @acn/core + @acn/prune tarballs into a clean temp project: size, package count,
//     and the assertion that vega / vega-lite are not installed
//  6. npm-install every tarball into another clean project (no workspace links), then
//     ESM import smoke test, CJS require smoke test, ESM+CJS dual-load test, and a consumer `tsc`
//     (skipLibCheck false) under node16, nodenext and bundler resolution; only diagnostics in our
//     own files (node_modules/@acn/*, the consumer files) count: tfjs's own typing issues are
//     reported but ignored
//  7. every README mentions every export; every README quick start runs against the tarballs
//  8. `pnpm publish -r --dry-run`
//
// Options: --skip-build, --skip-publish, --keep (keep the temp dir), --json FILE (write the report),
// --exclude @acn/x (repeatable; local debugging only, e.g. while a new package does not build yet).
// Exit status 1 when any check fails; every check runs even after a failure.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayering } from './layering.mjs';
import { checkMetadata, publicPackages, repoRoot } from './metadata.mjs';
import { missingFromReadme } from './readme-exports.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const here = fileURLToPath(new URL('.', import.meta.url));
const TS_VERSION = '5.9.3';
const TYPES_NODE = '^20.19.0';
// Never let an optional onnxruntime peer download binaries during the check.
const ENV = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_onnxruntime_node_install: 'skip', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

const failures = [];
const report = { packages: [], installs: {}, smoke: {}, types: {}, publint: {}, attw: {}, timings: {} };

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', env: ENV, maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Async `run`, so independent checks can share the two CI cores. */
function runAsync(cmd, cmdArgs, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, cmdArgs, { env: ENV, ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ status: code ?? 1, out: `${stdout}${stderr}`, stdout, stderr }));
  });
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the input order in the results. */
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const PARALLEL = Math.max(1, Number(process.env.ACN_CHECK_PARALLEL ?? 2));
const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);

async function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  try {
    await fn();
  } catch (e) {
    failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    console.log(`   FAILED: ${e instanceof Error ? e.message : String(e)}`);
  }
  report.timings[name] = (Date.now() - t0) / 1000;
}

function fail(what) {
  failures.push(what);
  console.log(`   FAIL ${what}`);
}

/** Packages installed in a node_modules tree (nested node_modules included) and its size in bytes. */
function installStats(nodeModules) {
  let packages = 0;
  let bytes = 0;
  const names = new Set();
  const walk = (dir) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isSymbolicLink()) continue;
      if (d.isDirectory()) walk(p);
      else bytes += statSync(p).size;
    }
  };
  const scan = (nm) => {
    if (!existsSync(nm)) return;
    for (const d of readdirSync(nm, { withFileTypes: true })) {
      if (!d.isDirectory() || d.name.startsWith('.')) continue;
      if (d.name.startsWith('@')) {
        for (const s of readdirSync(join(nm, d.name), { withFileTypes: true })) {
          if (s.isDirectory()) {
            packages += 1;
            names.add(`${d.name}/${s.name}`);
            scan(join(nm, d.name, s.name, 'node_modules'));
          }
        }
      } else {
        packages += 1;
        names.add(d.name);
        scan(join(nm, d.name, 'node_modules'));
      }
    }
  };
  scan(nodeModules);
  walk(nodeModules);
  return { packages, bytes, names };
}

const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

function makeProject(dir, name) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, version: '0.0.0', type: 'module' }, null, 2)}\n`);
  // Local cache only where it helps; no workspace, no links: exactly what `npm i` gives a user.
  writeFileSync(join(dir, '.npmrc'), 'fund=false\naudit=false\n');
}

function npmInstall(dir, specs) {
  const t0 = Date.now();
  const r = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn', ...specs], { cwd: dir });
  const seconds = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`npm install failed in ${dir}:\n${r.out.slice(-3000)}`);
  const warnings = r.out.split('\n').filter((l) => /npm warn/i.test(l));
  return { seconds, warnings, ebadengine: warnings.filter((l) => l.includes('EBADENGINE')) };
}

const work = mkdtempSync(join(tmpdir(), 'acn-check-packages-'));
const tarDir = join(work, 'tarballs');
mkdirSync(tarDir);
const excluded = args.flatMap((a, i) => (a === '--exclude' ? [args[i + 1]] : []));
const pkgs = publicPackages(repoRoot).filter((p) => !excluded.includes(p.name));
const names = pkgs.map((p) => p.name);
console.log(`check-packages: ${names.length} public packages (${names.join(', ')}); temp dir ${work}`);

await step('metadata', () => {
  const problems = checkMetadata(repoRoot);
  problems.forEach((p) => fail(`metadata: ${p}`));
  if (problems.length === 0) console.log('   ok');
});

await step('layering', () => {
  const problems = checkLayering(repoRoot);
  problems.forEach((p) => fail(`layering: ${p}`));
  if (problems.length === 0) console.log('   ok');
});

await step('README API coverage', () => {
  for (const p of pkgs) {
    if (!existsSync(join(p.dir, 'src', 'index.ts'))) continue;
    const { names, missing } = missingFromReadme(p.dir);
    if (missing.length > 0) fail(`${p.name}: README.md does not mention ${missing.length} of ${names.length} exports (${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}); regenerate: node scripts/check-packages/api-docs.mjs --write`);
    else console.log(`   ${p.name}: all ${names.length} exports mentioned`);
  }
});

if (!flag('--skip-build')) {
  await step('build', () => {
    const filters = names.flatMap((n) => ['--filter', n]);
    const r = run('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], { cwd: repoRoot });
    if (r.status !== 0) throw new Error(`build failed:\n${r.out.slice(-4000)}`);
    console.log('   ok');
  });
}

await step('pack', () => {
  for (const p of pkgs) {
    const r = run('pnpm', ['pack', '--pack-destination', tarDir, '--json'], { cwd: p.dir });
    if (r.status !== 0) {
      fail(`pack ${p.name}: ${r.out.slice(-1500)}`);
      continue;
    }
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    const files = json.files.map((f) => f.path);
    const size = statSync(json.filename).size;
    report.packages.push({ name: p.name, version: json.version, tarball: json.filename, size, files: files.length });
    for (const need of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
      if (!files.includes(need)) fail(`${p.name}: tarball lacks ${need}`);
    }
    const stray = files.filter((f) => /^src\/|\.test\.|(^|\/)tsconfig|vitest\.config|tsup\.config/.test(f));
    if (stray.length > 0) fail(`${p.name}: tarball ships development files: ${stray.join(', ')}`);
  }
  console.log(['   | package | tarball | files |', '   |---|---:|---:|', ...report.packages.map((t) => `   | ${t.name} | ${(t.size / 1024).toFixed(1)} kB | ${t.files} |`)].join('\n'));
});

const tarball = (name) => report.packages.find((t) => t.name === name)?.tarball;

await step('publint + attw', async () => {
  await pool(report.packages, PARALLEL, async (t) => {
    const [pl, at] = [await runAsync(bin('publint'), ['run', t.tarball, '--strict'], { cwd: repoRoot }), await runAsync(bin('attw'), [t.tarball, '--format', 'json', '--profile', 'node16'], { cwd: repoRoot })];
    const plMsgs = pl.out.split('\n').filter((l) => l.trim() && !/^(Running publint|Unpacking|Linting|All good)/.test(l.trim()));
    report.publint[t.name] = pl.status === 0 ? 'ok' : plMsgs.join(' | ');
    if (pl.status !== 0) fail(`publint ${t.name}: ${plMsgs.join(' | ')}`);
    let problems = [];
    try {
      const parsed = JSON.parse(at.stdout.slice(at.stdout.indexOf('{')));
      // The node16 profile ignores node10 resolution in its exit code, not in the JSON: filter the same way.
      problems = (parsed.analysis?.problems ?? []).filter((p) => p.resolutionKind !== 'node10').map((p) => `${p.kind}${p.entrypoint ? ` ${p.entrypoint}` : ''}${p.resolutionKind ? ` (${p.resolutionKind})` : ''}`);
    } catch {
      if (at.status !== 0) problems = [`attw exited ${at.status}: ${at.out.slice(-500)}`];
    }
    report.attw[t.name] = problems.length === 0 ? 'ok' : problems.join('; ');
    if (problems.length > 0) fail(`attw ${t.name}: ${problems.join('; ')}`);
    console.log(`   ${t.name}: publint ${report.publint[t.name]}, attw ${report.attw[t.name]}`);
  });
});

await step('install @acn/core + @acn/prune (clean npm project)', () => {
  const dir = join(work, 'core-prune');
  makeProject(dir, 'acn-core-prune-consumer');
  const specs = ['@acn/core', '@acn/prune'].map(tarball);
  if (specs.some((s) => !s)) throw new Error('core or prune tarball missing');
  const inst = npmInstall(dir, specs);
  const stats = installStats(join(dir, 'node_modules'));
  report.installs.corePrune = { packages: stats.packages, bytes: stats.bytes, seconds: inst.seconds, ebadengine: inst.ebadengine.length };
  console.log(`   ${stats.packages} packages, ${mb(stats.bytes)} in node_modules, ${inst.seconds.toFixed(1)} s, EBADENGINE warnings: ${inst.ebadengine.length}`);
  for (const heavy of ['vega', 'vega-lite', '@acn/metrics']) if (stats.names.has(heavy)) fail(`core + prune installed ${heavy}`);
  if (inst.ebadengine.length > 0) fail(`core + prune: ${inst.ebadengine.join(' | ')}`);
});

const consumer = join(work, 'all');
await step('install every tarball (clean npm project)', () => {
  makeProject(consumer, 'acn-consumer');
  const inst = npmInstall(consumer, [...report.packages.map((t) => t.tarball), `typescript@${TS_VERSION}`, `@types/node@${TYPES_NODE}`]);
  const stats = installStats(join(consumer, 'node_modules'));
  report.installs.all = { packages: stats.packages, bytes: stats.bytes, seconds: inst.seconds, ebadengine: inst.ebadengine.length };
  console.log(`   ${stats.packages} packages, ${mb(stats.bytes)}, ${inst.seconds.toFixed(1)} s, EBADENGINE warnings: ${inst.ebadengine.length}`);
  for (const f of readdirSync(join(here, 'consumer'))) cpSync(join(here, 'consumer', f), join(consumer, f));
});

await step('runtime smoke tests (ESM, CJS, dual)', () => {
  const present = report.packages.map((t) => t.name);
  for (const [label, file, extra] of [['esm', 'esm-smoke.mjs', present], ['cjs', 'cjs-smoke.cjs', present], ['dual', 'dual-smoke.mjs', []]]) {
    const r = run('node', [file, ...extra], { cwd: consumer });
    report.smoke[label] = r.status === 0 ? 'ok' : r.out.slice(-1500);
    if (r.status !== 0) fail(`${label} smoke: ${r.out.slice(-1500)}`);
    else console.log(`   ${r.stdout.trim().split('\n').pop()}`);
  }
});

await step('README quick starts (run as written against the tarballs)', async () => {
  const blocks = pkgs.flatMap((p) => {
    const readme = existsSync(join(p.dir, 'README.md')) ? readFileSync(join(p.dir, 'README.md'), 'utf8') : '';
    const m = readme.match(/## Quick start[\s\S]*?```js\n([\s\S]*?)\n```/);
    return m ? [{ name: p.name, code: m[1] }] : [];
  });
  await pool(blocks, PARALLEL, async ({ name, code }) => {
    const file = `quick-start-${name.replace(/[@/]/g, '_')}.mjs`;
    writeFileSync(join(consumer, file), `${code}\n`);
    const r = await runAsync('node', [file], { cwd: consumer });
    report.smoke[`quick start ${name}`] = r.status === 0 ? 'ok' : r.out.slice(-800);
    if (r.status !== 0) fail(`${name} README quick start failed:\n${r.out.slice(-800)}`);
    else console.log(`   ${name}: ok`);
  });
});

await step('consumer type-check (tsc, skipLibCheck false)', async () => {
  const present = report.packages.map((t) => t.name);
  const imports = present.map((n, i) => `import * as p${i} from '${n}';`).join('\n');
  const uses = present.map((n, i) => `export type P${i} = typeof p${i}; // ${n}`).join('\n');
  // Typed use of the main entry points, so the declarations are checked in context.
  const typed = `
import { createMlp, initBackend, modelCost, type BackendInfo, type ModelCost } from '@acn/core';
export async function costOfTiny(): Promise<number> {
  const info: BackendInfo = await initBackend('auto', { log: false });
  const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8 });
  const c: ModelCost = modelCost(m);
  return info.name.length + c.total.flops;
}
`;
  writeFileSync(join(consumer, 'types-esm.ts'), `${imports}\n${uses}\n${typed}`);
  writeFileSync(join(consumer, 'types-cjs.cts'), `${imports}\n${uses}\n${typed}`);
  const base = { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'] };
  const configs = {
    node16: { compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' }, files: ['types-esm.ts', 'types-cjs.cts'] },
    nodenext: { compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['types-esm.ts', 'types-cjs.cts'] },
    bundler: { compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['types-esm.ts'] },
  };
  await pool(Object.entries(configs), PARALLEL, async ([label, cfg]) => {
    const file = `tsconfig.${label}.json`;
    writeFileSync(join(consumer, file), JSON.stringify(cfg, null, 2));
    const r = await runAsync(join(consumer, 'node_modules', '.bin', 'tsc'), ['-p', file, '--pretty', 'false'], { cwd: consumer });
    const diags = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    const ours = diags.filter((l) => /^types-/.test(l) || /node_modules[\\/]@acn[\\/]/.test(l));
    const theirs = diags.length - ours.length;
    report.types[label] = { ours: ours.length, thirdParty: theirs, sample: ours.slice(0, 5) };
    if (ours.length > 0) fail(`tsc ${label}: ${ours.length} error(s) in our types:\n     ${ours.slice(0, 8).join('\n     ')}`);
    if (r.status !== 0 && diags.length === 0) fail(`tsc ${label} exited ${r.status}: ${r.out.slice(-800)}`);
    console.log(`   ${label}: ${ours.length} error(s) in @acn types / consumer files; ${theirs} in third-party declarations (ignored)`);
  });
});

if (!flag('--skip-publish')) {
  await step('pnpm publish -r --dry-run', () => {
    const filters = names.flatMap((n) => ['--filter', n]);
    const r = run('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks', ...filters], { cwd: repoRoot });
    const published = [...r.out.matchAll(/^\+ (@acn\/[\w-]+@\S+)/gm)].map((m) => m[1]);
    report.publishDryRun = { status: r.status, packages: published };
    if (r.status !== 0) fail(`publish dry-run exited ${r.status}: ${r.out.slice(-1500)}`);
    else console.log(`   ok: ${published.join(', ') || '(nothing new to publish)'}`);
  });
}

report.failures = failures;
const jsonOut = option('--json');
if (jsonOut) {
  const tmp = `${jsonOut}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(tmp, jsonOut);
}
if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
else console.log(`\nkept ${work}`);

const total = Object.values(report.timings).reduce((a, b) => a + b, 0);
console.log(`\ncheck-packages: ${failures.length === 0 ? 'all checks passed' : `${failures.length} failure(s)`} in ${total.toFixed(0)} s`);
if (failures.length > 0) {
  console.log(failures.map((f) => `  - ${f.split('\n')[0]}`).join('\n'));
  process.exit(1);
}
