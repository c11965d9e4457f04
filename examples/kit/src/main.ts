/**
 * The `main` wrapper of every example: run only when the file is the process entry point (so tests
 * can import the example), parse the CLI, print help or a clear error, set the exit code.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cli } from './cli';

/**
 * Whether the module at `importMetaUrl` is the script node (or tsx) was started with.
 *
 * @example
 * ```ts
 * if (isMain(import.meta.url)) await main();
 * ```
 */
export function isMain(importMetaUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  const strip = (p: string) => resolve(p).replace(/\.[cm]?[jt]s$/, '');
  return strip(argv1) === strip(fileURLToPath(importMetaUrl));
}

/**
 * Parses `argv` with `cli` and runs `run`: `--help` prints the help (exit 0), a bad flag prints
 * `error: ...` and the help to stderr (exit 2), a failure in `run` prints `error: ...` (exit 1).
 * Returns the exit code instead of exiting, so tests can call it.
 *
 * @example
 * ```ts
 * const code = await runCli(cli, runDemo, ['--quick']);
 * ```
 */
export async function runCli<O>(cli: Cli<O>, run: (o: O) => Promise<unknown>, argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let o: O | 'help';
  try {
    o = cli.parse(argv);
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${cli.help()}`);
    return 2;
  }
  if (o === 'help') {
    console.log(cli.help());
    return 0;
  }
  try {
    await run(o);
    return 0;
  } catch (e) {
    console.error(e instanceof Error ? `error: ${e.message}` : e);
    if (process.env.ACN_DEBUG && e instanceof Error) console.error(e.stack);
    return 1;
  }
}

/**
 * The whole entry point: when `importMetaUrl` is the started script, {@link runCli} and set
 * `process.exitCode`.
 *
 * @example
 * ```ts
 * runMain(import.meta.url, cli, runDemo);
 * ```
 */
export function runMain<O>(importMetaUrl: string, cli: Cli<O>, run: (o: O) => Promise<unknown>): void {
  if (!isMain(importMetaUrl)) return;
  runCli(cli, run).then((code) => {
    process.exitCode = code;
  });
}
