import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { tf } from '../tf';
import { BACKEND_STATE_KEY, backendState } from './global-state';
import { currentBackend, describeAutoChoice, initBackend, type BackendInfo } from './init-backend';
import { wasmFastPathsActive } from './wasm-matmul';

const info = (over: Partial<BackendInfo>): BackendInfo => ({ name: 'cpu', requested: 'auto', fastPaths: false, gpu: false, tried: [], ...over });

describe("initBackend('auto') reports its choice", () => {
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('one line through options.log, naming the backend', async () => {
    const lines: string[] = [];
    const got = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(lines).toEqual([describeAutoChoice(got)]);
    expect(lines[0]).toBe("@acn/core: tfjs backend 'wasm' (auto; WebAssembly, matmul fast paths on)");
  });

  it('writes to stderr by default; log: false silences it; explicit kinds never log', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await initBackend('auto');
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0][0])).toMatch(/^@acn\/core: tfjs backend 'wasm' \(auto.*\n$/);
    await initBackend('auto', { log: false });
    await initBackend('wasm');
    await initBackend('cpu');
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('on cpu, says what to install to be faster', () => {
    const line = describeAutoChoice(info({ name: 'cpu' }));
    expect(line).toMatch(/^@acn\/core: tfjs backend 'cpu' \(auto\): the slow pure-JS fallback; npm i @tensorflow\/tfjs-backend-wasm/);
    expect(line).not.toContain('\n');
    expect(describeAutoChoice(info({ name: 'tensorflow', gpu: true }))).toContain('CUDA');
  });

  it('rejects a log option that is neither false nor a function', async () => {
    const e = await initBackend('auto', { log: 'yes' as never }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/options\.log must be false or a function/);
  });
});

describe('backend state is process-wide (ESM and CJS copies of core agree)', () => {
  it('a second, fresh copy of the module sees the backend the first one initialised', async () => {
    await initBackend('wasm');
    expect(backendState()).toBe((globalThis as Record<symbol, unknown>)[BACKEND_STATE_KEY]);
    // A fresh module graph stands in for the other build of @acn/core loaded in the same process.
    vi.resetModules();
    const other = await import('./init-backend');
    const otherWasm = await import('./wasm-matmul');
    expect(other.currentBackend).not.toBe(currentBackend); // really a second module instance
    expect(other.currentBackend()).toEqual(currentBackend());
    expect(other.currentBackend()?.name).toBe('wasm');
    expect(otherWasm.wasmFastPathsActive()).toBe(true);
    // Initialising through the other copy does not re-wrap this copy's fast paths.
    await other.initBackend('wasm');
    expect(wasmFastPathsActive()).toBe(true);
    expect(currentBackend()?.requested).toBe('wasm');
  });
});
