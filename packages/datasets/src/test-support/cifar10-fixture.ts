// Test-only generator of CIFAR-10 binary records (no real CIFAR-10 is available offline).
import { CIFAR10_RECORD_BYTES } from '../cifar10';

const PLANE = 32 * 32;

/** The byte the generator writes for record `n`, channel `c` (0 R, 1 G, 2 B), pixel `p = y*32+x`: distinct per channel and position. */
export function fixturePixel(n: number, c: number, p: number): number {
  return (p * 7 + c * 85 + n * 31) % 256;
}

/** Records in the official layout: label byte, then the R, G and B planes (each row-major 32x32). */
export function makeCifar10Bytes(labels: number[], pixel = fixturePixel): Uint8Array {
  const out = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, n) => {
    const rec = n * CIFAR10_RECORD_BYTES;
    out[rec] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < PLANE; p++) out[rec + 1 + c * PLANE + p] = pixel(n, c, p);
  });
  return out;
}
