import { createMlp, initBackend, Layer, tf, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxError } from './errors';
import { exportOnnx } from './export';
import { loadOnnxRuntime } from './runtime';

beforeAll(async () => {
  await initBackend('wasm');
});

const tiny = () => createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 1 });

function thrown(f: () => unknown): OnnxError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxError);
    return e as OnnxError;
  }
  throw new Error('expected an OnnxError');
}

/** A layer the exporter does not know. */
class Scale extends Layer {
  constructor(path: string) {
    super(path, 'dense', 0);
    this.addWeight('s', tf.ones([1]));
  }
  protected forward(x: Tensor): Tensor {
    return x.mul(this.w('s'));
  }
}

// The un-baked-hook case needs a real compressor plugin: @acn/integration-tests, onnx-errors.test.ts.
describe('exportOnnx: bad input gets a clear error naming the layer and hook', () => {
  it('a hook with no ONNX form (a forward wrapper that cannot be baked)', () => {
    const model = tiny();
    model.hooks.attach({ name: 'test:double', filter: { path: /^blocks\.1\.fc$/ }, wrapForward: (next) => (x, c) => next(x, c).mul(2) });
    const e = thrown(() => exportOnnx(model));
    expect(e.code).toBe('no-onnx-form');
    expect(e.path).toBe('blocks.1.fc');
    expect(e.hook).toBe('test:double');
    expect(e.message).toMatch(/blocks\.1\.fc: hook 'test:double' wraps the forward and cannot be baked/);
    model.dispose();
  });

  it('an unsupported layer in place of a known one', () => {
    const model = tiny();
    const layers = model.layers.bind(model);
    const odd = new Scale('blocks.0.fc');
    model.layers = () => layers().map((l) => (l.path === 'blocks.0.fc' ? odd : l));
    const e = thrown(() => exportOnnx(model));
    expect(e.code).toBe('unsupported-layer');
    expect(e.path).toBe('blocks.0.fc');
    expect(e.message).toMatch(/layer blocks\.0\.fc is a Scale/);
    odd.dispose();
    model.dispose();
  });

  it('an extra layer the exporter would silently drop', () => {
    const model = tiny();
    const layers = model.layers.bind(model);
    const extra = new Scale('blocks.0.extra');
    model.layers = () => [...layers(), extra];
    const e = thrown(() => exportOnnx(model));
    expect(e.code).toBe('unsupported-layer');
    expect(e.path).toBe('blocks.0.extra');
    expect(e.message).toMatch(/weight blocks\.0\.extra\.s is not used/);
    extra.dispose();
    model.dispose();
  });

  it('an unknown architecture', () => {
    const model = tiny();
    Object.assign(model, { config: { ...model.config, architecture: 'mine' } });
    const e = thrown(() => exportOnnx(model));
    expect(e.code).toBe('unsupported-layer');
    expect(e.message).toMatch(/architecture 'mine' has no ONNX exporter \(known: mixer, mlp, vit, bert\)/);
    model.dispose();
  });

  it('bad probes and quantization info', () => {
    const model = tiny();
    expect(thrown(() => exportOnnx(model, { probes: [3] })).code).toBe('bad-option');
    const q = { path: 'blocks.9.fc', weight: 'kernel', format: 'uniform' as const, bits: 8, scales: new Float32Array([1]), zeroPoints: new Uint16Array([128]) };
    expect(thrown(() => exportOnnx(model, { quantized: [q] })).message).toMatch(/blocks\.9\.fc\.kernel, which this model does not have/);
    model.dispose();
  });

  it('a missing runtime package is named, with how to install it', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'onnxruntime-node'"));
    await expect(loadOnnxRuntime('node', missing)).rejects.toThrow(/optional peer dependency 'onnxruntime-node'.*pnpm add onnxruntime-node.*--onnxruntime-node-install=skip/);
    await expect(loadOnnxRuntime('web', missing)).rejects.toMatchObject({ code: 'runtime-missing' });
    await expect(loadOnnxRuntime('nope' as 'node')).rejects.toThrow(/flavor must be 'node' or 'web'/);
    expect(typeof (await loadOnnxRuntime('node')).InferenceSession.create).toBe('function');
  });
});
