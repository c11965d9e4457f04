/**
 * A `node:fs` for the atomic writers whose every operation first calls `before()`: the kill tests
 * count operations there and kill the process (or freeze the file system) at the n-th one.
 */
import * as fs from 'node:fs';
import type { AtomicFs } from '../../io';

export function interceptedFs(before: () => void): AtomicFs {
  const wrap =
    <F extends (...a: never[]) => unknown>(f: F): F =>
    ((...a: Parameters<F>) => {
      before();
      return f(...a);
    }) as F;
  return {
    openSync: wrap(fs.openSync),
    writeSync: wrap(fs.writeSync) as AtomicFs['writeSync'],
    fsyncSync: wrap(fs.fsyncSync),
    closeSync: wrap(fs.closeSync),
    renameSync: wrap(fs.renameSync),
    unlinkSync: wrap(fs.unlinkSync),
    mkdirSync: wrap(fs.mkdirSync) as AtomicFs['mkdirSync'],
    rmSync: wrap(fs.rmSync),
    lstatSync: wrap(fs.lstatSync) as AtomicFs['lstatSync'],
  };
}
