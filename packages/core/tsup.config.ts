import { defineConfig } from 'tsup';
import { sharedTsup } from '../../tsup.shared';

// Second entry: the data-parallel training worker, started by `DataParallelPool` from the same
// dist folder (`parallel-worker.js` for ESM, `.cjs` for CJS).
export default defineConfig(sharedTsup({ entry: { index: 'src/index.ts', 'parallel-worker': 'src/train/parallel/worker-entry.ts' } }));
