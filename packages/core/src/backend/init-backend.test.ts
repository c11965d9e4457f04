import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { BackendError } from './backend-error';
import { currentBackend, initBackend } from './init-backend';
import { wasmFastPathsActive } from './wasm-matmul';

describe('initBackend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it("'cpu' works and registers zero gradients", async () => {
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', requested: 'cpu', fastPaths: false, gpu: false, tried: [{ kind: 'cpu' }] });
    expect(tf.getBackend()).toBe('cpu');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, tf.cast(tf.greater(x, 0), 'float32'))))(tf.tensor1d([-1, 2]));
    expect(Array.from(g.dataSync())).toEqual([0, 1]);
  });

  it("'wasm' works with fast paths on by default, and is idempotent", async () => {
    const info = await initBackend('wasm');
    expect(info).toMatchObject({ name: 'wasm', requested: 'wasm', fastPaths: true, gpu: false });
    expect(tf.getBackend()).toBe('wasm');
    const again = await initBackend('wasm');
    expect(again.name).toBe('wasm');
    expect(again.fastPaths).toBe(true);
    expect(currentBackend()).toEqual(again);
  });

  it('wasmFastPaths: false restores the stock kernels', async () => {
    const info = await initBackend('wasm', { wasmFastPaths: false });
    expect(info.fastPaths).toBe(false);
    expect(wasmFastPathsActive()).toBe(false);
    expect((await initBackend('wasm')).fastPaths).toBe(true);
  });

  it("'tensorflow' throws a BackendError naming the package to install", async () => {
    const before = tf.getBackend();
    const error = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    const e = error as BackendError;
    expect(e.code).toBe('LOAD_FAILED');
    expect(e.message).toMatch(/install @tensorflow\/tfjs-node-gpu \(needs CUDA\) or @tensorflow\/tfjs-node/);
    expect(e.tried.map((t) => t.kind)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
    expect(tf.getBackend()).toBe(before); // a failed request leaves the backend alone
  });

  it("'auto' skips the missing native packages and picks wasm", async () => {
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(info.requested).toBe('auto');
    expect(info.fastPaths).toBe(true);
    expect(info.tried.map((t) => t.kind)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm']);
    expect(info.tried[0].error).toMatch(/tfjs-node-gpu/);
    expect(info.tried[1].error).toMatch(/tfjs-node/);
    expect(info.tried[2].error).toBeUndefined();
  });

  it('serialises concurrent calls and rejects unknown kinds', async () => {
    const [a, b] = await Promise.all([initBackend('cpu'), initBackend('wasm')]);
    expect(a.name).toBe('cpu');
    expect(b.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const error = await initBackend('webgpu' as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).code).toBe('UNKNOWN_KIND');
  });
});
