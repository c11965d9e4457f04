import { createMixer, createMlp, initBackend, tf, truncate, type LayerHook } from '../index';
import { beforeAll, describe, expect, it } from 'vitest';
import { GELU_FLOPS_PER_ELEMENT, LAYER_NORM_FLOPS_PER_ELEMENT } from './kind-flops';
import { modelCost } from './model-cost';

const tinyMixer = () => createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 3, seed: 1 });

describe('modelCost', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('MLP: dense FLOPs and params by hand', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, headNorm: false });
    const c = modelCost(m);
    const embedding = 2 * 6 * 8 + 8; // [1, 6] -> [1, 8]: matmul + bias = 104
    const block = 2 * 8 * 8 + 8; // [1, 8] -> [1, 8] = 136
    const head = 2 * 8 * 3 + 3; // [1, 8] -> [1, 3] = 51
    expect(c.total.flops).toBe(embedding + 2 * block + head); // 427
    expect(c.blocks.map((b) => b.flops)).toEqual([block, block]);
    expect(c.layers.find((l) => l.path === 'embedding.proj')!.flops).toBe(embedding);
    expect(c.layers.find((l) => l.path === 'head.fc')).toMatchObject({ kind: 'dense', depth: -1, flops: head, params: 8 * 3 + 3 });
    expect(c.blocks[1]).toEqual({ index: 1, params: 72, nonZeroParams: 72, flops: block, bytes: 72 * 4 });
    expect(c.total.params).toBe(m.paramCount());
    expect(c.total.bytes).toBe(4 * m.paramCount());
    // The MLP's GELU lives in the block's own forward (not a layer), so it is never counted, and
    // there is no norm: elementwise counting adds nothing here (documented exclusion).
    expect(modelCost(m, { includeElementwise: true }).total.flops).toBe(427);
    // bytesPerParam scales bytes only.
    expect(modelCost(m, { bytesPerParam: 2 }).total.bytes).toBe(2 * m.paramCount());
    m.dispose();
  });

  it('a factorized dense layer costs 2·r·(in + out) per row', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, headNorm: false });
    const fc = m.layer('blocks.0.fc') as unknown as { factorize(a: tf.Tensor, b: tf.Tensor): void };
    tf.tidy(() => fc.factorize(tf.ones([8, 2]), tf.ones([2, 8])));
    const c = modelCost(m);
    expect(c.blocks[0].flops).toBe(2 * 2 * (8 + 8) + 8); // 72 instead of 136
    expect(c.blocks[0].params).toBe(8 * 2 + 2 * 8 + 8);
    m.dispose();
  });

  it('Mixer: FLOPs, params and non-zeros by hand', () => {
    const m = tinyMixer();
    // N = (8/4)² = 4 patches of 4·4·1 = 16 values, D = 8, T = N + 1 (CLS) = 5, S = 4, D_C = 16.
    const patch = 2 * 4 * 16 * 8 + 4 * 8; // rows 4 (patches, CLS is concatenated after): 1024 + 32 = 1056
    const tokFc1 = 2 * 8 * 5 * 4 + 8 * 4; // on [1, D, T]: rows D = 8, in T = 5, out S = 4: 320 + 32 = 352
    const tokFc2 = 2 * 8 * 4 * 5 + 8 * 5; // rows 8, in 4, out 5: 320 + 40 = 360
    const chFc1 = 2 * 5 * 8 * 16 + 5 * 16; // on [1, T, D]: rows T = 5, in 8, out 16: 1280 + 80 = 1360
    const chFc2 = 2 * 5 * 16 * 8 + 5 * 8; // rows 5, in 16, out 8: 1280 + 40 = 1320
    const block = tokFc1 + tokFc2 + chFc1 + chFc2; // 3392
    const head = 2 * 1 * 8 * 4 + 4; // CLS token only: 68
    const c = modelCost(m);
    expect(c.total.flops).toBe(11300);
    expect(c.total.flops).toBe(patch + 3 * block + head);
    expect(c.blocks.map((b) => b.flops)).toEqual([block, block, block]);
    expect(c.layers.find((l) => l.path === 'blocks.2.tokenMix.mlp.fc1')!.flops).toBe(tokFc1);
    expect(c.layers.find((l) => l.path === 'blocks.0.tokenMix')!.flops).toBe(0); // transposes are free

    // Elementwise: LayerNorm 7/element on [1, 5, 8] = 40 elements; GELU 5/element on the hidden
    // activations: token MLP [1, 8, 4] = 32, channel MLP [1, 5, 16] = 80.
    const norm = 7 * 40; // 280
    const blockEw = 2 * norm + 5 * 32 + 5 * 80; // norm1 + norm2 + 160 + 400 = 1120
    expect(LAYER_NORM_FLOPS_PER_ELEMENT).toBe(7);
    expect(GELU_FLOPS_PER_ELEMENT).toBe(5);
    const e = modelCost(m, { includeElementwise: true });
    expect(e.total.flops).toBe(11300 + 3 * blockEw + norm); // + head.norm = 14940
    expect(e.blocks[0].flops).toBe(block + blockEw);

    // Params: patch 16·8+8 = 136, CLS 8; block: 2 norms 2·16, token fc 5·4+4 + 4·5+5 = 49,
    // channel fc 8·16+16 + 16·8+8 = 280 → 361; head: norm 16, fc 8·4+4 = 36.
    expect(c.total.params).toBe(144 + 3 * 361 + 52);
    expect(c.total.params).toBe(m.paramCount());
    expect(c.blocks[0].params).toBe(361);
    // LayerNorm betas start at zero: 7 norms × 8 zeros.
    expect(c.total.nonZeroParams).toBe(c.total.params - 7 * 8);
    expect(c.layers.find((l) => l.path === 'head.norm')).toMatchObject({ params: 16, nonZeroParams: 8 });
    // Every layer is listed, and block totals are the sums of their layers.
    expect(c.layers.map((l) => l.path)).toEqual(m.layers().map((l) => l.path));
    const sum = c.layers.filter((l) => l.depth === 1).reduce((s, l) => s + l.flops, 0);
    expect(c.blocks[1].flops).toBe(sum);
    m.dispose();
  });

  it('applies hook cost functions in attach order, and the cost returns after dispose', () => {
    const m = tinyMixer();
    const base = modelCost(m);
    const halve: LayerHook = { name: 'test/halve', filter: { kind: 'dense' }, cost: (_l, c) => ({ ...c, nonZeroParams: c.nonZeroParams / 2 }) };
    const h = m.hooks.attach(halve);
    const c = modelCost(m);
    const denseNonZero = base.layers.filter((l) => l.kind === 'dense').reduce((s, l) => s + l.nonZeroParams, 0);
    expect(c.total.nonZeroParams).toBe(base.total.nonZeroParams - denseNonZero / 2);
    expect(c.total.params).toBe(base.total.params);
    expect(c.total.flops).toBe(base.total.flops);
    for (const [i, l] of c.layers.entries()) {
      expect(l.nonZeroParams).toBe(l.kind === 'dense' ? base.layers[i].nonZeroParams / 2 : base.layers[i].nonZeroParams);
    }

    // Order: int8 (bytes / 4) then a fixed 10-byte scale: (4·n)/4 + 10 = n + 10; the other order gives (4n + 10)/4.
    const int8: LayerHook = { name: 'test/int8', filter: { kind: 'dense' }, cost: (_l, c) => ({ ...c, bytes: c.bytes / 4 }) };
    const scale: LayerHook = { name: 'test/scale', filter: { path: /^head\.fc$/ }, cost: (_l, c) => ({ ...c, bytes: c.bytes + 10 }) };
    const h2 = m.hooks.attach(int8);
    const h3 = m.hooks.attach(scale);
    const head = modelCost(m).layers.find((l) => l.path === 'head.fc')!;
    expect(head.bytes).toBe(36 + 10);
    h3.dispose();
    h2.dispose();

    h.dispose();
    expect(modelCost(m)).toEqual(base);
    m.dispose();
  });

  it('rejects a hook cost that is not a finite non-negative number, naming hook and layer', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8 });
    const h = m.hooks.attach({ name: 'test/bad', filter: { path: /^blocks\.1\.fc$/ }, cost: (_l, c) => ({ ...c, flops: -1 }) });
    expect(() => modelCost(m)).toThrow(/test\/bad.*flops=-1.*blocks\.1\.fc/);
    h.dispose();
    m.dispose();
  });

  it('a truncated model costs less, block for block', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 4, hiddenDim: 8, headNorm: false });
    const small = truncate(m, 2);
    const full = modelCost(m);
    const cut = modelCost(small);
    expect(full.total.flops).toBe(104 + 4 * 136 + 51); // 699
    expect(cut.total.flops).toBe(104 + 2 * 136 + 51); // 427
    expect(cut.total.params).toBeLessThan(full.total.params);
    expect(cut.blocks).toEqual(full.blocks.slice(0, 2));
    small.dispose();
    m.dispose();
  });

  it('leaks no tensors and leaves no hook behind (also with a custom input)', () => {
    const m = tinyMixer();
    modelCost(m); // warm-up (backend kernels, lazily created constants)
    const before = tf.memory().numTensors;
    modelCost(m, { includeElementwise: true });
    const x = tf.zeros([2, 8, 8, 1]);
    const c2 = modelCost(m, { input: x });
    expect(x.isDisposed).toBe(false); // the caller's input stays alive
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(m.hooks.attached).toHaveLength(0);
    expect(m.layers().every((l) => l.bindings.length === 0)).toBe(true);
    // A batch of 2 still gives per-sample numbers.
    expect(c2.total.flops).toBe(11300);
    m.dispose();
  });
});
