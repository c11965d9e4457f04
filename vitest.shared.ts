import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Shared test configuration: tests run from source, so `@acn/*` imports resolve to each package's
 * `src/index.ts` (no build needed before `pnpm test`).
 */
export const sharedVitest = defineConfig({
  resolve: {
    alias: [
      { find: /^@acn\/(core|datasets|metrics|prune|quant|lowrank|vcon|early-exit|test-utils|onnx)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The JSON report lets the root `npm test` print one 'N passed, N failed' line over all packages.
    reporters: ['default', ['json', { outputFile: '.vitest-result.json' }]],
    fileParallelism: true,
  },
});
