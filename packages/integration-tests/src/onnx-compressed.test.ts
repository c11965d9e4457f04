import { compressorHook, initBackend, tf, truncate, type BlockModel } from '@acn/core';
import { factorizeModel } from '@acn/lowrank';
import { magnitudePruning, removeNeurons } from '@acn/prune';
import { binaryQuantizer, exportQuantized, ternaryQuantizer, uniformQuantizer } from '@acn/quant';
import { decodeModelProto, exportOnnx, loadOnnxRuntime, type OrtModule, type QuantForms } from '@acn/onnx';
import { EXACT_QDQ, maxDiff, runOrt, tfForward, tinyModelZoo, transformerZoo, zooBatch, type ZooEntry } from '@acn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

// Every baked compressed form of the real plugins (quant, lowrank, prune) exported by @acn/onnx
// and run on onnxruntime-node against the tfjs forward. Plugins may not depend on each other, so
// these tests live here rather than in packages/onnx.

const FP32_TOL = 1e-4;
/**
 * `DynamicQuantizeMatMul` (and `DequantizeLinear` + `MatMul`, which ORT's default "extended"
 * optimizations fuse into the same int8 kernel) quantizes each activation tensor to uint8 at run time (step
 * s = range/255), so each dense output moves by up to ‖w‖₁·s/2; on these tiny models the logits
 * move by a few percent of their scale. Bound: 5% of max|logit| (+ 0.02). Exact-weight forms
 * (MatMulNBits; QDQ at graphOptimizationLevel 'basic') stay at the fp32 tolerance.
 */
const DYNAMIC_REL_TOL = 0.05;

let ort: OrtModule;

beforeAll(async () => {
  await initBackend('wasm');
  ort = await loadOnnxRuntime('node');
});

const zoo: ZooEntry[] = [...tinyModelZoo(['acn', 'residual']), ...transformerZoo(['acn'])];

function bake(model: BlockModel, make: () => Parameters<typeof compressorHook>[0]): void {
  model.hooks.attach(compressorHook(make()));
  model.hooks.bakeAll();
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

const forms: Array<{ label: string; make: () => Parameters<typeof compressorHook>[0]; forms: QuantForms; op: string; exact: boolean }> = [
  { label: 'int8 symmetric/channel, DynamicQuantizeMatMul', make: () => uniformQuantizer({ bits: 8 }), forms: {}, op: 'DynamicQuantizeMatMul', exact: false },
  { label: 'int8 asymmetric/layer, DynamicQuantizeMatMul', make: () => uniformQuantizer({ bits: 8, scheme: 'asymmetric', granularity: 'layer' }), forms: {}, op: 'DynamicQuantizeMatMul', exact: false },
  { label: 'int8 symmetric, QDQ', make: () => uniformQuantizer({ bits: 8 }), forms: { int8: 'qdq' }, op: 'DequantizeLinear', exact: true },
  { label: '4-bit symmetric, MatMulNBits', make: () => uniformQuantizer({ bits: 4 }), forms: {}, op: 'MatMulNBits', exact: true },
  { label: '4-bit asymmetric, MatMulNBits with zero points', make: () => uniformQuantizer({ bits: 4, scheme: 'asymmetric' }), forms: {}, op: 'MatMulNBits', exact: true },
  { label: '3-bit asymmetric, MatMulNBits', make: () => uniformQuantizer({ bits: 3, scheme: 'asymmetric', granularity: 'layer' }), forms: {}, op: 'MatMulNBits', exact: true },
  { label: '6-bit, QDQ uint8', make: () => uniformQuantizer({ bits: 6 }), forms: {}, op: 'DequantizeLinear', exact: true },
  { label: '4-bit, QDQ fallback', make: () => uniformQuantizer({ bits: 4 }), forms: { lowBit: 'qdq' }, op: 'DequantizeLinear', exact: true },
  { label: 'binary (layer α), 2-bit MatMulNBits', make: () => binaryQuantizer({ scale: 'layer' }), forms: {}, op: 'MatMulNBits', exact: true },
  { label: 'binary (channel α), 2-bit MatMulNBits', make: () => binaryQuantizer({ scale: 'channel' }), forms: {}, op: 'MatMulNBits', exact: true },
  { label: 'ternary, 2-bit MatMulNBits', make: () => ternaryQuantizer(), forms: {}, op: 'MatMulNBits', exact: true },
];

describe('exportOnnx: quantized forms on onnxruntime-node', () => {
  for (const f of forms) {
    for (const entry of zoo) {
      it(`${f.label}: ${entry.name}`, async () => {
        const model = entry.create();
        const x = zooBatch(entry);
        bake(model, f.make);
        const quantized = exportQuantized(model).weights;
        const ex = exportOnnx(model, { quantized, forms: f.forms, probes: true });
        const ops = decodeModelProto(ex.bytes).graph.node.map((n) => n.op_type);
        expect(ops).toContain(f.op);
        const ours = tfForward(model, x);
        const got = await runOrt(ort, ex.bytes, x, f.op === 'DequantizeLinear' ? EXACT_QDQ : {});
        const tol = f.exact ? FP32_TOL : DYNAMIC_REL_TOL * maxAbs(ours.logits) + 0.02;
        expect(maxDiff(got.logits, ours.logits)).toBeLessThan(tol);
        for (let k = 0; k <= model.depth; k++) expect(maxDiff(got[`probe_${k}`], ours.probes[k]), `probe ${k}`).toBeLessThan(f.exact ? FP32_TOL : DYNAMIC_REL_TOL * maxAbs(ours.probes[k]) + 0.02);
        // Honest bytes: quantized kernels are stored in fewer bytes than float32.
        const q = ex.weights.filter((w) => w.form !== 'fp32');
        expect(q.length).toBe(quantized.filter((w) => !w.path.startsWith('mlm.')).length);
        expect(q.reduce((s, w) => s + w.bytes, 0)).toBeLessThan(q.reduce((s, w) => s + 4 * w.params, 0));
        x.dispose();
        model.dispose();
      });
    }
  }

  it('4-bit codes take about half a byte per weight, binary a quarter (2-bit codes, the smallest ORT runs)', () => {
    const sizes = (make: () => Parameters<typeof compressorHook>[0]) => {
      const model = tinyModelZoo(['acn'])[0].create();
      bake(model, make);
      const ex = exportOnnx(model, { quantized: exportQuantized(model).weights });
      model.dispose();
      const q = ex.weights.filter((w) => w.form !== 'fp32');
      return q.reduce((s, w) => s + w.bytes, 0) / q.reduce((s, w) => s + w.params, 0);
    };
    const nbits4 = sizes(() => uniformQuantizer({ bits: 4 }));
    const binary = sizes(() => binaryQuantizer());
    expect(binary).toBeLessThan(nbits4);
    expect(nbits4).toBeLessThan(1);
  });

  it('a kernel changed after bake is refused, naming the weight', () => {
    const model = tinyModelZoo(['acn'])[0].create();
    bake(model, () => uniformQuantizer({ bits: 8 }));
    const quantized = exportQuantized(model).weights;
    const v = model.namedWeights()[`${quantized[0].path}.kernel`];
    tf.tidy(() => v.assign(v.add(1e-3)));
    expect(() => exportOnnx(model, { quantized })).toThrow(new RegExp(`quantized weight ${quantized[0].path.replace(/\./g, '\\.')}\\.kernel.*not a 8-bit code`));
    model.dispose();
  });
});

describe('exportOnnx: structural compression on onnxruntime-node', () => {
  it('low-rank factorized layers export as two MatMuls and match', async () => {
    for (const entry of zoo) {
      const model = entry.create();
      const x = zooBatch(entry);
      factorizeModel(model, { rank: 2, filter: { path: /^blocks\..*(fc1|fc2|fc)$/ } });
      const ex = exportOnnx(model);
      const names = decodeModelProto(ex.bytes).graph.initializer.map((i) => i.name);
      expect(names.some((n) => n.endsWith('.kernelA')), entry.name).toBe(true);
      const got = await runOrt(ort, ex.bytes, x);
      expect(maxDiff(got.logits, tfForward(model, x).logits), entry.name).toBeLessThan(FP32_TOL);
      x.dispose();
      model.dispose();
    }
  });

  it('truncated + low-rank + int8 compose', async () => {
    const entry = zoo[0];
    const model = entry.create();
    const x = zooBatch(entry);
    const small = truncate(model, 2);
    factorizeModel(small, { rank: 2, filter: { path: /channelMlp\.fc1$/ } });
    bake(small, () => uniformQuantizer({ bits: 8, filter: { path: /channelMlp\.fc2$/ } }));
    const ex = exportOnnx(small, { quantized: exportQuantized(small).weights, forms: { int8: 'qdq' } });
    const got = await runOrt(ort, ex.bytes, x, EXACT_QDQ);
    expect(maxDiff(got.logits, tfForward(small, x).logits)).toBeLessThan(FP32_TOL);
    x.dispose();
    model.dispose();
    small.dispose();
  });

  it('resized (removeNeurons) layers export with their new width and match', async () => {
    const entry = zoo[0];
    const model = entry.create();
    const x = zooBatch(entry);
    const r = removeNeurons(model, 'blocks.0.channelMlp.fc1', 'blocks.0.channelMlp.fc2', { keep: Array.from({ length: 16 }, (_, i) => 2 * i) });
    expect(r.hiddenDim).toBe(16);
    const ex = exportOnnx(model);
    const init = decodeModelProto(ex.bytes).graph.initializer.find((i) => i.name === 'blocks.0.channelMlp.fc1.kernel')!;
    expect(init.dims).toEqual([16, 16]);
    const got = await runOrt(ort, ex.bytes, x);
    expect(maxDiff(got.logits, tfForward(model, x).logits)).toBeLessThan(FP32_TOL);
    x.dispose();
    model.dispose();
  });

  it('unstructured sparsity is exported dense with its zeros and sparse size reported', async () => {
    const entry = zoo[0];
    const model = entry.create();
    const x = zooBatch(entry);
    bake(model, () => magnitudePruning({ sparsity: 0.9 }));
    const ex = exportOnnx(model);
    expect(ex.sizes.zeros).toBeGreaterThan(0.5 * ex.sizes.params);
    expect(ex.sizes.sparseBytes).toBeLessThan(ex.sizes.weightBytes);
    const got = await runOrt(ort, ex.bytes, x);
    expect(maxDiff(got.logits, tfForward(model, x).logits)).toBeLessThan(FP32_TOL);
    x.dispose();
    model.dispose();
  });
});
