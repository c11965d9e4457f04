import { defineConfig } from 'tsup';
import { sharedTsup } from '../../tsup.shared';

// `shims: true` makes `import.meta.url` work in the CJS build too: the embedded subset is located
// relative to the module file (see src/embedded-subset.ts).
export default defineConfig(sharedTsup({ shims: true }));
