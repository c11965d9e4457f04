/**
 * Prints the suite's report as tables, with each issue-14 target next to its measured ratio.
 * Times: wall / CPU medians in seconds or ms. Two kinds of PyTorch ratio: "ours/torch (best)"
 * divides our 1-thread step by the faster correct PyTorch run of any thread count, and the
 * like-for-like table divides our 1-thread step by PyTorch on 1 thread and our 2-worker step by
 * PyTorch on 2 threads (each the faster correct OpenBLAS core type).
 */
import type { ReferenceResult } from './reference';
import type { TrainResultRow, WorkersResultRow } from './cases';
import type { Timing } from './measure';

type Loads = { loadBefore?: number[]; loadAfter?: number[] };
type Row = Partial<TrainResultRow> & Loads & { case: string; error?: string };
type WorkersRow = Partial<WorkersResultRow> & Loads & { case: string; error?: string };

interface Report {
  readonly train?: Row[];
  readonly hooks?: Record<string, any>;
  readonly inference?: Record<string, any>;
  readonly workers?: WorkersRow[];
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

/** The 1-minute load average before -> after a case (`-` when not recorded). */
const loads = (r: Loads) => `${r.loadBefore?.[0] ?? '-'} -> ${r.loadAfter?.[0] ?? '-'}`;

/**
 * The faster PyTorch estimate for a case over the runs that passed the correctness check: a
 * 2-thread run counts by wall time, a 1-thread run by min(wall, CPU) (its uncontended estimate).
 * `threads` restricts it to runs with that many torch threads (like-for-like comparisons).
 */
export function bestReference(ref: ReferenceResult | undefined, name: string, withThreads?: number): { ms: number; env: string } | undefined {
  let best: { ms: number; env: string } | undefined;
  for (const run of ref?.runs ?? []) {
    const r = run.rows.find((x) => x.case === name);
    const threads = run.threads ?? 2;
    if (!r || (withThreads !== undefined && threads !== withThreads)) continue;
    const ms = threads === 1 ? Math.min(r.wallMs, r.cpuMs) : r.wallMs;
    if (!best || ms < best.ms) best = { ms, env: `${run.env}, ${threads} thread${threads > 1 ? 's' : ''}${threads === 1 ? ' cpu' : ''}` };
  }
  return best;
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'met' : 'NOT met');

/** Issue 14's limit on ours/PyTorch: 4x for the Mixer, 5x for ViT and BERT. */
const torchLimit = (model: string) => (model === 'mixer' ? 4 : 5);

export function printTable(report: Report): void {
  console.log(`\nload average before ${report.loadBefore.join(' ')}, after ${report.loadAfter.join(' ')} (2 cores; wall times are inflated when load > 1)`);
  const targets: string[][] = [];
  if (report.train) {
    console.log('\nTraining step (wasm, 1 thread)');
    table(
      ['model', 'batch', 'wall s', 'cpu s', 'samples/s', 'step GFLOP', 'GFLOP/s', 'matmul peak', 'eff', 'RSS MB', 'tensors', 'torch s (best)', 'ours/torch', 'load 1m'],
      report.train.map((r) => {
        if (r.error) return [r.case, 'error', r.error.slice(0, 60)];
        const ref = bestReference(report.reference, r.case);
        const ours = Math.min(r.step!.wallMs, r.step!.cpuMs);
        const ratio = ref ? ours / ref.ms : undefined;
        const limit = torchLimit(r.case);
        targets.push([`${r.case} step <= ${limit}x PyTorch (ours 1 thread vs best torch)`, f(ratio), verdict(ratio === undefined ? undefined : ratio <= limit)]);
        if (r.case === 'mixer') targets.push(['Mixer GFLOP/s >= 65% of matmul peak (1 thread)', f(r.efficiency), verdict(r.efficiency! >= 0.65)]);
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
          loads(r),
        ];
      }),
    );
  }
  const ref = report.reference;
  if (ref) {
    console.log(`\nPyTorch reference: ${ref.message}`);
    if (ref.coretypeCheck) console.log(`  check matmul max |default - SkylakeX| = ${ref.coretypeCheck.maxAbsDiff}; 512^3 GFLOP/s: ${JSON.stringify(ref.coretypeCheck.gflops512)}`);
    for (const run of ref.runs) {
      const rows = run.rows.map((r) => `${r.case} ${f(r.wallMs / 1000, 3)} s wall / ${f(r.cpuMs / 1000, 3)} s cpu`).join(', ');
      console.log(`  ${run.env}, ${run.threads ?? 2} thread(s): core ${String(run.blas.openblas_core)}; ${run.verbose || 'no OPENBLAS_VERBOSE line'}; ${rows}; load ${run.loadBefore?.[0] ?? '-'} -> ${run.load?.[0] ?? '-'}`);
    }
  }
  printWorkers(report, targets);
  printLikeForLike(report, targets);
  const h = report.hooks;
  if (h && !h.error) {
    console.log(`\nHook overhead (platform Mixer training step; ratios by CPU time count in the targets; load ${loads(h)})`);
    const row = (n: string, t: Timing, r?: { wall: number; cpu: number }) => [n, f(t.wallMs / 1000, 3), f(t.cpuMs / 1000, 3), r ? f(r.wall) : '1.00', r ? f(r.cpu) : '1.00'];
    table(['variant', 'wall s', 'cpu s', 'x plain (wall)', 'x plain (cpu)'], [row('plain', h.plain), row('identity on every dense', h.identity, h.identityRatio), row('VCON transition', h.transition, h.transitionRatio)]);
    targets.push(['identity hook overhead <= 1.10x', f(h.identityRatio.cpu), verdict(h.identityRatio.cpu <= 1.1)]);
    targets.push(['VCON transition <= 2.2x', f(h.transitionRatio.cpu), verdict(h.transitionRatio.cpu <= 2.2)]);
  }
  const inf = report.inference;
  if (inf && !inf.error) {
    console.log(`\nInference, AC Mixer depth ${inf.depth} vs truncated to ${inf.truncatedDepth} (FLOPs speed-up ${f(inf.flopSpeedup)}x; load ${loads(inf)})`);
    const rows = Object.keys(inf)
      .filter((k) => k.startsWith('batch'))
      .map((k) => [k.slice(5), f(inf[k].full.wallMs), f(inf[k].truncated.wallMs), f(inf[k].full.cpuMs), f(inf[k].truncated.cpuMs), f(inf[k].speedup.cpu), f(inf[k].ofFlopSpeedup.cpu)]);
    table(['batch', 'full ms', 'trunc ms', 'full cpu ms', 'trunc cpu ms', 'speed-up (cpu)', 'of FLOPs speed-up'], rows);
    const big = Object.keys(inf).filter((k) => k.startsWith('batch')).pop();
    if (big) targets.push([`truncated speed-up >= 80% of FLOPs speed-up (batch ${big.slice(5)})`, f(inf[big].ofFlopSpeedup.cpu), verdict(inf[big].ofFlopSpeedup.cpu >= 0.8)]);
  }
  const errors: Array<[string, unknown]> = Object.entries(report).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as [string, unknown]) : [[k, v] as [string, unknown]]));
  for (const [k, v] of errors) if (v && typeof v === 'object' && 'error' in v) console.log(`\n${k}${'case' in v ? ` ${String(v.case)}` : ''}: ${(v as { error: string }).error}`);
  console.log('\nTargets (issue 14)');
  table(['target', 'measured', ''], targets);
}

/** 1 vs 2 data-parallel workers per model: times, speed-up, and GFLOP/s per core against the matmul rate. */
function printWorkers(report: Report, targets: string[][]): void {
  const rows = (report.workers ?? []).filter((w) => !w.error);
  if (rows.length === 0) return;
  console.log("\nData-parallel workers (cpu = all threads; projected idle = main-thread CPU + slowest worker's CPU; per core = step FLOPs / time / 2)");
  const out: string[][] = [];
  for (const w of rows) {
    const t = (n: string, x: WorkersResultRow['oneWorker'], speed: string[]) => [
      w.case,
      n,
      f(x.wallMs / 1000, 3),
      f(x.cpuMs / 1000, 3),
      f(x.mainCpuMs / 1000, 3),
      x.workerCpuMs.map((c) => f(c / 1000, 3)).join(' / '),
      f(x.projectedIdleMs / 1000, 3),
      ...speed,
    ];
    const pc = w.perCore!;
    out.push(t('1', w.oneWorker!, ['', '', '', '', '', '', loads(w)]));
    out.push(t('2', w.twoWorkers!, [f(w.speedup!.wall), f(w.speedup!.projectedIdle), `${f(pc.wall, 1)} / ${f(pc.projectedIdle, 1)}`, f(pc.matmulPeak, 1), `${f(pc.efficiency.wall)} / ${f(pc.efficiency.projectedIdle)}`, '', '']));
    targets.push([`${w.case}: 2 workers >= 1.7x 1 worker (wall)`, f(w.speedup!.wall), verdict(w.speedup!.wall >= 1.7)]);
    targets.push([`${w.case}: 2 workers >= 1.7x 1 worker (projected idle)`, f(w.speedup!.projectedIdle), verdict(w.speedup!.projectedIdle >= 1.7)]);
    if (w.case === 'mixer') targets.push(['Mixer GFLOP/s per core, 2 workers, >= 65% of matmul peak (wall / projected)', `${f(pc.efficiency.wall)} / ${f(pc.efficiency.projectedIdle)}`, verdict(pc.efficiency.wall >= 0.65)]);
  }
  table(['model', 'workers', 'wall s', 'cpu s', 'main cpu s', 'worker cpu s', 'projected idle s', 'x1 (wall)', 'x1 (proj)', 'GFLOP/s/core (wall / proj)', 'matmul peak/core', 'eff (wall / proj)', 'load 1m'], out);
  const mixer = rows.find((w) => w.case === 'mixer');
  const mixerRef = bestReference(report.reference, 'mixer');
  if (mixer && mixerRef) {
    const r2 = mixer.twoWorkers!.projectedIdleMs / mixerRef.ms;
    targets.push(['mixer step, 2 workers (projected idle) <= 4x PyTorch (best torch)', f(r2), verdict(r2 <= 4)]);
  }
}

/** Ours on 1 thread vs PyTorch on 1 thread, and ours with 2 workers vs PyTorch on 2 threads. */
function printLikeForLike(report: Report, targets: string[][]): void {
  if (!report.reference?.available) return;
  const models = [...new Set([...(report.train ?? []), ...(report.workers ?? [])].filter((r) => !r.error).map((r) => r.case))];
  if (models.length === 0) return;
  console.log('\nLike for like: ours vs the faster correct PyTorch run on the same number of cores');
  const rows = models.map((m) => {
    const limit = torchLimit(m);
    const t1 = report.train?.find((r) => r.case === m && !r.error);
    const w = report.workers?.find((r) => r.case === m && !r.error);
    const ref1 = bestReference(report.reference, m, 1);
    const ref2 = bestReference(report.reference, m, 2);
    const ours1 = t1 ? Math.min(t1.step!.wallMs, t1.step!.cpuMs) : undefined;
    const r1 = ours1 !== undefined && ref1 ? ours1 / ref1.ms : undefined;
    const r2w = w && ref2 ? w.twoWorkers!.wallMs / ref2.ms : undefined;
    const r2p = w && ref2 ? w.twoWorkers!.projectedIdleMs / ref2.ms : undefined;
    if (r1 !== undefined) targets.push([`${m} step <= ${limit}x PyTorch, 1 thread vs torch 1 thread`, f(r1), verdict(r1 <= limit)]);
    if (r2w !== undefined) targets.push([`${m} step <= ${limit}x PyTorch, 2 workers (wall) vs torch 2 threads`, f(r2w), verdict(r2w <= limit)]);
    if (r2p !== undefined) targets.push([`${m} step <= ${limit}x PyTorch, 2 workers (projected idle) vs torch 2 threads`, f(r2p), verdict(r2p <= limit)]);
    return [
      m,
      ours1 !== undefined ? f(ours1 / 1000, 3) : '-',
      ref1 ? `${f(ref1.ms / 1000, 3)} (${ref1.env})` : '-',
      f(r1),
      w ? `${f(w.twoWorkers!.wallMs / 1000, 3)} / ${f(w.twoWorkers!.projectedIdleMs / 1000, 3)}` : '-',
      ref2 ? `${f(ref2.ms / 1000, 3)} (${ref2.env})` : '-',
      `${f(r2w)} / ${f(r2p)}`,
      `${limit}x`,
    ];
  });
  table(['model', 'ours 1 thread s', 'torch 1 thread s', 'ratio', 'ours 2 workers s (wall / proj)', 'torch 2 threads s', 'ratio (wall / proj)', 'limit'], rows);
}
