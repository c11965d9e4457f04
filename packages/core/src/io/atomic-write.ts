/**
 * Crash-safe file and directory writes for checkpoints.
 *
 * Why: a process killed mid-save (OOM, Ctrl-C, preemption) must never leave a truncated
 * checkpoint under the real name, because resume would then load garbage or fail. Writing to a
 * temp sibling and renaming is atomic on POSIX file systems (same directory ⇒ same file system).
 *
 * Synchronous on purpose: the sequence write → fsync → rename must not interleave with another
 * save of the same path from this process, and sync calls make that trivially true.
 */
import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CheckpointError } from './errors';

/**
 * The subset of `node:fs` the atomic writers use. Injectable so tests (and callers with virtual
 * file systems) can simulate failures; ESM namespace exports cannot be spied on reliably.
 *
 * @example
 * ```ts
 * import * as fs from 'node:fs';
 * const failing: AtomicFs = { ...fs, renameSync: () => { throw new Error('disk gone'); } };
 * ```
 */
export type AtomicFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync' | 'rmSync' | 'lstatSync'
>;

/**
 * Options for {@link writeFileAtomic} and {@link writeDirAtomic}.
 *
 * @example
 * ```ts
 * const opts: AtomicWriteOptions = { fs: myFs };
 * ```
 */
export interface AtomicWriteOptions {
  /** File system to use; defaults to `node:fs`. */
  fs?: AtomicFs;
}

/** Unique sibling name: pid separates processes, random bytes separate calls within one. */
function siblingName(target: string, suffix: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.${suffix}`);
}

/**
 * A temp (`tmp`) or backup (`bak`) sibling that an atomic write of `target` creates and, when it
 * is not interrupted, removes again. One that is still there was left by a crashed write (or
 * belongs to a write in progress in process `pid`).
 *
 * @example
 * ```ts
 * const left: AtomicLeftover = { path: '/runs/.ckpt.4242.a1b2c3d4e5f6.bak', kind: 'bak', pid: 4242 };
 * ```
 */
export interface AtomicLeftover {
  readonly path: string;
  readonly kind: 'tmp' | 'bak';
  readonly pid: number;
}

/**
 * The temp and backup siblings of `target` that {@link writeFileAtomic} / {@link writeDirAtomic}
 * left behind (empty when the parent directory does not exist).
 *
 * @example
 * ```ts
 * for (const l of atomicLeftovers('runs/ac/ckpt')) console.log(l.kind, l.path);
 * ```
 */
export function atomicLeftovers(target: string): AtomicLeftover[] {
  const base = basename(target);
  const prefix = `.${base}.`;
  let names: string[];
  try {
    names = nodeFs.readdirSync(dirname(target));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
  const out: AtomicLeftover[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.(tmp|bak)$/.exec(name.slice(prefix.length));
    if (m) out.push({ path: join(dirname(target), name), kind: m[2] as 'tmp' | 'bak', pid: Number(m[1]) });
  }
  return out;
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

/** Create `path` exclusively, write all of `bytes`, fsync, close. Leaves cleanup of `path` to the caller. */
function writeAndSync(fs: AtomicFs, path: string, bytes: Uint8Array): void {
  // 'wx': fail rather than clobber if the random name somehow exists.
  const fd = fs.openSync(path, 'wx', 0o666);
  try {
    // writeSync may write fewer bytes than asked (e.g. near ENOSPC or on some file systems).
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    // Without fsync, rename can be persisted before the data and a crash leaves an empty file.
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync a directory so a rename inside it survives power loss. Best effort: unsupported on Windows. */
function syncDir(fs: AtomicFs, dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not all platforms allow opening/fsyncing directories; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // ignore
      }
    }
  }
}

function statIfExists(fs: AtomicFs, path: string): nodeFs.Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Write `data` to `path` atomically: readers see either the old file or the complete new one,
 * never a partial write. Writes a uniquely named temp file in the same directory, fsyncs it, and
 * renames it over `path`. On any error the temp file is removed and the error rethrown; the
 * parent directory must already exist.
 *
 * @example
 * ```ts
 * writeFileAtomic('/ckpt/model.safetensors', encodeSafetensors(tensors));
 * writeFileAtomic('/ckpt/meta.json', JSON.stringify(meta));
 * ```
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const fs = options.fs ?? nodeFs;
  const tmp = siblingName(path, 'tmp');
  try {
    writeAndSync(fs, tmp, toBytes(data));
    fs.renameSync(tmp, path);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // ENOENT when open itself failed; any other error must not mask the original one.
    }
    throw e;
  }
  syncDir(fs, dirname(path));
}

function checkFileName(dir: string, name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name) || name.includes('\0')) {
    throw new CheckpointError(
      'INVALID_FILE_NAME',
      `writeDirAtomic('${dir}'): file name ${JSON.stringify(name)} must be a plain name without path separators`,
    );
  }
}

/**
 * Replace directory `dir` with exactly `files` (name → contents; flat, no subdirectories) so a
 * reader never sees a half-written checkpoint directory. The new directory is built and fsynced
 * as a temp sibling, then swapped in: if `dir` exists it is renamed to a backup, the new one is
 * renamed into place, and the backup removed; if the second rename fails the backup is restored.
 * The parent of `dir` must exist.
 *
 * Caveat: POSIX has no atomic directory exchange reachable from Node (`renameat2(RENAME_EXCHANGE)`),
 * so between the two renames `dir` briefly does not exist; a reader then sees "no checkpoint",
 * never a partial one.
 *
 * @throws CheckpointError `INVALID_FILE_NAME`, `NOT_A_DIRECTORY` (target is a file), or
 *   `RESTORE_FAILED` (the old directory could not be put back; its backup path is in the message).
 * @example
 * ```ts
 * writeDirAtomic('/ckpt/step-100', {
 *   'model.safetensors': encodeSafetensors(tensors),
 *   'meta.json': JSON.stringify({ step: 100 }),
 * });
 * ```
 */
export function writeDirAtomic(dir: string, files: Record<string, Uint8Array | string>, options: AtomicWriteOptions = {}): void {
  const fs = options.fs ?? nodeFs;
  for (const name of Object.keys(files)) checkFileName(dir, name);
  const existing = statIfExists(fs, dir);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new CheckpointError('NOT_A_DIRECTORY', `writeDirAtomic('${dir}'): target exists and is not a directory`);
  }

  const tmpDir = siblingName(dir, 'tmp');
  try {
    fs.mkdirSync(tmpDir);
    for (const [name, data] of Object.entries(files)) writeAndSync(fs, join(tmpDir, name), toBytes(data));
    syncDir(fs, tmpDir);
    if (existing === undefined) {
      fs.renameSync(tmpDir, dir);
    } else {
      swapIn(fs, dir, tmpDir);
    }
  } catch (e) {
    try {
      fs.rmSync(tmpDir, { recursive: true, force: true });
    } catch {
      // Must not mask the original error.
    }
    throw e;
  }
  syncDir(fs, dirname(dir));
}

/** Move `dir` aside, move `tmpDir` into its place, drop the old one; restore it on failure. */
function swapIn(fs: AtomicFs, dir: string, tmpDir: string): void {
  const backup = siblingName(dir, 'bak');
  fs.renameSync(dir, backup);
  try {
    fs.renameSync(tmpDir, dir);
  } catch (e) {
    try {
      fs.renameSync(backup, dir);
    } catch (restoreError) {
      // Never delete the backup here: it is now the only copy of the previous checkpoint.
      throw new CheckpointError(
        'RESTORE_FAILED',
        `writeDirAtomic('${dir}'): swap failed (${(e as Error).message}) and restoring the previous directory failed (${(restoreError as Error).message}); it is preserved at '${backup}'`,
        { cause: e },
      );
    }
    throw e;
  }
  try {
    fs.rmSync(backup, { recursive: true, force: true });
  } catch {
    // The new directory is already in place; a leftover backup is garbage, not a failed save.
  }
}
