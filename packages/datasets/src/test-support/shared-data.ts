// Test-only: the real datasets exist on the development machines, never on a user's. Tests that
// read them run only when they are present (it.runIf), so `pnpm test` passes anywhere.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SHARED_DATA = '/work/shared/data';
export const SHARED_FASHION = join(SHARED_DATA, 'fashion-mnist');
export const SHARED_MNIST = join(SHARED_DATA, 'mnist');
export const HAS_SHARED_FASHION = existsSync(join(SHARED_FASHION, 'train-images-idx3-ubyte.gz'));
export const HAS_SHARED_MNIST = existsSync(join(SHARED_MNIST, 'train-images-idx3-ubyte.gz'));

/** Suffix for the titles of tests that need the real files, so a skip explains itself. */
export const NEEDS_SHARED = `[needs ${SHARED_DATA}; skipped when absent]`;
