/**
 * One spec per example CLI: the options (flag, key, type, range, help) and the defaults; commander
 * parses argv (unknown flags are errors) and builds `--help` from the same spec, so the help text
 * can never drift from what is parsed.
 */
import { Command, CommanderError } from 'commander';

/** How an option's value is read and checked. */
export type OptionKind =
  | { readonly type: 'int'; readonly min?: number; readonly max?: number; readonly below?: number }
  | { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly below?: number }
  /** Comma-separated numbers, each checked like `int` / `number`. */
  | { readonly type: 'numbers'; readonly int?: boolean; readonly min?: number; readonly max?: number }
  /** An integer, or the word `auto` (e.g. `--workers auto|N`). */
  | { readonly type: 'int-or-auto'; readonly min?: number }
  | { readonly type: 'string' }
  | { readonly type: 'choice'; readonly choices: readonly string[] }
  | { readonly type: 'list'; readonly choices?: readonly string[] }
  | { readonly type: 'flag' };

/**
 * One command-line option: `--flag ARG` sets `options[key]`.
 *
 * @example
 * ```ts
 * const depth: OptionSpec<{ depth: number }> = { flag: 'depth', key: 'depth', arg: 'N', help: 'blocks per model', kind: { type: 'int', min: 1 } };
 * ```
 */
export interface OptionSpec<O> {
  readonly flag: string;
  readonly key: Extract<keyof O, string>;
  /** Placeholder in the help (`N`, `X`, `DIR`, `LIST`). */
  readonly arg?: string;
  readonly help: string;
  readonly kind: OptionKind;
}

/**
 * A whole CLI: what it is, its defaults, the `--quick` preset and its options.
 *
 * @example
 * ```ts
 * const cli = defineCli({ name: 'demo', summary: 'what it does', usage: 'pnpm demo -- [options]', defaults, quick, options: [...commonOptions<O>()] });
 * ```
 */
export interface CliSpec<O> {
  readonly name: string;
  readonly summary: string;
  /** How to run it, e.g. `pnpm demo [-- options]`. */
  readonly usage: string;
  readonly defaults: O;
  /** Merged over the defaults by `--quick` (a smoke run the example's own test uses). */
  readonly quick?: Partial<O>;
  readonly options: readonly OptionSpec<O>[];
  /**
   * Cross-option checks after parsing; throw an Error with a clear message, or return adjusted
   * options. `given` holds the keys set on the command line.
   */
  readonly check?: (o: O, given: ReadonlySet<string>) => O | void;
}

/** A parsed CLI. */
export interface Cli<O> {
  readonly spec: CliSpec<O>;
  /** Options from argv (without node and script), or `'help'`; throws a clear Error on bad flags. */
  parse(argv: readonly string[]): O | 'help';
  /** The help text, built from the spec. */
  help(): string;
}

const placeholder = (s: OptionSpec<unknown>): string => s.arg ?? (s.kind.type === 'int' ? 'N' : s.kind.type === 'number' ? 'X' : s.kind.type === 'list' || s.kind.type === 'numbers' ? 'LIST' : 'VALUE');

function describeDefault(v: unknown): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return ` (default ${v.join(',')})`;
  if (typeof v === 'boolean') return '';
  return ` (default ${String(v)})`;
}

function helpOf(s: OptionSpec<unknown>, defaults: unknown): string {
  const d = describeDefault((defaults as Record<string, unknown>)[s.key]);
  const choices = s.kind.type === 'choice' || (s.kind.type === 'list' && s.kind.choices) ? `: ${(s.kind as { choices: readonly string[] }).choices.join(', ')}` : '';
  return `${s.help}${choices}${d}`;
}

/** One number, or throws `--flag must be an integer >= 1 ..., got 'x'`. */
function readNumber(flag: string, raw: string, k: { int?: boolean; min?: number; max?: number; below?: number }): number {
  const n = Number(raw);
  const bad = raw.trim() === '' || !Number.isFinite(n) || (k.int && !Number.isInteger(n)) || (k.min !== undefined && n < k.min) || (k.max !== undefined && n > k.max) || (k.below !== undefined && n >= k.below);
  if (bad) {
    const range = [k.min !== undefined ? `>= ${k.min}` : '', k.max !== undefined ? `<= ${k.max}` : '', k.below !== undefined ? `< ${k.below}` : ''].filter(Boolean).join(' and ');
    throw new Error(`--${flag} must be ${k.int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got '${raw}'`);
  }
  return n;
}

/** Reads one value, or throws `--flag must be ...` naming the flag, the rule and the value. */
function readValue(s: OptionSpec<unknown>, raw: string | boolean): unknown {
  const k = s.kind;
  switch (k.type) {
    case 'numbers':
      return String(raw)
        .split(',')
        .map((x) => readNumber(s.flag, x.trim(), k));
    case 'flag':
      return raw === true; // a negatable `--no-x` flag arrives as false
    case 'string':
      return String(raw);
    case 'int-or-auto':
      if (String(raw).trim() === 'auto') return 'auto';
      try {
        return readNumber(s.flag, String(raw), { int: true, min: k.min });
      } catch {
        throw new Error(`--${s.flag} must be 'auto' or an integer${k.min !== undefined ? ` >= ${k.min}` : ''}, got '${String(raw)}'`);
      }
    case 'choice':
      if (!k.choices.includes(String(raw))) throw new Error(`--${s.flag} must be one of ${k.choices.join(', ')}, got '${String(raw)}'`);
      return String(raw);
    case 'list': {
      const items = String(raw)
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0);
      for (const x of items) if (k.choices && !k.choices.includes(x)) throw new Error(`--${s.flag}: unknown '${x}' (known: ${k.choices.join(', ')})`);
      if (items.length === 0) throw new Error(`--${s.flag}: empty list`);
      return items;
    }
    default:
      return readNumber(s.flag, String(raw), { ...k, int: k.type === 'int' });
  }
}

function command<O>(spec: CliSpec<O>): Command {
  const cmd = new Command(spec.name)
    .description(spec.summary)
    .usage(`[options]   (run as: ${spec.usage})`)
    .helpOption(false)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .configureHelp({ sortOptions: false, helpWidth: 100 });
  for (const s of spec.options) {
    const flag = s.kind.type === 'flag' ? `--${s.flag}` : `--${s.flag} <${placeholder(s as OptionSpec<unknown>)}>`;
    cmd.option(flag, helpOf(s as OptionSpec<unknown>, spec.defaults));
  }
  if (spec.quick) cmd.option('--quick', 'smoke run of well under a minute (the example test uses it)');
  cmd.option('--help', 'this text');
  return cmd;
}

/**
 * `options` with the spec of `--flag` changed (e.g. a shared option with an example's own range).
 *
 * @example
 * ```ts
 * const opts = withOption(runOptions<O>(), 'test-limit', { kind: { type: 'int', min: 128 } });
 * ```
 */
export function withOption<O>(options: readonly OptionSpec<O>[], flag: string, patch: Partial<OptionSpec<O>>): OptionSpec<O>[] {
  if (!options.some((s) => s.flag === flag)) throw new Error(`withOption: no option --${flag}`);
  return options.map((s) => (s.flag === flag ? { ...s, ...patch } : s));
}

/**
 * Builds a {@link Cli} from one spec.
 *
 * @example
 * ```ts
 * const cli = defineCli<Opts>({ name: 'vit', summary: 'AC-ViT vs residual ViT', usage: 'pnpm vit -- [options]', defaults: DEFAULTS, quick: QUICK, options });
 * const o = cli.parse(['--quick', '--depth', '4']); // { ...DEFAULTS, ...QUICK, quick: true, depth: 4 }
 * ```
 */
export function defineCli<O>(spec: CliSpec<O>): Cli<O> {
  const keys = new Set<string>();
  for (const s of spec.options) {
    if (keys.has(s.flag)) throw new Error(`defineCli(${spec.name}): --${s.flag} is defined twice`);
    keys.add(s.flag);
  }
  return {
    spec,
    help: () => command(spec).helpInformation(),
    parse(argv) {
      const cmd = command(spec);
      try {
        cmd.parse(
          argv.filter((a) => a !== '--'),
          { from: 'user' },
        );
      } catch (e) {
        if (e instanceof CommanderError) throw new Error(e.message.replace(/^error: /, ''));
        throw e;
      }
      const raw = cmd.opts<Record<string, string | boolean | undefined>>();
      if (raw.help) return 'help';
      const quick = raw.quick === true;
      let o: O = quick ? { ...spec.defaults, ...spec.quick, quick: true } : { ...spec.defaults };
      const given = new Set<string>();
      for (const s of spec.options) {
        const attr = cmd.options.find((x) => x.long === `--${s.flag}`)!.attributeName();
        // Only what was typed: commander gives a negatable `--no-x` flag an implicit default of true.
        if (cmd.getOptionValueSource(attr) !== 'cli') continue;
        const v = raw[attr];
        if (v === undefined) continue;
        given.add(s.key);
        o = { ...o, [s.key]: readValue(s as OptionSpec<unknown>, v) };
      }
      return spec.check?.(o, given) ?? o;
    },
  };
}
