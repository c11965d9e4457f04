/**
 * Assembles `src/backend/fused-elementwise.wat` with wabt's wat2wasm (the `wabt` npm package, a
 * devDependency) and writes the bytes as base64 into `src/backend/fused-elementwise-wasm.ts`,
 * between the `BEGIN/END WASM BASE64` markers. Shipping the bytes keeps wabt out of the runtime
 * dependencies; `src/backend/fused-elementwise-wasm.test.ts` fails while the shipped bytes differ
 * from what the .wat assembles to.
 *
 * Run after editing the .wat: `cd packages/core && npx tsx scripts/assemble-wat.ts`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
/** The .wat source and the TypeScript file that ships its bytes. */
export const WAT_PATH = join(here, '..', 'src', 'backend', 'fused-elementwise.wat');
export const TS_PATH = join(here, '..', 'src', 'backend', 'fused-elementwise-wasm.ts');

/**
 * Assembles WebAssembly text (SIMD and multi-value enabled) to binary; throws wabt's message on
 * a syntax or validation error.
 *
 * @example
 * ```ts
 * const bytes = await assembleWat(readFileSync(WAT_PATH, 'utf8'));
 * ```
 */
export async function assembleWat(source: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('fused-elementwise.wat', source, { simd: true, multi_value: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

const BASE64_BLOCK = /(\/\/ BEGIN WASM BASE64\n)[\s\S]*?(\n\s*\/\/ END WASM BASE64)/;

async function main(): Promise<void> {
  const bytes = await assembleWat(readFileSync(WAT_PATH, 'utf8'));
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,96}/g) ?? [];
  const ts = readFileSync(TS_PATH, 'utf8');
  if (!BASE64_BLOCK.test(ts)) throw new Error(`${TS_PATH}: BEGIN/END WASM BASE64 markers not found`);
  const body = lines.map((l) => `  '${l}' +`).join('\n').replace(/ \+$/, '');
  writeFileSync(TS_PATH, ts.replace(BASE64_BLOCK, `$1${body};$2`));
  console.log(`${bytes.length} bytes -> ${TS_PATH}`);
}

if (process.argv[1] != null && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
