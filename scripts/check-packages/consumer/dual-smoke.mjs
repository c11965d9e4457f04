// Dual-package check: one process loads @acn/core through ESM (import) and CJS (require). They
// are two module instances, but the backend state lives on a global symbol, so they agree.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const esm = await import('@acn/core');
const cjs = createRequire(import.meta.url)('@acn/core');
assert.notEqual(esm.initBackend, cjs.initBackend, 'expected two copies (ESM and CJS builds)');
await esm.initBackend('cpu');
assert.equal(cjs.currentBackend()?.name, 'cpu', 'CJS copy does not see the backend the ESM copy chose');
await cjs.initBackend('wasm');
assert.equal(esm.currentBackend()?.name, 'wasm');
assert.equal(esm.currentBackend()?.fastPaths, true);
assert.equal(cjs.currentBackend()?.fastPaths, true);
console.log('dual ESM+CJS core: ok (currentBackend agrees across copies)');
