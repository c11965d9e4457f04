import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONNECTIVITIES } from '@acn/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineCli } from './cli';
import { isMain, runCli } from './main';
import { runOptions, studyOptions, trainingOptions, type StudyOptions } from './options';
import { writeResultJson } from './results';

const DEFAULTS: StudyOptions = {
  depth: 12, epochs: 10, batchSize: 64, lr: 1e-3, warmupEpochs: 1, seed: 0, connectivities: ['acn', 'residual'],
  outDir: 'results', delta: 0.005, dgfgEvery: 25, latencyRepeats: 20, quick: false, backend: 'auto', workers: 'auto',
};
const cli = defineCli<StudyOptions>({
  name: 'demo',
  summary: 'a test CLI',
  usage: 'pnpm demo [-- options]',
  defaults: DEFAULTS,
  quick: { depth: 3, epochs: 2, trainLimit: 64 },
  options: [{ flag: 'depth', key: 'depth', help: 'blocks per model', kind: { type: 'int', min: 1 } }, ...trainingOptions<StudyOptions>(), ...studyOptions<StudyOptions>(), ...runOptions<StudyOptions>()],
});

describe('defineCli', () => {
  afterEach(() => vi.restoreAllMocks());

  it('parses typed values over the defaults, --quick presets, and ignores a bare --', () => {
    expect(cli.parse([])).toEqual(DEFAULTS);
    expect(cli.parse(['--', '--depth', '8', '--lr', '0.002', '--connectivity', 'acn,feedforward', '--data-dir', '/d'])).toEqual({
      ...DEFAULTS, depth: 8, lr: 0.002, connectivities: ['acn', 'feedforward'], dataDir: '/d',
    });
    expect(cli.parse(['--quick', '--epochs', '5'])).toMatchObject({ quick: true, depth: 3, epochs: 5, trainLimit: 64 });
    expect(cli.parse(['--help'])).toBe('help');
  });

  it('--workers takes auto or a thread count', () => {
    expect(cli.parse(['--workers', '2'])).toMatchObject({ workers: 2 });
    expect(cli.parse(['--workers', '0'])).toMatchObject({ workers: 0 });
    expect(cli.parse(['--workers', '4', '--workers', 'auto'])).toMatchObject({ workers: 'auto' });
    expect(cli.help()).toContain('--workers <auto|N>');
  });

  it('rejects bad values and unknown flags with messages naming the flag', () => {
    expect(() => cli.parse(['--depth', '0'])).toThrow("--depth must be an integer >= 1, got '0'");
    expect(() => cli.parse(['--lr', 'fast'])).toThrow("--lr must be a number >= 0, got 'fast'");
    expect(() => cli.parse(['--connectivity', 'acn,dense'])).toThrow(`--connectivity: unknown 'dense' (known: ${CONNECTIVITIES.join(', ')})`);
    expect(() => cli.parse(['--backend', 'gpu'])).toThrow("--backend must be one of auto, tensorflow, wasm, cpu, got 'gpu'");
    expect(() => cli.parse(['--bogus'])).toThrow("unknown option '--bogus'");
    expect(() => cli.parse(['--workers', 'two'])).toThrow("--workers must be 'auto' or an integer >= 0, got 'two'");
    expect(() => cli.parse(['--workers', '-1'])).toThrow("--workers must be 'auto' or an integer >= 0, got '-1'");
    expect(() => cli.parse(['--workers', '1.5'])).toThrow("--workers must be 'auto' or an integer >= 0, got '1.5'");
    expect(() => cli.parse(['--depth'])).toThrow(/--depth/);
  });

  it('builds the help from the same spec (every flag, defaults, choices)', () => {
    const help = cli.help();
    for (const flag of ['--depth <N>', '--epochs <N>', '--connectivity <LIST>', '--backend <KIND>', '--quick', '--help']) expect(help).toContain(flag);
    expect(help).toContain('(default 12)');
    expect(help).toContain(CONNECTIVITIES.join(', '));
    expect(help).toContain('pnpm demo [-- options]');
  });

  it('runCli: 0 on success and help, 2 with the help on a bad flag, 1 when the run fails', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const seen: StudyOptions[] = [];
    expect(await runCli(cli, async (o) => seen.push(o), ['--depth', '4'])).toBe(0);
    expect(seen[0].depth).toBe(4);
    expect(await runCli(cli, async () => undefined, ['--help'])).toBe(0);
    expect(log.mock.calls[0][0]).toContain('--depth');
    expect(await runCli(cli, async () => undefined, ['--depth', 'x'])).toBe(2);
    expect(err.mock.calls[0][0]).toMatch(/^error: --depth must be an integer/);
    expect(await runCli(cli, async () => { throw new Error('boom'); }, [])).toBe(1);
    expect(err.mock.calls[1][0]).toBe('error: boom');
  });
});

describe('isMain and writeResultJson', () => {
  it('isMain compares the started script with the module, ignoring the extension', () => {
    expect(isMain(pathToFileURL('/x/src/main.ts').href, '/x/src/main.ts')).toBe(true);
    expect(isMain(pathToFileURL('/x/src/main.ts').href, '/x/src/main')).toBe(true);
    expect(isMain(pathToFileURL('/x/src/main.ts').href, '/x/src/other.ts')).toBe(false);
    expect(isMain(pathToFileURL('/x/src/main.ts').href, undefined)).toBe(false);
  });

  it('writes pretty JSON atomically into a new directory, leaving no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'acn-kit-'));
    try {
      const path = writeResultJson(join(dir, 'out'), 'r.json', { a: 1 });
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ a: 1 });
      expect(readdirSync(join(dir, 'out'))).toEqual(['r.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
