import type { Options } from 'tsup';

/**
 * One build configuration for every `@acn/*` package: ESM + CJS + `.d.ts` from `src/index.ts`.
 * Peer dependencies (tfjs) and other workspace packages stay external so a user's process holds
 * exactly one tfjs instance.
 */
export function sharedTsup(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: true,
    splitting: false,
    ...overrides,
  };
}
