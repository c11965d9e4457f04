/**
 * Dense layers in ONNX: `x K + b` as `MatMul` + `Add` (fp32), two `MatMul`s for a low-rank
 * factorized layer (`x A B + b`), and the quantized kernel forms (see `QuantForms`). Resized
 * layers (`removeNeurons`) need nothing special: shapes come from the stored weights.
 */
import { DenseLayer, type Layer } from '@acn/core';
import type { EmitContext } from './emit-context';
import { OnnxError } from './errors';
import { kernelCodes, uniformBits, type KernelCodes } from './quant-info';

const MS = 'com.microsoft';

/** Checks that `layer` is a core `DenseLayer` (the only dense implementation the exporter knows). */
export function asDense(layer: Layer): DenseLayer {
  if (!(layer instanceof DenseLayer)) throw new OnnxError('unsupported-layer', `layer ${layer.path} is a ${layer.constructor.name} (kind ${layer.kind}); only @acn/core DenseLayer has an ONNX form here`, layer.path);
  return layer;
}

/**
 * `x · layer + bias` for a dense layer in whatever form it is stored: `[.., in] -> [.., out]`.
 *
 * @example
 * ```ts
 * const y = emitDense(cx, x, model.layer('blocks.0.fc'));
 * ```
 */
export function emitDense(cx: EmitContext, x: string, layer: Layer): string {
  const d = asDense(layer);
  const bias = d.hasBias ? cx.floatWeight(d, 'bias').name : undefined;
  if (d.rank === undefined) return matmulWeight(cx, x, d, 'kernel', bias);
  return matmulWeight(cx, matmulWeight(cx, x, d, 'kernelA'), d, 'kernelB', bias); // [.., in] -> [.., r] -> [.., out]
}

/** `x · W (+ bias)` for the 2-D weight `name` of `layer`, fp32 or in its quantized form. */
function matmulWeight(cx: EmitContext, x: string, layer: DenseLayer, name: string, bias?: string): string {
  const path = `${layer.path}.${name}`;
  const q = cx.quant.get(path);
  const g = cx.g;
  if (!q) {
    const w = cx.floatWeight(layer, name).name;
    const y = g.node('MatMul', [x, w]);
    return bias ? g.node('Add', [y, bias]) : y;
  }
  const v = cx.variable(layer, name);
  const shape = v.shape as [number, number];
  const bits = q.format === 'uniform' ? uniformBits(q) : 2;
  const w: QuantWeight = { path, shape, bits, read: () => Float32Array.from(v.dataSync() as Float32Array), codes: (values) => kernelCodes(q, values, shape) };
  if (bits === 8 && q.format === 'uniform') return cx.forms.int8 === 'dynamic' ? int8Dynamic(cx, x, w, bias) : qdq(cx, x, w, bias, 'int8-qdq');
  if (bits <= 4 && cx.forms.lowBit === 'matmulnbits') return matMulNBits(cx, x, w, bias);
  if (bits <= 8) return qdq(cx, x, w, bias, 'qdq-uint8');
  throw new OnnxError('no-onnx-form', `weight ${path}: ${bits}-bit codes have no ONNX form here (at most 8 bits)`, layer.path);
}

/** A quantized kernel `[K, N]`: its float values and their codes, computed on first write only. */
interface QuantWeight {
  readonly path: string;
  readonly shape: [number, number];
  /** Bits per code (2 for binary / ternary). */
  readonly bits: number;
  read(): Float32Array;
  codes(values: Float32Array): KernelCodes;
}

/** Codes as ONNX wants them for 8-bit: int8 `u − 128` with zero point 0 when symmetric (the fast s8 path), else uint8 with zero points. */
function int8Codes(c: KernelCodes): { data: Int8Array | Uint8Array; zp: Int8Array | Uint8Array } {
  if (c.symmetric) return { data: Int8Array.from(c.codes, (u) => u - 128), zp: new Int8Array(c.scales.length) };
  return { data: Uint8Array.from(c.codes), zp: Uint8Array.from(c.zeroPoints) };
}

/**
 * com.microsoft `DynamicQuantizeMatMul`: int8 weights `[K, N]` with per-column scales; the
 * activations are quantized to uint8 per tensor at run time (ORT's int8 GEMM), so outputs differ
 * from the float forward by the activation rounding (bound in the README).
 */
function int8Dynamic(cx: EmitContext, x: string, w: QuantWeight, bias?: string): string {
  const g = cx.g;
  const [k, n] = w.shape;
  const { inits } = cx.once(w.path, 'int8-dynamic', w.read, (values) => {
    const c = w.codes(values);
    const { data, zp } = int8Codes(c);
    return { inits: [g.init(`${w.path}.q8`, data, [k, n]), g.init(`${w.path}.q8.scale`, c.scales, [n]), g.init(`${w.path}.q8.zero_point`, zp, [n])] };
  });
  return g.node('DynamicQuantizeMatMul', [x, ...inits, bias ?? ''], {}, MS);
}

/** `DequantizeLinear` (per column, axis 1) + `MatMul`: the portable form, exact weights. */
function qdq(cx: EmitContext, x: string, w: QuantWeight, bias: string | undefined, form: string): string {
  const g = cx.g;
  const [k, n] = w.shape;
  const { inits } = cx.once(w.path, form, w.read, (values) => {
    const c = w.codes(values);
    const { data, zp } = c.bits === 8 ? int8Codes(c) : { data: Uint8Array.from(c.codes), zp: Uint8Array.from(c.zeroPoints) };
    return { inits: [g.init(`${w.path}.q`, data, [k, n]), g.init(`${w.path}.q.scale`, c.scales, [n]), g.init(`${w.path}.q.zero_point`, zp, [n])] };
  });
  const y = g.node('MatMul', [x, g.node('DequantizeLinear', inits, { axis: 1 })]);
  return bias ? g.node('Add', [y, bias]) : y;
}

/** Bytes of a MatMulNBits encoding of a `[k, n]` kernel with `bits` at `block`. */
function nbitsBytes(k: number, n: number, bits: number, block: number, zp: boolean): number {
  const blocks = Math.ceil(k / block);
  return n * blocks * ((block * bits) / 8) + 4 * n * blocks + (zp ? n * Math.ceil((blocks * bits) / 8) : 0);
}

/**
 * com.microsoft `MatMulNBits`: codes packed `bits` per weight (low bits first) in blocks of the
 * transposed kernel `[N, blocks, blockBytes]`, a scale per (column, block), zero points packed the
 * same way (omitted when every one is the default 2^(bits−1)). Binary and ternary kernels use
 * 2-bit codes 1, 2, 3 (−α, 0, +α): 1-bit weights have no ONNX Runtime kernel. Our scales are per
 * column (or per layer), so any block size is exact; the one with the fewest bytes is used.
 */
function matMulNBits(cx: EmitContext, x: string, w: QuantWeight, bias?: string): string {
  const g = cx.g;
  const [k, n] = w.shape;
  const { inits, attrs } = cx.once(w.path, `nbits-${w.bits <= 2 ? 2 : 4}`, w.read, (values) => {
    const c = w.codes(values);
    const bits = c.bits <= 2 ? 2 : 4;
    const half = 2 ** (bits - 1);
    const defaultZp = c.zeroPoints.every((z) => z === half);
    const block = [16, 32, 64, 128].reduce((best, b) => (nbitsBytes(k, n, bits, b, !defaultZp) < nbitsBytes(k, n, bits, best, !defaultZp) ? b : best), 16);
    const blocks = Math.ceil(k / block);
    const blob = (block * bits) / 8;
    const perByte = 8 / bits;
    const packed = new Uint8Array(n * blocks * blob);
    for (let col = 0; col < n; col++) {
      for (let kk = 0; kk < blocks * block; kk++) {
        // Padding rows (k..blocks·block) hold the zero point: they dequantize to 0.
        const u = kk < k ? c.codes[kk * n + col] : c.zeroPoints[col];
        packed[col * blocks * blob + Math.floor(kk / perByte)] |= u << ((kk % perByte) * bits);
      }
    }
    const scales = new Float32Array(n * blocks);
    for (let col = 0; col < n; col++) scales.fill(c.scales[col], col * blocks, (col + 1) * blocks);
    const names = [g.init(`${w.path}.nbits`, packed, [n, blocks, blob]), g.init(`${w.path}.nbits.scale`, scales, [n * blocks])];
    if (!defaultZp) {
      const zpRow = Math.ceil((blocks * bits) / 8);
      const zps = new Uint8Array(n * zpRow);
      for (let col = 0; col < n; col++) for (let b = 0; b < blocks; b++) zps[col * zpRow + Math.floor(b / perByte)] |= c.zeroPoints[col] << ((b % perByte) * bits);
      names.push(g.init(`${w.path}.nbits.zero_point`, zps, [n * zpRow]));
    }
    return { inits: names, attrs: { K: k, N: n, bits, block_size: block } };
  });
  const y = g.node('MatMulNBits', [x, ...inits], attrs, MS);
  return bias ? g.node('Add', [y, bias]) : y;
}
