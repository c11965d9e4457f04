/**
 * Finding, recovering and cleaning up checkpoints after a crash during `saveCheckpoint`.
 *
 * The save protocol (`writeDirAtomic`): (1) build the new directory as a temp sibling
 * `.<name>.<pid>.<hex>.tmp`, every file fsynced, `checkpoint.json` carrying the checksums of all;
 * (2) rename the live directory to a backup sibling `.<name>.<pid>.<hex>.bak`; (3) rename the temp
 * directory to `<name>`; (4) delete the backup. A kill at any instant leaves one of:
 *
 * - before (2): `<name>` is the previous checkpoint (intact); the temp sibling is garbage;
 * - between (2) and (3): no `<name>`; the backup is the previous checkpoint and the temp sibling
 *   the new one, complete. {@link recoverCheckpoint} renames the newest *complete* one (manifest
 *   checksum and every file's sha256 verified) into place;
 * - after (3): `<name>` is the new checkpoint; the (possibly half-deleted) backup is garbage.
 *
 * So a reader finds the last complete checkpoint at every instant, and the next successful save
 * deletes what crashed saves left ({@link removeLeftovers}).
 */
import * as nodeFs from 'node:fs';
import { dirname, join } from 'node:path';
import { atomicLeftovers, CheckpointError, sha256Hex, type AtomicFs, type AtomicLeftover } from '../io';
import { MANIFEST_FILE, parseManifest, type CheckpointManifest } from './manifest';

function isDir(path: string): boolean {
  try {
    return nodeFs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads the manifest of checkpoint directory `dir` and verifies every file it lists (sha256).
 *
 * @throws CheckpointError `MISSING_FILE`, `INVALID_MANIFEST` or `CHECKSUM_MISMATCH`.
 * @example
 * ```ts
 * const manifest = verifyCheckpointDir('runs/ac/ckpt');
 * ```
 */
export function verifyCheckpointDir(dir: string): CheckpointManifest {
  const manifest = readManifestFile(dir);
  for (const name of Object.keys(manifest.files)) readVerifiedFile(dir, name, manifest);
  return manifest;
}

/** Parses `dir/checkpoint.json` (schema + checksum). */
export function readManifestFile(dir: string): CheckpointManifest {
  if (!isDir(dir)) throw new CheckpointError('MISSING_FILE', `checkpoint directory ${dir} does not exist`);
  const p = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = nodeFs.readFileSync(p, 'utf8');
  } catch (e) {
    throw new CheckpointError('MISSING_FILE', `checkpoint ${dir}: cannot read ${MANIFEST_FILE} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseManifest(text, dir);
}

/** The bytes of `dir/name`, checked against the sha256 the manifest recorded. */
export function readVerifiedFile(dir: string, name: string, manifest: CheckpointManifest): Uint8Array {
  const p = join(dir, name);
  const want = manifest.files[name];
  if (want === undefined) throw new CheckpointError('INVALID_MANIFEST', `checkpoint ${dir}: ${MANIFEST_FILE} does not list ${name}`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(nodeFs.readFileSync(p));
  } catch (e) {
    throw new CheckpointError('MISSING_FILE', `checkpoint ${dir}: cannot read ${name} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const got = sha256Hex(bytes);
  if (want !== got) {
    throw new CheckpointError('CHECKSUM_MISMATCH', `checkpoint ${dir}: ${name} is corrupted or was modified (sha256 ${got}, expected ${want}, ${bytes.length} bytes)`);
  }
  return bytes;
}

/** Where a checkpoint can be read, as found by {@link locateCheckpoint}. */
export interface CheckpointLocation {
  /** The directory to read: `dir` itself, or a complete sibling left by an interrupted save. */
  readonly path: string;
  /** True when `path` is a leftover sibling (the save that would have put it in place was killed). */
  readonly recovered: boolean;
}

function manifestTime(dir: string): bigint {
  return nodeFs.statSync(join(dir, MANIFEST_FILE), { bigint: true }).mtimeNs;
}

/**
 * Where the last complete checkpoint of `dir` is: `dir` itself when it exists (it is then read
 * and verified as it is: a damaged one is an error, never a silent fallback to an older copy);
 * otherwise the newest complete leftover of an interrupted save; `undefined` when there is
 * neither (no checkpoint was ever completed there).
 *
 * @throws CheckpointError `RECOVERY_FAILED` when `dir` is missing, a backup of a committed
 *   checkpoint is there, and no leftover is complete.
 * @example
 * ```ts
 * const at = locateCheckpoint('runs/ac/ckpt');
 * if (at?.recovered) console.warn(`recovering ${at.path}`);
 * ```
 */
export function locateCheckpoint(dir: string): CheckpointLocation | undefined {
  if (nodeFs.existsSync(dir)) return { path: dir, recovered: false };
  const candidates: { path: string; time: bigint }[] = [];
  const problems: string[] = [];
  const leftovers = atomicLeftovers(dir).filter((l) => isDir(l.path));
  for (const l of leftovers) {
    try {
      verifyCheckpointDir(l.path);
      candidates.push({ path: l.path, time: manifestTime(l.path) });
    } catch (e) {
      problems.push(`${l.path}: ${(e as Error).message}`);
    }
  }
  if (candidates.length > 0) {
    candidates.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
    return { path: candidates[0].path, recovered: true };
  }
  // A backup is only made of a committed checkpoint; if none survives intact, say so rather than
  // let a resume start over on top of it.
  if (leftovers.some((l) => l.kind === 'bak')) {
    throw new CheckpointError(
      'RECOVERY_FAILED',
      `checkpoint ${dir} does not exist and none of the copies left by an interrupted save is complete (${problems.join('; ')})`,
    );
  }
  return undefined;
}

/**
 * Puts the last complete checkpoint back at `dir` when an interrupted save left it in a sibling
 * (see {@link locateCheckpoint}); does nothing when `dir` exists. Returns where the checkpoint now
 * is, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * recoverCheckpoint('runs/ac/ckpt'); // before resuming
 * ```
 */
export function recoverCheckpoint(dir: string, fs: AtomicFs = nodeFs): CheckpointLocation | undefined {
  const at = locateCheckpoint(dir);
  if (!at?.recovered) return at;
  fs.renameSync(at.path, dir);
  return { path: dir, recovered: true };
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return false; // saves are synchronous: none of ours is in progress now
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the temp and backup siblings of `dir` left by interrupted saves (of processes that are
 * no longer running, so a concurrent save elsewhere is not disturbed). Called after every
 * successful save; only then is `dir` known to hold the newest complete checkpoint.
 *
 * @returns the paths removed.
 * @example
 * ```ts
 * removeLeftovers('runs/ac/ckpt');
 * ```
 */
export function removeLeftovers(dir: string, fs: AtomicFs = nodeFs): string[] {
  if (!isDir(dir)) return [];
  const gone: string[] = [];
  for (const l of atomicLeftovers(dir) as AtomicLeftover[]) {
    if (processAlive(l.pid)) continue;
    fs.rmSync(l.path, { recursive: true, force: true });
    gone.push(l.path);
  }
  if (gone.length) syncParent(dir);
  return gone;
}

function syncParent(dir: string): void {
  let fd: number | undefined;
  try {
    fd = nodeFs.openSync(dirname(dir), 'r');
    nodeFs.fsyncSync(fd);
  } catch {
    // best effort (not supported everywhere); the removals are garbage collection only
  } finally {
    if (fd !== undefined) nodeFs.closeSync(fd);
  }
}
