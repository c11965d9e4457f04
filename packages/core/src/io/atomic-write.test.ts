import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDirAtomic, writeFileAtomic, type AtomicFs } from './atomic-write';
import { CheckpointError } from './errors';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(join(tmpdir(), 'acn-io-'));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** node:fs with one method replaced by a thrower (ESM namespaces can't be spied on). */
function failing(method: keyof AtomicFs, when: (...args: unknown[]) => boolean = () => true): AtomicFs {
  const real = fs[method] as (...args: unknown[]) => unknown;
  return {
    ...fs,
    [method]: (...args: unknown[]) => {
      if (when(...args)) throw Object.assign(new Error(`injected ${method} failure`), { code: 'EIO' });
      return real(...args);
    },
  } as AtomicFs;
}

describe('writeFileAtomic', () => {
  it('writes bytes and strings, replaces existing content, and leaves no temp files', () => {
    const target = join(root, 'model.bin');
    writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(target)]).toEqual([1, 2, 3]);
    writeFileAtomic(target, 'héllo');
    expect(fs.readFileSync(target, 'utf8')).toBe('héllo');
    expect(fs.readdirSync(root)).toEqual(['model.bin']);
  });

  it('writes only the view of a subarray', () => {
    const target = join(root, 'v.bin');
    writeFileAtomic(target, new Uint8Array([9, 1, 2, 9]).subarray(1, 3));
    expect([...fs.readFileSync(target)]).toEqual([1, 2]);
  });

  it('handles short writes by looping until all bytes are written', () => {
    const target = join(root, 'short.bin');
    const oneByteAtATime = {
      ...fs,
      writeSync: (fd: number, buf: Uint8Array, off: number) => fs.writeSync(fd, buf, off, 1),
    } as unknown as AtomicFs;
    writeFileAtomic(target, new Uint8Array([5, 6, 7, 8]), { fs: oneByteAtATime });
    expect([...fs.readFileSync(target)]).toEqual([5, 6, 7, 8]);
  });

  it('fails cleanly when the directory does not exist', () => {
    const target = join(root, 'missing', 'x.bin');
    expect(() => writeFileAtomic(target, 'data')).toThrow(/ENOENT/);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('keeps the old file and removes the temp file when rename fails', () => {
    const target = join(root, 'model.bin');
    fs.writeFileSync(target, 'old');
    expect(() => writeFileAtomic(target, 'new', { fs: failing('renameSync') })).toThrow('injected renameSync failure');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(fs.readdirSync(root)).toEqual(['model.bin']);
  });

  it('leaves neither target nor temp file when a write fails midway', () => {
    const target = join(root, 'model.bin');
    let calls = 0;
    const flaky = {
      ...fs,
      writeSync: (fd: number, buf: Uint8Array, off: number) => {
        if (++calls > 1) throw new Error('ENOSPC simulated');
        return fs.writeSync(fd, buf, off, 1);
      },
    } as unknown as AtomicFs;
    expect(() => writeFileAtomic(target, 'abcdef', { fs: flaky })).toThrow('ENOSPC simulated');
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe('writeDirAtomic', () => {
  const ckpt = () => join(root, 'step-100');

  it('creates a new directory with exactly the given files', () => {
    writeDirAtomic(ckpt(), { 'model.safetensors': new Uint8Array([1, 2]), 'meta.json': '{"step":100}' });
    expect(fs.readdirSync(ckpt()).sort()).toEqual(['meta.json', 'model.safetensors']);
    expect([...fs.readFileSync(join(ckpt(), 'model.safetensors'))]).toEqual([1, 2]);
    expect(fs.readFileSync(join(ckpt(), 'meta.json'), 'utf8')).toBe('{"step":100}');
    expect(fs.readdirSync(root)).toEqual(['step-100']);
  });

  it('replaces an existing directory completely and leaves no temp or backup dirs', () => {
    fs.mkdirSync(ckpt());
    fs.writeFileSync(join(ckpt(), 'stale.bin'), 'stale');
    fs.writeFileSync(join(ckpt(), 'meta.json'), 'old');
    writeDirAtomic(ckpt(), { 'meta.json': 'new' });
    expect(fs.readdirSync(ckpt())).toEqual(['meta.json']);
    expect(fs.readFileSync(join(ckpt(), 'meta.json'), 'utf8')).toBe('new');
    expect(fs.readdirSync(root)).toEqual(['step-100']);
  });

  it('restores the previous directory when swapping the new one in fails', () => {
    fs.mkdirSync(ckpt());
    fs.writeFileSync(join(ckpt(), 'meta.json'), 'old');
    // Fail only the rename of the temp dir onto the target (the second rename).
    const fsx = failing('renameSync', (from) => String(from).endsWith('.tmp'));
    expect(() => writeDirAtomic(ckpt(), { 'meta.json': 'new' }, { fs: fsx })).toThrow('injected renameSync failure');
    expect(fs.readdirSync(ckpt())).toEqual(['meta.json']);
    expect(fs.readFileSync(join(ckpt(), 'meta.json'), 'utf8')).toBe('old');
    expect(fs.readdirSync(root)).toEqual(['step-100']);
  });

  it('keeps the backup and reports RESTORE_FAILED when the restore also fails', () => {
    fs.mkdirSync(ckpt());
    fs.writeFileSync(join(ckpt(), 'meta.json'), 'old');
    let renames = 0;
    const fsx = failing('renameSync', () => ++renames > 1); // first rename (to backup) succeeds
    let err: unknown;
    try {
      writeDirAtomic(ckpt(), { 'meta.json': 'new' }, { fs: fsx });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('RESTORE_FAILED');
    const left = fs.readdirSync(root);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\.bak$/);
    expect((err as Error).message).toContain(left[0]);
    expect(fs.readFileSync(join(root, left[0], 'meta.json'), 'utf8')).toBe('old');
  });

  it('removes the temp dir when writing a file fails', () => {
    fs.mkdirSync(ckpt());
    fs.writeFileSync(join(ckpt(), 'meta.json'), 'old');
    const fsx = failing('fsyncSync');
    expect(() => writeDirAtomic(ckpt(), { 'a.bin': 'x', 'b.bin': 'y' }, { fs: fsx })).toThrow('injected fsyncSync failure');
    expect(fs.readdirSync(root)).toEqual(['step-100']);
    expect(fs.readFileSync(join(ckpt(), 'meta.json'), 'utf8')).toBe('old');
  });

  it('rejects path-like file names and non-directory targets before touching disk', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a\\b']) {
      expect(() => writeDirAtomic(ckpt(), { [bad]: 'x' })).toThrow(CheckpointError);
    }
    fs.writeFileSync(ckpt(), 'file');
    expect(() => writeDirAtomic(ckpt(), { a: 'x' })).toThrow(expect.objectContaining({ code: 'NOT_A_DIRECTORY' }));
    expect(fs.readdirSync(root)).toEqual(['step-100']);
  });
});
