/**
 * ONNX forms of the shared `@acn/core` layers: LayerNorm (opset 17 `LayerNormalization`, biased
 * variance like ours), exact erf GELU (opset 20 `Gelu`, `approximate = none`), the two-layer MLP,
 * MLP-Mixer token mixing and multi-head self-attention (plain MatMul / Softmax, the same math as
 * `attentionCore`, padding mask included).
 */
import { LayerNormLayer, MASKED_SCORE, MlpLayer, MultiHeadAttention, TokenMixingLayer, type Layer } from '@acn/core';
import { emitDense } from './dense';
import type { EmitContext } from './emit-context';
import { OnnxError } from './errors';

/** Throws `unsupported-layer` unless `layer` is an instance of `cls`. */
export function expectLayer<T extends Layer>(layer: Layer | undefined, cls: abstract new (...args: never[]) => T, what: string): T {
  if (!(layer instanceof cls)) {
    const path = layer?.path ?? '?';
    throw new OnnxError('unsupported-layer', `layer ${path} is a ${layer?.constructor.name ?? 'missing layer'}; the exporter expected ${what}`, path);
  }
  return layer;
}

/** LayerNorm over the last axis. */
export function emitLayerNorm(cx: EmitContext, x: string, layer: Layer): string {
  const ln = expectLayer(layer, LayerNormLayer, 'a LayerNormLayer');
  const gamma = cx.floatWeight(ln, 'gamma').name;
  const beta = cx.floatWeight(ln, 'beta').name;
  return cx.g.node('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: { f: ln.eps } });
}

/** Exact (erf) GELU, as `gelu` / `geluFused` in core. */
export function emitGelu(cx: EmitContext, x: string): string {
  return cx.g.node('Gelu', [x], { approximate: 'none' });
}

/** `fc2(gelu(fc1(x)))` of an `MlpLayer`. */
export function emitMlp(cx: EmitContext, x: string, layer: Layer): string {
  const mlp = expectLayer(layer, MlpLayer, 'an MlpLayer (dense → GELU → dense)');
  return emitDense(cx, emitGelu(cx, emitDense(cx, x, mlp.fc1)), mlp.fc2);
}

/** Token mixing: the MLP over the token axis, `[B, T, D] -> [B, D, T] -> mlp -> [B, T, D]`. */
export function emitTokenMix(cx: EmitContext, x: string, layer: Layer): string {
  const tm = expectLayer(layer, TokenMixingLayer, 'a TokenMixingLayer');
  const g = cx.g;
  const t = g.node('Transpose', [x], { perm: [0, 2, 1] });
  return g.node('Transpose', [emitMlp(cx, t, tm.mlp)], { perm: [0, 2, 1] });
}

/**
 * Multi-head self-attention `[B, T, D] -> [B, T, D]` (`MultiHeadAttention`), with the key padding
 * mask `keep` (`[B, T]` float, 1 = token) when given: masked scores become exactly `MASKED_SCORE`.
 */
export function emitAttention(cx: EmitContext, x: string, layer: Layer, keep?: string): string {
  const mha = expectLayer(layer, MultiHeadAttention, 'a MultiHeadAttention');
  const g = cx.g;
  const h = mha.numHeads;
  const dh = mha.headDim;
  // [B, T, D] -> [B, T, H, dh] -> [B, H, T, dh]; Reshape's 0 copies B and T (T may be dynamic).
  const heads = (v: string) => g.node('Transpose', [g.node('Reshape', [v, g.constI64([0, 0, h, dh])])], { perm: [0, 2, 1, 3] });
  const scale = g.constF([1 / Math.sqrt(dh)]);
  const q = emitDense(cx, x, mha.q);
  const k = emitDense(cx, x, mha.k);
  const v = emitDense(cx, x, mha.v);
  const qh = heads(mha.scaleAfterSoftmax ? q : g.node('Mul', [q, scale]));
  const kt = g.node('Transpose', [g.node('Reshape', [k, g.constI64([0, 0, h, dh])])], { perm: [0, 2, 3, 1] }); // [B, H, dh, T]
  let scores = g.node('MatMul', [qh, kt]); // [B, H, Tq, Tk]
  if (keep) {
    const keep4 = g.node('Unsqueeze', [keep, g.constI64([1, 2])]); // [B, 1, 1, Tk]
    const masked = g.node('Mul', [g.node('Sub', [g.constF([1]), keep4]), g.constF([MASKED_SCORE])]);
    scores = g.node('Add', [g.node('Mul', [scores, keep4]), masked]);
  }
  let weights = g.node('Softmax', [scores], { axis: -1 });
  if (mha.scaleAfterSoftmax) weights = g.node('Mul', [weights, scale]);
  const o = g.node('MatMul', [weights, heads(v)]); // [B, H, T, dh]
  const merged = g.node('Reshape', [g.node('Transpose', [o], { perm: [0, 2, 1, 3] }), g.constI64([0, 0, h * dh])]);
  const y = emitDense(cx, merged, mha.out);
  return mha.norm ? emitLayerNorm(cx, y, mha.norm) : y;
}
