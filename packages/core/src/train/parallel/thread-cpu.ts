import { readFileSync } from 'node:fs';

/** Linux clock ticks per second (`getconf CLK_TCK`); 100 on every mainstream kernel config. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time used so far by the calling thread (main or worker), in ms, from
 * `/proc/thread-self/stat` (user + system, 10 ms resolution); undefined where that file does not
 * exist (not Linux). Why: `process.cpuUsage()` sums every thread, so it cannot tell one worker's
 * share; per-thread CPU lets a loaded machine still estimate the idle-machine speed-up.
 *
 * @example
 * ```ts
 * const t0 = threadCpuMs();
 * work();
 * const used = t0 === undefined ? undefined : threadCpuMs()! - t0;
 * ```
 */
export function threadCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name (which may contain spaces): state is field 3,
  // utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime + stime) ? ((utime + stime) * 1000) / TICKS_PER_SECOND : undefined;
}
