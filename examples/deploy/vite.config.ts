import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The browser page: `web/` is the root, the model assets written by `pnpm start` (or
 * `--quick`) are served from `results/web-assets/`, and `@acn/onnx/runner` resolves to its
 * source (no build of the package needed; that entry imports neither @acn/core nor tfjs).
 */
export default defineConfig({
  root: here('./web'),
  publicDir: process.env.DEPLOY_ASSETS ?? here('./results/web-assets'),
  resolve: { alias: { '@acn/onnx/runner': here('../../packages/onnx/src/runner-entry.ts') } },
  build: { outDir: here('./results/web-dist'), emptyOutDir: true },
  logLevel: 'warn',
});
