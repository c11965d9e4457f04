// Test-only: a tiny CIFAR-10 in the official binary layout (no real CIFAR-10 offline).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES } from '@acn/datasets';

const PLANE = 32 * 32;

/**
 * Writes `data_batch_1..5.bin` and `test_batch.bin` with `perFile` records each (labels cycle
 * 0..9) into `dir/cifar-10-batches-bin`, the folder the official tarball extracts to. Pixels
 * depend on the label (a brighter red plane for higher classes) plus a per-record pattern, so the
 * classes are learnable. Returns the folder passed as `--data-dir`.
 *
 * @example
 * ```ts
 * writeTinyCifar10(tmp, 20); // 100 train / 20 test images
 * ```
 */
export function writeTinyCifar10(dir: string, perFile: number): string {
  const bin = join(dir, 'cifar-10-batches-bin');
  mkdirSync(bin, { recursive: true });
  [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].forEach((name, f) => {
    const bytes = new Uint8Array(perFile * CIFAR10_RECORD_BYTES);
    for (let n = 0; n < perFile; n++) {
      const rec = n * CIFAR10_RECORD_BYTES;
      const label = n % 10;
      bytes[rec] = label;
      // Layout: label byte, then the R, G and B planes, each row-major 32×32.
      for (let c = 0; c < 3; c++) for (let p = 0; p < PLANE; p++) bytes[rec + 1 + c * PLANE + p] = c === 0 ? 20 * label + (p % 7) : (p * 7 + c * 85 + (n + f) * 31) % 256;
    }
    writeFileSync(join(bin, name), bytes);
  });
  return dir;
}
