/**
 * Prints the suite's report as tables, with each issue-14 target next to its measured ratio.
 * Times: wall / CPU medians in seconds or ms; "ours/torch" divides our time by the faster correct
 * PyTorch run (wall; torch uses 2 threads, so its CPU time is not comparable).
 */
import type { ReferenceResult } from './reference';
import type { TrainResultRow } from './cases';
import type { Timing } from './measure';

type Row = Partial<TrainResultRow> & { case: string; error?: string };

interface Report {
  readonly train?: Row[];
  readonly hooks?: Record<string, any>;
  readonly inference?: Record<string, any>;
  readonly workers?: Record<string, any>;
  readonly reference?: ReferenceResult;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
}

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
const pad = (cells: string[], widths: number[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  console.log(pad(head, widths));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(pad(r, widths));
}

/**
 * The faster PyTorch estimate for a case over the runs that passed the correctness check: a
 * 2-thread run counts by wall time, a 1-thread run by min(wall, CPU) (its uncontended estimate).
 */
export function bestReference(ref: ReferenceResult | undefined, name: string): { ms: number; env: string } | undefined {
  let best: { ms: number; env: string } | undefined;
  for (const run of ref?.runs ?? []) {
    const r = run.rows.find((x) => x.case === name);
    if (!r) continue;
    const threads = run.threads ?? 2;
    const ms = threads === 1 ? Math.min(r.wallMs, r.cpuMs) : r.wallMs;
    if (!best || ms < best.ms) best = { ms, env: `${run.env}, ${threads} thread${threads > 1 ? 's' : ''}${threads === 1 ? ' cpu' : ''}` };
  }
  return best;
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'met' : 'NOT met');

export function printTable(report: Report): void {
  console.log(`\nload average before ${report.loadBefore.join(' ')}, after ${report.loadAfter.join(' ')} (2 cores; wall times are inflated when load > 1)`);
  const targets: string[][] = [];
  if (report.train) {
    console.log('\nTraining step (wasm, 1 thread unless noted)');
    table(
      ['model', 'batch', 'wall s', 'cpu s', 'samples/s', 'step GFLOP', 'GFLOP/s', 'matmul peak', 'eff', 'RSS MB', 'tensors', 'torch s (best)', 'ours/torch'],
      report.train.map((r) => {
        if (r.error) return [r.case, 'error', r.error.slice(0, 60)];
        const ref = bestReference(report.reference, r.case);
        const ours = Math.min(r.step!.wallMs, r.step!.cpuMs);
        const ratio = ref ? ours / ref.ms : undefined;
        const limit = r.case === 'mixer' ? 4 : 5;
        targets.push([`${r.case} step <= ${limit}x PyTorch`, f(ratio), verdict(ratio === undefined ? undefined : ratio <= limit)]);
        if (r.case === 'mixer') targets.push(['Mixer GFLOP/s >= 65% of matmul peak', f(r.efficiency), verdict(r.efficiency! >= 0.65)]);
        targets.push([`${r.case} tensors stable`, `${r.tensors!.before} -> ${r.tensors!.after}`, verdict(r.tensors!.before === r.tensors!.after)]);
        return [
          r.case,
          String(r.batch),
          f(r.step!.wallMs / 1000, 3),
          f(r.step!.cpuMs / 1000, 3),
          f(r.samplesPerSec!.wall, 1),
          f(r.stepFlops! / 1e9, 1),
          f(r.gflops, 1),
          f(r.matmulPeak!.gflops, 1),
          f(r.efficiency),
          f(r.rssPeakMB, 0),
          `${r.tensors!.before}->${r.tensors!.after}`,
          ref ? `${f(ref.ms / 1000, 3)} (${ref.env})` : '-',
          f(ratio),
        ];
      }),
    );
  }
  const ref = report.reference;
  if (ref) {
    console.log(`\nPyTorch reference: ${ref.message}`);
    if (ref.coretypeCheck) console.log(`  check matmul max |default - SkylakeX| = ${ref.coretypeCheck.maxAbsDiff}; 512^3 GFLOP/s: ${JSON.stringify(ref.coretypeCheck.gflops512)}`);
    for (const run of ref.runs) console.log(`  ${run.env}, ${run.threads ?? 2} thread(s): core ${String(run.blas.openblas_core)}; ${run.verbose || 'no OPENBLAS_VERBOSE line'}; ${run.rows.map((r) => `${r.case} ${f(r.wallMs / 1000, 3)} s wall / ${f(r.cpuMs / 1000, 3)} s cpu`).join(', ')}`);
  }
  const h = report.hooks;
  if (h && !h.error) {
    console.log('\nHook overhead (platform Mixer training step; ratios by CPU time count in the targets)');
    const row = (n: string, t: Timing, r?: { wall: number; cpu: number }) => [n, f(t.wallMs / 1000, 3), f(t.cpuMs / 1000, 3), r ? f(r.wall) : '1.00', r ? f(r.cpu) : '1.00'];
    table(['variant', 'wall s', 'cpu s', 'x plain (wall)', 'x plain (cpu)'], [row('plain', h.plain), row('identity on every dense', h.identity, h.identityRatio), row('VCON transition', h.transition, h.transitionRatio)]);
    targets.push(['identity hook overhead <= 1.10x', f(h.identityRatio.cpu), verdict(h.identityRatio.cpu <= 1.1)]);
    targets.push(['VCON transition <= 2.2x', f(h.transitionRatio.cpu), verdict(h.transitionRatio.cpu <= 2.2)]);
  }
  const inf = report.inference;
  if (inf && !inf.error) {
    console.log(`\nInference, AC Mixer depth ${inf.depth} vs truncated to ${inf.truncatedDepth} (FLOPs speed-up ${f(inf.flopSpeedup)}x)`);
    const rows = Object.keys(inf)
      .filter((k) => k.startsWith('batch'))
      .map((k) => [k.slice(5), f(inf[k].full.wallMs), f(inf[k].truncated.wallMs), f(inf[k].full.cpuMs), f(inf[k].truncated.cpuMs), f(inf[k].speedup.cpu), f(inf[k].ofFlopSpeedup.cpu)]);
    table(['batch', 'full ms', 'trunc ms', 'full cpu ms', 'trunc cpu ms', 'speed-up (cpu)', 'of FLOPs speed-up'], rows);
    const big = Object.keys(inf).filter((k) => k.startsWith('batch')).pop();
    if (big) targets.push([`truncated speed-up >= 80% of FLOPs speed-up (batch ${big.slice(5)})`, f(inf[big].ofFlopSpeedup.cpu), verdict(inf[big].ofFlopSpeedup.cpu >= 0.8)]);
  }
  const w = report.workers;
  const mixerRef = bestReference(report.reference, 'mixer');
  if (w && !w.error && mixerRef && w.twoWorkers.projectedIdleMs) {
    const r2 = w.twoWorkers.projectedIdleMs / mixerRef.ms;
    targets.push(['mixer step, 2 workers (projected idle) <= 4x PyTorch', f(r2), verdict(r2 <= 4)]);
  }
  if (w && !w.error) {
    console.log(`\nData-parallel workers (Mixer, batch ${w.batch}; cpu = all threads; projected idle = main-thread CPU + slowest worker's CPU)`);
    const wrow = (n: string, t: any) => [n, f(t.wallMs / 1000, 3), f(t.cpuMs / 1000, 3), f(t.mainCpuMs / 1000, 3), (t.workerCpuMs as number[]).map((x) => f(x / 1000, 3)).join(' / '), f(t.projectedIdleMs / 1000, 3)];
    table(['workers', 'wall s', 'cpu s', 'main cpu s', 'worker cpu s', 'projected idle s'], [wrow('1', w.oneWorker), wrow('2', w.twoWorkers)]);
    targets.push(['2 workers >= 1.7x 1 worker (wall, under load)', f(w.speedup.wall), verdict(w.speedup.wall >= 1.7)]);
    targets.push(['2 workers >= 1.7x 1 worker (projected idle)', f(w.speedup.projectedIdle), verdict(w.speedup.projectedIdle >= 1.7)]);
  }
  for (const [k, v] of Object.entries(report)) if (v && typeof v === 'object' && 'error' in (v as object)) console.log(`\n${k}: ${(v as { error: string }).error}`);
  console.log('\nTargets (issue 14)');
  table(['target', 'measured', ''], targets);
}
