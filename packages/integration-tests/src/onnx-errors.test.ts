import { compressorHook, createMlp, initBackend } from '@acn/core';
import { exportOnnx, OnnxError } from '@acn/onnx';
import { uniformQuantizer } from '@acn/quant';
import { beforeAll, describe, expect, it } from 'vitest';

// @acn/onnx refuses a model that still carries a real plugin's hook (the other bad-input cases,
// which need core only, are in packages/onnx/src/errors.test.ts).
beforeAll(async () => {
  await initBackend('wasm');
});

describe('exportOnnx: bad input gets a clear error naming the layer and hook', () => {
  it('an un-baked hook', () => {
    const model = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 1 });
    model.hooks.attach(compressorHook(uniformQuantizer({ bits: 8 })));
    let e: unknown;
    try {
      exportOnnx(model);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(OnnxError);
    // compressorHook wraps the forward but can bake: it is "un-baked", not "no ONNX form".
    expect(e).toMatchObject({ code: 'unbaked-hook', path: 'embedding.proj', hook: 'acn:quant/uniform' });
    expect((e as OnnxError).message).toMatch(/layer embedding\.proj: hook 'acn:quant\/uniform' is still attached; bake it/);
    model.dispose();
  });
});
