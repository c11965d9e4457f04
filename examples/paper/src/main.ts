/**
 * `pnpm paper [experiment ...] [--quick] [flags]`: runs the paper's experiments one after another,
 * each over its seeds, and writes `results/<name>.json` (+ `.html`) per experiment (quick runs:
 * `results/quick/`). See `--help` and README.md.
 */
import { initBackend } from '@acn/core';
import { isMain } from '@acn-examples/kit';
import { HELP, parseCli, type CliPlan } from './cli';
import { fmtDuration, RunCounter } from './common/experiment';
import { validatePaperResult, type PaperResult } from './common/schema';
import { writeResult } from './common/write';

/** Runs every experiment of the plan; returns the JSON paths written. */
export async function runPlan(plan: CliPlan, log: (line: string) => void = console.log): Promise<string[]> {
  const paths: string[] = [];
  const backend = await initBackend(plan.runs[0]?.options.backend ?? 'auto');
  log(`backend: ${backend.name}`);
  for (const { experiment, options } of plan.runs) {
    const t0 = performance.now();
    log(`\n=== ${experiment.name}${options.quick ? ' (quick smoke run)' : ''}: ${experiment.title} (${experiment.paperRef}); seeds ${options.seeds.join(', ')}; expected ~${options.quick ? '<1' : experiment.expectedMinutes} min on an idle 2-core machine ===`);
    const out = await experiment.run(options, { progress: plan.progress, runs: new RunCounter(experiment.name, log), log });
    const result: PaperResult = validatePaperResult({
      schemaVersion: 1,
      experiment: experiment.name,
      title: experiment.title,
      quick: options.quick,
      createdAt: new Date().toISOString(),
      durationSeconds: (performance.now() - t0) / 1000,
      backend: backend.name,
      seeds: [...options.seeds],
      config: { ...options, paperRef: experiment.paperRef },
      ...out,
    });
    const path = await writeResult(options.out, result);
    paths.push(path);
    log(`${experiment.name}: wrote ${path} and .html (${fmtDuration(result.durationSeconds)})`);
  }
  return paths;
}

async function main(): Promise<void> {
  let plan;
  try {
    plan = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (plan === 'help') {
    console.log(HELP);
    return;
  }
  await runPlan(plan);
}

if (isMain(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? `error: ${e.message}` : e);
    process.exit(1);
  });
}
