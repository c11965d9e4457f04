// Worker bootstrap used only when @acn/core runs from TypeScript source (vitest, tsx scripts):
// registers tsx's ESM loader in this worker thread, then imports the .ts worker entry named in
// workerData. The built package starts `dist/parallel-worker.{js,cjs}` directly and never loads this.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__acnTsEntry);
