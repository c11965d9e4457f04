/*
 * The wasm SIMD module behind the fused elementwise kernels (wasm-elementwise.ts): GELU forward
 * (value and derivative in one pass), LayerNorm forward and backward, and a blocked transpose of the
 * last two axes. Its source is
 * `fused-elementwise.wat` beside this file; the bytes below are what wabt's wat2wasm makes of it
 * (`cd packages/core && npx tsx scripts/assemble-wat.ts` rewrites them; a test checks they match).
 *
 * The module imports tfjs-backend-wasm's own `WebAssembly.Memory`, so its functions read and
 * write tensors in place, by the byte offsets tfjs keeps for them (`dataIdMap.get(id).memoryOffset`).
 * One instance per memory object; the instance sees memory growth because it shares the memory.
 */

/** The module's exports. Pointers are byte offsets into the shared memory; counts are floats. */
export interface FusedElementwiseExports {
  /** `y = x·Φ(x)`, `d = Φ(x) + x·φ(x)` (GELU and its derivative) for `n` floats. */
  gelu_fwd(x: number, y: number, d: number, n: number): void;
  /**
   * LayerNorm of `rows` rows of `dim` floats: writes `y` and `xhat` (`[rows, dim]`) and `rstd`
   * (`[rows]`).
   */
  layer_norm_fwd(x: number, gamma: number, beta: number, y: number, xhat: number, rstd: number, rows: number, dim: number, eps: number): void;
  /**
   * LayerNorm backward: writes `dx` (`[rows, dim]`) and adds `Σ dy·xhat`, `Σ dy` over rows into
   * `dgamma`, `dbeta` (`[dim]`, zeroed by the caller).
   */
  layer_norm_bwd(dy: number, xhat: number, rstd: number, gamma: number, dx: number, dgamma: number, dbeta: number, rows: number, dim: number): void;
  /** `y[b, j, i] = x[b, i, j]` for `batch` matrices of `rows × cols` 4-byte values (bits copied). */
  transpose_32(x: number, y: number, batch: number, rows: number, cols: number): void;
}

/* prettier-ignore */
const WASM_BASE64 =
  // BEGIN WASM BASE64
  'AGFzbQEAAAABLQVgBH9/f38AYAF7AX1gCX9/f39/f39/fQBgCX9/f39/f39/fwBgBX9/f39/AAIPAQNlbnYGbWVtb3J5AgAB' +
  'AwcGAAECAwAEBz0ECGdlbHVfZndkAAAObGF5ZXJfbm9ybV9md2QAAg5sYXllcl9ub3JtX2J3ZAADDHRyYW5zcG9zZV8zMgAF' +
  'CpkZBoEKASZ7/QzzBDU/8wQ1P/MENT/zBDU/IRD9DAAAgD8AAIA/AACAPwAAgD8hEf0MAAAAPwAAAD8AAAA/AAAAPyES/QxF' +
  '+S4+RfkuPkX5Lj5F+S4+IRP9DJJ4Ur+SeFK/knhSv5J4Ur8hFP0MsIe+P7CHvj+wh74/sIe+PyEV/QxdTpG/XU6Rv11Okb9d' +
  'TpG/IRb9DMzHjj7Mx44+zMeOPszHjj4hF/0MTMI+vkzCPr5Mwj6+TMI+viEY/QzJNsY9yTbGPck2xj3JNsY9IRn9DPuIvz77' +
  'iL8++4i/PvuIvz4hGv0MxwCAP8cAgD/HAIA/xwCAPyEb/QxO/KG/Tvyhv078ob9O/KG/IRz9DAAArsIAAK7CAACuwgAArsIh' +
  'Hf0MO6q4PzuquD87qrg/O6q4PyEe/QwAgDE/AIAxPwCAMT8AgDE/ISD9DIOAXrmDgF65g4BeuYOAXrkhIf0MZ2lQOWdpUDln' +
  'aVA5Z2lQOSEi/QzOQ7c6zkO3Os5DtzrOQ7c6ISP9DAiJCDwIiQg8CIkIPAiJCDwhJP0MwakqPcGpKj3BqSo9wakqPSEl/Qyq' +
  'qio+qqoqPqqqKj6qqio+ISb9DAAAAD8AAAA/AAAAPwAAAD8hJ/0MAAAAvwAAAL8AAAC/AAAAvyEo/QwqQsw+KkLMPipCzD4q' +
  'Qsw+ISn9DAAAQEsAAEBLAABASwAAQEshH/0MfwDAtH8AwLR/AMC0fwDAtCEPAkADQCADRQ0BIANBBE8EQCAA/QACACEEBSAA' +
  '/VwCACEECyAE/eABIBD95gEhBSARIBEgEiAF/eYB/eQB/ecBIQYgBiAT/eYBIBT95AEhByAGIAf95gEgFf3kASEHIAYgB/3m' +
  'ASAW/eQBIQcgBiAH/eYBIBf95AEhByAGIAf95gEgGP3kASEHIAYgB/3mASAZ/eQBIQcgBiAH/eYBIBr95AEhByAGIAf95gEg' +
  'G/3kASEHIAYgB/3mASEHIBwgBSAF/eYB/eUBIAf95AEgHf3rASEIIAggHv3mASAf/eQBIQkgCSAf/eUBIQogCCAKICD95gH9' +
  '5QEhCyALIAogIf3mAf3lASELIAsgIv3mASAj/eQBIQwgCyAM/eYBICT95AEhDCALIAz95gEgJf3kASEMIAsgDP3mASAm/eQB' +
  'IQwgCyAM/eYBICf95AEhDCALIAv95gEgDP3mASAL/eQBIBH95AEhDCAMIAkgD/2uAUEX/asB/eYBIQwgEiAGIAz95gH95gEh' +
  'DSANIBEgDf3lASAE/QwAAAAAAAAAAAAAAAAAAAAA/UP9UiEOIAQgBP3mASAo/eYBIB396wEhCCAIIB795gEgH/3kASEJIAkg' +
  'H/3lASEKIAggCiAg/eYB/eUBIQsgCyAKICH95gH95QEhCyALICL95gEgI/3kASEMIAsgDP3mASAk/eQBIQwgCyAM/eYBICX9' +
  '5AEhDCALIAz95gEgJv3kASEMIAsgDP3mASAn/eQBIQwgCyAL/eYBIAz95gEgC/3kASAR/eQBIQwgDCAJIA/9rgFBF/2rAf3m' +
  'ASEMIA4gBCAp/eYBIAz95gH95AEhDCAEIA795gEhDiADQQRPBEAgASAO/QsCACACIAz9CwIAIABBEGohACABQRBqIQEgAkEQ' +
  'aiECIANBBGshAwUgASAO/VoCAAAgAiAM/VoCAAAgAEEEaiEAIAFBBGohASACQQRqIQIgA0EBayEDCwwACwsLGQAgAP0fACAA' +
  '/R8BkiAA/R8CIAD9HwOSkguMBAUDfwF7A30DewJ9IAdBAnQhCiAHQXxxQQJ0IQkgB7MhFAJAA0AgBkUNAf0MAAAAAAAAAAAA' +
  'AAAAAAAAACEMQQAhCwJAA0AgCyAJTw0BIAwgACALav0AAgD95AEhDCALQRBqIQsMAAsLIAwQASENAkADQCALIApPDQEgDSAA' +
  'IAtqKgIAkiENIAtBBGohCwwACwsgDSAUlSEOIA79EyEQ/QwAAAAAAAAAAAAAAAAAAAAAIQxBACELAkADQCALIAlPDQEgACAL' +
  'av0AAgAgEP3lASESIAwgEiAS/eYB/eQBIQwgC0EQaiELDAALCyAMEAEhDQJAA0AgCyAKTw0BIAAgC2oqAgAgDpMhEyANIBMg' +
  'E5SSIQ0gC0EEaiELDAALC0MAAIA/IA0gFJUgCJKRlSEPIAUgDzgCACAP/RMhEUEAIQsCQANAIAsgCU8NASAAIAtq/QACACAQ' +
  '/eUBIBH95gEhEiAEIAtqIBL9CwIAIAMgC2ogEiABIAtq/QACAP3mASACIAtq/QACAP3kAf0LAgAgC0EQaiELDAALCwJAA0Ag' +
  'CyAKTw0BIAAgC2oqAgAgDpMgD5QhEyAEIAtqIBM4AgAgAyALaiATIAEgC2oqAgCUIAIgC2oqAgCSOAIAIAtBBGohCwwACwsg' +
  'ACAKaiEAIAMgCmohAyAEIApqIQQgBUEEaiEFIAZBAWshBgwACwsLyAQHA38CewJ9A3sDfQN7BH0gCEECdCEKIAhBfHFBAnQh' +
  'CSAIsyEcAkADQCAHRQ0B/QwAAAAAAAAAAAAAAAAAAAAAIQz9DAAAAAAAAAAAAAAAAAAAAAAhDUEAIQsCQANAIAsgCU8NASAA' +
  'IAtq/QACACEQIAEgC2r9AAIAIREgECADIAtq/QACAP3mASESIAwgEv3kASEMIA0gEiAR/eYB/eQBIQ0gBSALaiAFIAtq/QAC' +
  'ACAQIBH95gH95AH9CwIAIAYgC2ogBiALav0AAgAgEP3kAf0LAgAgC0EQaiELDAALCyAMEAEhDiANEAEhDwJAA0AgCyAKTw0B' +
  'IAAgC2oqAgAhEyABIAtqKgIAIRQgEyADIAtqKgIAlCEVIA4gFZIhDiAPIBUgFJSSIQ8gBSALaiAFIAtqKgIAIBMgFJSSOAIA' +
  'IAYgC2ogBiALaioCACATkjgCACALQQRqIQsMAAsLIA4gHJUhGSAPIByVIRogAioCACEbIBn9EyEWIBr9EyEXIBv9EyEYQQAh' +
  'CwJAA0AgCyAJTw0BIAAgC2r9AAIAIAMgC2r9AAIA/eYBIRIgBCALaiAYIBIgFv3lASABIAtq/QACACAX/eYB/eUB/eYB/QsC' +
  'ACALQRBqIQsMAAsLAkADQCALIApPDQEgACALaioCACADIAtqKgIAlCEVIAQgC2ogGyAVIBmTIAEgC2oqAgAgGpSTlDgCACAL' +
  'QQRqIQsMAAsLIAAgCmohACABIApqIQEgBCAKaiEEIAJBBGohAiAHQQFrIQcMAAsLC5ICAQh7IAD9AAIAIQQgACACav0AAgAh' +
  'BSAAIAJBAXRq/QACACEGIAAgAkEDbGr9AAIAIQcgBCAF/Q0AAQIDEBESEwQFBgcUFRYXIQggBCAF/Q0ICQoLGBkaGwwNDg8c' +
  'HR4fIQkgBiAH/Q0AAQIDEBESEwQFBgcUFRYXIQogBiAH/Q0ICQoLGBkaGwwNDg8cHR4fIQsgASAIIAr9DQABAgMEBQYHEBES' +
  'ExQVFhf9CwIAIAEgA2ogCCAK/Q0ICQoLDA0ODxgZGhscHR4f/QsCACABIANBAXRqIAkgC/0NAAECAwQFBgcQERITFBUWF/0L' +
  'AgAgASADQQNsaiAJIAv9DQgJCgsMDQ4PGBkaGxwdHh/9CwIAC40EAQx/IANBfHEhBSAEQXxxIQYgBEECdCEPIANBAnQhECAD' +
  'QXBxQQAgAyAESxshDAJAA0AgAkUNAUEAIQkCQANAIAkgDE8NAUEAIQoCQANAIAogBk8NASAAIAkgBGwgCmpBAnRqIQ0gASAK' +
  'IANsIAlqQQJ0aiEOQQAhCwJAA0AgC0EETw0BIA0gDiAPIBAQBCANIA9BAnRqIQ0gDkEQaiEOIAtBAWohCwwACwsgCkEEaiEK' +
  'DAALCyAJQRBqIQkMAAsLQQAhBwJAA0AgByAGTw0BIAdBwABqIAYgB0HAAGogBkkbIQggDCEJAkADQCAJIAVPDQEgByEKAkAD' +
  'QCAKIAhPDQEgACAJIARsIApqQQJ0aiABIAogA2wgCWpBAnRqIA8gEBAEIApBBGohCgwACwsgCUEEaiEJDAALCyAIIQcMAAsL' +
  'QQAhCQJAA0AgCSAFTw0BIAYhCgJAA0AgCiAETw0BIAEgCiADbCAJakECdGogACAJIARsIApqQQJ0aigCADYCACAKQQFqIQoM' +
  'AAsLIAlBAWohCQwACwsgBSEJAkADQCAJIANPDQFBACEKAkADQCAKIARPDQEgASAKIANsIAlqQQJ0aiAAIAkgBGwgCmpBAnRq' +
  'KAIANgIAIApBAWohCgwACwsgCUEBaiEJDAALCyAAIAMgD2xqIQAgASADIA9saiEBIAJBAWshAgwACwsL';
  // END WASM BASE64

/**
 * The slice of the WebAssembly JS API used here, typed locally: core compiles with lib ES2022
 * only (no DOM), which has no `WebAssembly` declarations. A `memory` is a `WebAssembly.Memory`.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}

/** The runtime's WebAssembly namespace, if any. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

let compiled: object | null | undefined;
const instances = new WeakMap<object, FusedElementwiseExports>();

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The module's bytes (for tests and for checking SIMD support). */
export function fusedElementwiseBytes(): Uint8Array {
  return decodeBase64(WASM_BASE64);
}

/**
 * The module instantiated on `memory` (cached per memory), or null where it cannot run: no
 * WebAssembly, or no wasm SIMD (then the callers keep the plain tfjs ops). The module is ~3 KB,
 * under the 4 KB that browsers allow for synchronous compilation on the main thread.
 *
 * @example
 * ```ts
 * const k = fusedElementwiseFor(backend.wasm.asm.memory);
 * k?.gelu_fwd(xOffset, yOffset, dOffset, n);
 * ```
 */
export function fusedElementwiseFor(memory: object): FusedElementwiseExports | null {
  const cached = instances.get(memory);
  if (cached != null) return cached;
  const api = wasmApi();
  if (api == null) return null;
  if (compiled === undefined) {
    try {
      const bytes = fusedElementwiseBytes();
      compiled = api.validate(bytes) ? new api.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (compiled == null) return null;
  const exports = new api.Instance(compiled, { env: { memory } }).exports as FusedElementwiseExports;
  instances.set(memory, exports);
  return exports;
}
