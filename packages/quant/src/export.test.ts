import { compressorHook, createMlp, tf, type BlockModel, type Compressor } from '@acn/core';
import { modelCost } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryQuantizer } from './binary';
import { unpackKernel } from './codec';
import { quantizedBytes } from './cost';
import { exportQuantized, loadQuantized } from './export';
import { deserializeQuantized, serializeQuantized } from './serialize';
import { ternaryQuantizer } from './ternary';
import { uniformQuantizer } from './uniform';
import { sameValues, useWasm, values } from './test-helpers';

const config = { inputShape: [6], numClasses: 3, depth: 2, hiddenDim: 8, seed: 11 };
const only = (path: string) => ({ kind: 'dense' as const, path: new RegExp(`^${path.replace(/\./g, '\\.')}$`) });

/** One quantizer of every format on the four dense layers of the MLP. */
function attachAll(model: BlockModel) {
  const plan: Array<[string, Compressor]> = [
    ['embedding.proj', uniformQuantizer({ bits: 8, scheme: 'symmetric', granularity: 'channel', filter: only('embedding.proj') })],
    ['blocks.0.fc', binaryQuantizer({ scale: 'layer', filter: only('blocks.0.fc') })],
    ['blocks.1.fc', uniformQuantizer({ bits: 4, scheme: 'asymmetric', granularity: 'channel', filter: only('blocks.1.fc') })],
    ['head.fc', ternaryQuantizer({ threshold: 'twn', filter: only('head.fc') })],
  ];
  return plan.map(([path, c]) => ({ path, handle: model.hooks.attach(compressorHook(c)) }));
}

const effective = (model: BlockModel, path: string): number[] => {
  const t = tf.tidy(() => model.layer(path).w('kernel'));
  const v = values(t);
  t.dispose();
  return v;
};

describe('exportQuantized / loadQuantized', () => {
  beforeAll(useWasm);

  it('exports attached quantizers: exact effective weights, model order, byte totals that match modelCost', () => {
    const m = createMlp(config);
    const before = tf.memory().numTensors;
    const handles = attachAll(m);
    const exp = exportQuantized(m);
    expect(exp.weights.map((w) => `${w.path}.${w.weight}:${w.format}`)).toEqual([
      'embedding.proj.kernel:uniform',
      'blocks.0.fc.kernel:binary',
      'blocks.1.fc.kernel:uniform',
      'head.fc.kernel:ternary',
    ]);
    for (const w of exp.weights) expect(sameValues(unpackKernel(w), effective(m, w.path)), w.path).toBe(true);
    // [6, 8] int8 per channel: 48 + 32; [8, 8] binary: 8 + 4; [8, 8] 4-bit asym per channel: 32 + 32 + 8; [8, 3] ternary: 6 + 4.
    expect(exp.weights.map((w) => w.bytes)).toEqual([80, 12, 72, 10]);
    expect(exp.totalBytes).toBe(174);
    expect(quantizedBytes({ format: 'binary', scale: 'layer' }, [8, 8])).toBe(12);
    // modelCost: each quantized layer = its bias in float32 + the packed kernel; everything else unchanged.
    const cost = modelCost(m);
    const byPath = new Map(cost.layers.map((l) => [l.path, l]));
    expect(byPath.get('blocks.0.fc')!.bytes).toBe(8 * 4 + 12);
    expect(byPath.get('head.fc')!.bytes).toBe(3 * 4 + 10);
    expect(byPath.get('blocks.0.fc')!.params).toBe(72);
    const dense = m.paramCount() * 4;
    const kernels = (6 * 8 + 8 * 8 + 8 * 8 + 8 * 3) * 4;
    expect(cost.total.bytes).toBe(dense - kernels + exp.totalBytes);
    handles.forEach((h) => h.handle.dispose());
    expect(exportQuantized(m).weights).toHaveLength(0); // disposed unbaked: nothing quantized any more
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('bake → export → serialize → load into a fresh model reproduces weights and predictions exactly', () => {
    const m = createMlp(config);
    const x = tf.randomUniform([5, 6], 0, 1, 'float32', 3);
    const handles = attachAll(m);
    const attachedExport = serializeQuantized(exportQuantized(m));
    const attachedOut = m.predict(x);
    handles.forEach((h) => h.handle.bake());
    expect(m.hooks.attached).toHaveLength(0);
    const before = tf.memory().numTensors;
    const baked = exportQuantized(m);
    const bytes = serializeQuantized(baked);
    expect(Array.from(bytes)).toEqual(Array.from(attachedExport)); // baked values encode to the same bytes
    expect(bytes.length).toBeGreaterThan(baked.totalBytes);
    expect(bytes.length).toBeLessThan(baked.totalBytes + 2000); // the JSON header is small
    expect(tf.memory().numTensors).toBe(before);

    const fresh = createMlp({ ...config, seed: 99 }); // different kernels; biases are copied below
    for (const [name, v] of Object.entries(fresh.namedWeights())) if (!name.endsWith('.kernel')) tf.tidy(() => v.assign(m.namedWeights()[name]));
    const loaded = loadQuantized(fresh, bytes);
    expect(loaded).toEqual(['embedding.proj.kernel', 'blocks.0.fc.kernel', 'blocks.1.fc.kernel', 'head.fc.kernel']);
    for (const w of baked.weights) expect(sameValues(values(fresh.layer(w.path).weights.kernel), values(m.layer(w.path).weights.kernel))).toBe(true);
    const a = m.predict(x);
    const b = fresh.predict(x);
    expect(values(b)).toEqual(values(a));
    expect(values(a)).toEqual(values(attachedOut));
    // The loaded layers are registered as baked: exporting again gives identical bytes.
    expect(Array.from(serializeQuantized(exportQuantized(fresh)))).toEqual(Array.from(bytes));
    tf.dispose([x, attachedOut, a, b]);
    m.dispose();
    fresh.dispose();
  });

  it('refuses to export weights changed after bake, and to load into mismatching or hooked models', () => {
    const m = createMlp(config);
    attachAll(m).forEach((h) => h.handle.bake());
    const exp = exportQuantized(m);
    const k = m.layer('blocks.1.fc').weights.kernel;
    tf.tidy(() => k.assign(k.add(1e-3)));
    expect(() => exportQuantized(m)).toThrow(/exportQuantized: blocks\.1\.fc\.kernel \(acn:quant\/uniform\): value .* at \[0, 0\] of the \[8, 8\] kernel is not representable/);

    const wide = createMlp({ ...config, hiddenDim: 16 });
    expect(() => loadQuantized(wide, exp)).toThrow(/loadQuantized: embedding\.proj\.kernel: exported shape \[6, 8\] does not match the model's \[6, 16\]/);
    const hooked = createMlp(config);
    const h = hooked.hooks.attach(compressorHook(binaryQuantizer({ filter: only('head.fc') })));
    const kernelBefore = values(hooked.layer('embedding.proj').weights.kernel);
    expect(() => loadQuantized(hooked, exp)).toThrow(/head\.fc\.kernel: hooks acn:quant\/binary parametrize this weight/);
    expect(values(hooked.layer('embedding.proj').weights.kernel)).toEqual(kernelBefore); // validated before writing anything
    h.dispose();
    const other = createMlp({ ...config, depth: 1 });
    expect(() => loadQuantized(other, exp)).toThrow(/the model has no layer at path 'blocks\.1\.fc'/);

    const bytes = serializeQuantized(exp);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => deserializeQuantized(bad)).toThrow(/not an ACNQ file/);
    expect(() => deserializeQuantized(bytes.slice(0, bytes.length - 3))).toThrow(/corrupted or was modified/);
    [m, wide, hooked, other].forEach((model) => model.dispose());
  });

  it('a baked kernel trained further can be re-quantized by attaching a new quantizer (the registry follows)', () => {
    const m = createMlp(config);
    m.hooks.attach(compressorHook(binaryQuantizer({ filter: only('blocks.0.fc') }))).bake();
    const k = m.layer('blocks.0.fc').weights.kernel;
    tf.tidy(() => k.assign(k.mul(tf.randomUniform(k.shape, 0.5, 1.5, 'float32', 1))));
    const h = m.hooks.attach(compressorHook(uniformQuantizer({ bits: 8, filter: only('blocks.0.fc') })));
    const exp = exportQuantized(m);
    expect(exp.weights.map((w) => w.format)).toEqual(['uniform']);
    h.dispose();
    // Back to the stale baked binary record: the modified kernel is no longer binary.
    expect(() => exportQuantized(m)).toThrow(/blocks\.0\.fc\.kernel \(acn:quant\/binary\).*not representable/);
    m.dispose();
  });
});
