/**
 * `pnpm bench` (root) / `pnpm --filter @acn/core bench`: the benchmark suite of issue 14.
 *
 * Per model (platform.md Mixer, a small ViT, a small BERT-style encoder; configs in
 * `suite/configs.ts`): training-step time and samples/s, step FLOPs (3 × forward from core's cost
 * accounting), achieved GFLOP/s against the backend's own matmul rate on the step's largest
 * shapes measured in the same run, peak RSS and tensor counts; hook overhead (identity
 * parametrization on every dense layer, a VCON transition); inference latency of the full and
 * the truncated AC Mixer at batch 1 and 128 against the FLOPs speed-up; 1 vs 2 data-parallel
 * workers per model; and the PyTorch reference (`bench/reference/`) when the system Python has torch.
 * Medians of repeated runs after a warm-up; wall and process CPU time with the load average.
 *
 * Flags: `--quick` (tiny configs, for CI), `--only=train,hooks,inference,workers,reference`,
 * `--models=mixer,vit,bert`, `--reps=N`, `--out=path` (default `results/bench.json` at the
 * repository root), `--no-reference`. Each case runs in its own child process (`--child=...`).
 * `--print=a.json,b.json` measures nothing: it merges earlier reports (later files win per
 * section, e.g. a `--only=workers,reference` run and a `--only=train` run) and prints the tables.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, writeFileAtomic } from '../src/index';
import { suiteConfig, type SuiteConfig, type TrainCase } from './suite/configs';
import { runHooksCase, runInferenceCase, runTrainCase, runWorkersCase } from './suite/cases';
import { load } from './suite/measure';
import { runReference, type ReferenceResult } from './suite/reference';
import { printTable } from './suite/table';

const here = fileURLToPath(import.meta.url);
const root = resolve(dirname(here), '..', '..', '..');
const args = new Map(process.argv.slice(2).map((a) => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.length ? v.join('=') : 'true'] as const;
}));
const quick = args.has('quick');
const base = suiteConfig(quick);
const cfg: SuiteConfig = { ...base, reps: args.has('reps') ? Number(args.get('reps')) : base.reps };
const models = (args.get('models') ?? 'mixer,vit,bert').split(',');
const only = (args.get('only') ?? 'train,hooks,inference,workers,reference').split(',');
const RESULT = '@@ACN_BENCH_RESULT ';

async function child(name: string): Promise<void> {
  await initBackend('wasm');
  const [kind, model] = name.split(':');
  const c = cfg.train.find((t) => t.name === model) as TrainCase;
  let out: unknown;
  if (kind === 'train') out = await runTrainCase(c, cfg.reps);
  else if (kind === 'hooks') out = await runHooksCase(cfg, c);
  else if (kind === 'inference') out = await runInferenceCase(cfg);
  else if (kind === 'workers') out = await runWorkersCase(cfg, c);
  else throw new Error(`unknown bench case '${name}'`);
  process.stdout.write(`${RESULT}${JSON.stringify(out)}\n`);
}

/**
 * Runs one case in a fresh process (own wasm heap, own peak RSS); returns its result or an error
 * row, with the load average just before and after it (the numbers are only as idle as that).
 */
function runChild(name: string): Record<string, unknown> {
  const loadBefore = load();
  console.error(`  ${name} starting (load ${loadBefore.join(' ')})`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...process.execArgv, here, `--child=${name}`, ...process.argv.slice(2).filter((a) => !a.startsWith('--child'))], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT));
  const seconds = (performance.now() - t0) / 1000;
  const loadAfter = load();
  if (r.status !== 0 || !line) return { case: name, error: `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${(r.stdout ?? '').slice(-1000)}`, seconds, loadBefore, loadAfter };
  console.error(`  ${name} done in ${seconds.toFixed(0)} s (load ${loadAfter.join(' ')})`);
  return { ...JSON.parse(line.slice(RESULT.length)), seconds, loadBefore, loadAfter };
}

/** `--print=...`: one report from several (sections of later files replace earlier ones; loads span all). */
function printReports(paths: string[]): void {
  const reports = paths.map((p) => JSON.parse(readFileSync(resolve(p), 'utf8')) as Record<string, unknown> & { loadBefore: number[]; loadAfter: number[] });
  const merged = Object.assign({}, ...reports, { loadBefore: reports[0].loadBefore, loadAfter: reports[reports.length - 1].loadAfter });
  console.log(`reports: ${paths.join(', ')}`);
  printTable(merged);
}

async function main(): Promise<void> {
  const childName = args.get('child');
  if (childName) return child(childName);
  const print = args.get('print');
  if (print) return printReports(print.split(','));
  const started = new Date().toISOString();
  const loadBefore = load();
  console.error(`acn bench${quick ? ' --quick' : ''}: ${cfg.reps} timed reps per case after a warm-up; load ${loadBefore.join(' ')}`);
  const trainCases = cfg.train.filter((c) => models.includes(c.name));
  const results: Record<string, unknown> = {};
  if (only.includes('train')) results.train = trainCases.map((c) => runChild(`train:${c.name}`));
  if (only.includes('hooks')) results.hooks = runChild('hooks:mixer');
  if (only.includes('inference')) results.inference = runChild('inference:mixer');
  if (only.includes('workers')) results.workers = trainCases.map((c) => runChild(`workers:${c.name}`));
  let reference: ReferenceResult | undefined;
  if (only.includes('reference') && !args.has('no-reference')) {
    reference = runReference(root, trainCases, cfg.reps);
    console.error(`  reference: ${reference.message}`);
  }
  const report = { started, finished: new Date().toISOString(), quick, reps: cfg.reps, node: process.version, loadBefore, loadAfter: load(), config: cfg, ...results, reference };
  const out = resolve(args.get('out') ?? join(root, 'results', 'bench.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`);
  printTable(report);
  console.log(`\nwritten ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
