import { defineConfig } from 'tsup';
import { sharedTsup } from '../../tsup.shared';

// Two entries: the exporter (needs @acn/core) and the browser-safe runner (`@acn/onnx/runner`).
export default defineConfig(sharedTsup({ entry: ['src/index.ts', 'src/runner-entry.ts'] }));
