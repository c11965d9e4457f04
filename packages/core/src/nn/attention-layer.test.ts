import { beforeAll, describe, expect, it } from 'vitest';
import { HookHost } from '../hooks/host';
import type { ForwardContext } from '../hooks/types';
import { finiteDifferenceCheck } from '../ops/grad-check.test-helper';
import { Rng } from '../random';
import { leakedTensors, maxAbsDiff, useWasm } from '../testing/helpers';
import { tf, type Tensor } from '../tf';
import { attentionCore, MASKED_SCORE, MultiHeadAttention, type MultiHeadAttentionOptions } from './attention-layer';

const ctx = (attentionMask?: Tensor): ForwardContext => ({ training: false, step: 0, detachInputs: false, attentionMask });
const make = (dim: number, heads: number, extra: Partial<MultiHeadAttentionOptions> = {}, fused = true) =>
  new MultiHeadAttention('attn', dim, heads, { depth: 0, fused, rng: new Rng(3), ...extra });

type Mat = number[][];
const matmul = (a: Mat, b: Mat): Mat => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const affine = (x: Mat, kernel: Mat, bias: number[]): Mat => matmul(x, kernel).map((r) => r.map((v, j) => v + bias[j]));
const toMat = (t: Tensor): Mat => t.arraySync() as Mat;

/**
 * Direct reference in plain JS: per sample, per head, explicit loops over queries and keys,
 * following the PyTorch layout (head h = columns [h·dh, (h+1)·dh)).
 */
function referenceAttention(
  x: number[][][],
  w: Record<string, Mat | number[]>,
  heads: number,
  opts: { mask?: number[][]; scaleAfterSoftmax?: boolean; outputNorm?: boolean; eps?: number } = {},
): number[][][] {
  return x.map((xb, b) => {
    const q = affine(xb, w['q.kernel'] as Mat, w['q.bias'] as number[]);
    const k = affine(xb, w['k.kernel'] as Mat, w['k.bias'] as number[]);
    const v = affine(xb, w['v.kernel'] as Mat, w['v.bias'] as number[]);
    const t = xb.length;
    const d = xb[0].length;
    const dh = d / heads;
    const scale = 1 / Math.sqrt(dh);
    const o: Mat = Array.from({ length: t }, () => new Array(d).fill(0));
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < t; i++) {
        const scores: number[] = [];
        for (let j = 0; j < t; j++) {
          let s = 0;
          for (let c = h * dh; c < (h + 1) * dh; c++) s += q[i][c] * k[j][c];
          if (!opts.scaleAfterSoftmax) s *= scale;
          scores.push(opts.mask && opts.mask[b][j] === 0 ? MASKED_SCORE : s);
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, c) => a + c, 0);
        const a = e.map((v2) => (v2 / z) * (opts.scaleAfterSoftmax ? scale : 1));
        for (let c = h * dh; c < (h + 1) * dh; c++) o[i][c] = a.reduce((s, aj, j) => s + aj * v[j][c], 0);
      }
    }
    let y = affine(o, w['out.kernel'] as Mat, w['out.bias'] as number[]);
    if (opts.outputNorm) {
      const g = w['norm.gamma'] as number[];
      const be = w['norm.beta'] as number[];
      y = y.map((r) => {
        const mean = r.reduce((a, c) => a + c, 0) / r.length;
        const variance = r.reduce((a, c) => a + (c - mean) ** 2, 0) / r.length;
        return r.map((c, j) => ((c - mean) / Math.sqrt(variance + (opts.eps ?? 1e-5))) * g[j] + be[j]);
      });
    }
    return y;
  });
}

function weightsOf(layer: MultiHeadAttention): Record<string, Mat | number[]> {
  const out: Record<string, Mat | number[]> = {};
  for (const l of layer.walk()) {
    for (const [n, v] of Object.entries(l.weights)) out[`${l.path.slice('attn.'.length)}.${n}`] = v.arraySync() as Mat | number[];
  }
  return out;
}

/**
 * Plain-op reference with explicit per-sample, per-head loops (slices and 2-D matmuls), for
 * autodiff gradient comparisons.
 */
function loopAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, mask?: Tensor): Tensor {
  const [b, t, d] = q.shape as [number, number, number];
  const dh = d / heads;
  const rows: Tensor[] = [];
  for (let s = 0; s < b; s++) {
    const cols: Tensor[] = [];
    for (let h = 0; h < heads; h++) {
      const part = (x: Tensor) => tf.reshape(tf.slice(x, [s, 0, h * dh], [1, t, dh]), [t, dh]);
      let scores = tf.mul(tf.matMul(part(q), part(k), false, true), 1 / Math.sqrt(dh)); // [T, T]
      if (mask) {
        const keep = tf.reshape(tf.slice(mask, [s, 0], [1, t]), [1, t]);
        scores = tf.add(tf.mul(scores, keep), tf.mul(tf.sub(1, keep), MASKED_SCORE));
      }
      cols.push(tf.matMul(tf.softmax(scores), part(v))); // [T, dh]
    }
    rows.push(tf.concat(cols, 1));
  }
  return tf.stack(rows); // [B, T, D]
}

describe('MultiHeadAttention', () => {
  beforeAll(useWasm);

  it('has hookable q/k/v/out dense children, numHeads, headDim, PyTorch init and the expected parameter count', () => {
    const a = make(8, 2);
    expect(a.kind).toBe('attention');
    expect(a.numHeads).toBe(2);
    expect(a.headDim).toBe(4);
    expect(a.children.map((c) => [c.path, c.kind])).toEqual([
      ['attn.q', 'dense'],
      ['attn.k', 'dense'],
      ['attn.v', 'dense'],
      ['attn.out', 'dense'],
    ]);
    const params = [...a.walk()].reduce((s, l) => s + Object.values(l.weights).reduce((t, w) => t + w.size, 0), 0);
    expect(params).toBe(4 * (8 * 8 + 8));
    const k = a.q.weights.kernel.dataSync() as Float32Array;
    expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
    a.dispose();
    const n = make(8, 2, { outputNorm: true, layerNormEps: 1e-12 });
    expect(n.norm?.path).toBe('attn.norm');
    expect(n.norm?.eps).toBe(1e-12);
    expect(n.children.map((c) => c.kind)).toEqual(['dense', 'dense', 'dense', 'dense', 'norm']);
    n.dispose();
    const nb = make(8, 2, { bias: false });
    expect('bias' in nb.q.weights).toBe(false);
    nb.dispose();
  });

  it.each([
    { name: 'standard scaling', opts: {} },
    { name: 'scale after softmax (repo quirk)', opts: { scaleAfterSoftmax: true } },
    { name: 'output LayerNorm (AC-ViT quirk)', opts: { outputNorm: true } },
  ])('matches a per-head loop reference in plain JS: $name', ({ opts }) => {
    const a = make(6, 3, opts);
    const x = tf.randomNormal([2, 4, 6], 0, 1, 'float32', 11);
    const y = a.apply(x, ctx());
    const ref = referenceAttention(x.arraySync() as number[][][], weightsOf(a), 3, opts);
    const diff = maxAbsDiff(y, tf.tensor3d(ref));
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    a.dispose();
  });

  it('matches the reference with a padding mask; masked keys get exactly zero weight', () => {
    const a = make(4, 2);
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 12);
    const maskArr = [
      [1, 1, 1, 0, 0],
      [1, 0, 1, 1, 1],
    ];
    const mask = tf.tensor2d(maskArr);
    const y = a.apply(x, ctx(mask));
    const ref = referenceAttention(x.arraySync() as number[][][], weightsOf(a), 2, { mask: maskArr });
    expect(maxAbsDiff(y, tf.tensor3d(ref))).toBeLessThan(1e-5);
    // Changing padded positions changes nothing at the real positions' outputs (their keys are masked).
    const x2 = tf.tidy(() => {
      const noise = tf.randomNormal([2, 5, 4], 0, 10, 'float32', 13);
      const padded = tf.sub(1, mask).reshape([2, 5, 1]);
      return tf.add(x, tf.mul(noise, padded));
    });
    const y2 = a.apply(x2, ctx(mask));
    const real = (t: Tensor) => tf.mul(t, mask.reshape([2, 5, 1]));
    expect(maxAbsDiff(real(y), real(y2))).toBeLessThan(1e-5);
    tf.dispose([x, x2, y, y2, mask]);
    a.dispose();
  });

  it('a fully padded sample attends uniformly to all of its own positions (finite, no NaN)', () => {
    const q = tf.randomNormal([2, 3, 4], 0, 3, 'float32', 1);
    const k = tf.randomNormal([2, 3, 4], 0, 3, 'float32', 2);
    const v = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 3);
    const mask = tf.tensor2d([
      [0, 0, 0],
      [1, 1, 0],
    ]);
    for (const scaleAfterSoftmax of [false, true]) {
      const o = attentionCore(q, k, v, 2, { mask, scaleAfterSoftmax });
      const first = tf.slice(o, [0, 0, 0], [1, 3, 4]);
      const uniform = tf.tidy(() => tf.tile(tf.mean(tf.slice(v, [0, 0, 0], [1, 3, 4]), 1, true), [1, 3, 1]).mul(scaleAfterSoftmax ? 1 / Math.sqrt(2) : 1));
      expect(maxAbsDiff(first, uniform)).toBeLessThan(1e-6);
      expect((o.dataSync() as Float32Array).every(Number.isFinite)).toBe(true);
      tf.dispose([o, first, uniform]);
    }
    // Gradients stay finite through a fully masked row.
    const g = tf.grads((a: Tensor, b: Tensor, c: Tensor) => tf.sum(attentionCore(a, b, c, 2, { mask })))([q, k, v]);
    for (const t of g) expect((t.dataSync() as Float32Array).every(Number.isFinite)).toBe(true);
    tf.dispose([q, k, v, mask, ...g]);
  });

  it('gradient of the core matches central finite differences (q, k and v)', () => {
    const base = [tf.randomNormal([1, 3, 4], 0, 1, 'float32', 21), tf.randomNormal([1, 3, 4], 0, 1, 'float32', 22), tf.randomNormal([1, 3, 4], 0, 1, 'float32', 23)];
    const mask = tf.tensor2d([[1, 1, 0]]);
    for (let which = 0; which < 3; which++) {
      const f = (x: Tensor) => {
        const args = base.map((b, i) => (i === which ? x : b));
        return attentionCore(args[0], args[1], args[2], 2, { mask });
      };
      const { numeric, analytic } = finiteDifferenceCheck(f, base[which], 1e-2);
      numeric.forEach((n, i) => expect(Math.abs(n - analytic[i])).toBeLessThan(2e-3));
    }
    tf.dispose([...base, mask]);
  });

  it('layer gradients (input and every weight) equal plain autodiff of a per-head loop, fused and unfused', () => {
    const x = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 31);
    const mask = tf.tensor2d([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]);
    const r = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 32);
    for (const fused of [true, false]) {
      const a = make(8, 2, {}, fused);
      const vars = [...a.walk()].flatMap((l) => Object.values(l.weights));
      const ours = tf.variableGrads(() => tf.sum(tf.mul(a.apply(x, ctx(mask)), r)) as tf.Scalar, vars);
      const plain = (l: MultiHeadAttention, w: (p: string) => Tensor) => {
        const proj = (p: string) => tf.add(tf.matMul(tf.reshape(x, [8, 8]), w(`${p}.kernel`)), w(`${p}.bias`)).reshape([2, 4, 8]);
        const o = loopAttention(proj('q'), proj('k'), proj('v'), l.numHeads, mask);
        return tf.add(tf.matMul(tf.reshape(o, [8, 8]), w('out.kernel')), w('out.bias')).reshape([2, 4, 8]);
      };
      const byName: Record<string, tf.Variable> = {};
      for (const l of a.walk()) for (const [n, v] of Object.entries(l.weights)) byName[`${l.path.slice(5)}.${n}`] = v;
      const theirs = tf.variableGrads(() => tf.sum(tf.mul(plain(a, (p) => byName[p]), r)) as tf.Scalar, vars);
      expect(Math.abs(ours.value.dataSync()[0] - theirs.value.dataSync()[0])).toBeLessThan(1e-4);
      for (const v of vars) expect(maxAbsDiff(ours.grads[v.name], theirs.grads[v.name])).toBeLessThan(1e-5);
      // dL/dx as well.
      const gx = tf.grad((xi: Tensor) => tf.sum(tf.mul(a.apply(xi, ctx(mask)), r)))(x);
      const gxRef = tf.grad((xi: Tensor) => {
        const proj = (p: string) => tf.add(tf.matMul(tf.reshape(xi, [8, 8]), byName[`${p}.kernel`]), byName[`${p}.bias`]).reshape([2, 4, 8]);
        const o = loopAttention(proj('q'), proj('k'), proj('v'), 2, mask);
        return tf.sum(tf.mul(tf.add(tf.matMul(tf.reshape(o, [8, 8]), byName['out.kernel']), byName['out.bias']).reshape([2, 4, 8]), r));
      })(x);
      expect(maxAbsDiff(gx, gxRef)).toBeLessThan(1e-5);
      tf.dispose([ours.value, theirs.value, gx, gxRef, ...Object.values(ours.grads), ...Object.values(theirs.grads)]);
      a.dispose();
    }
    tf.dispose([x, mask, r]);
  });

  it('children are hookable by path (a parametrization on attn.v.kernel changes the output)', () => {
    const a = make(4, 2);
    const host = new HookHost(() => [...a.walk()]);
    const x = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 41);
    const before = a.apply(x, ctx());
    const handle = host.attach({ name: 'test:zero-v', filter: { path: /^attn\.v$/ }, parametrize: { kernel: (w) => tf.zerosLike(w), bias: (b) => tf.zerosLike(b) } });
    const after = a.apply(x, ctx());
    // v ≡ 0 → attention output 0 → the layer returns the out projection's bias on every token.
    const bias = tf.tidy(() => tf.tile(a.out.weights.bias.reshape([1, 1, 4]), [1, 3, 1]));
    expect(maxAbsDiff(after, bias)).toBeLessThan(1e-6);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    handle.dispose();
    tf.dispose([x, before, after, bias]);
    a.dispose();
  });

  it('rejects bad configurations, inputs and masks with the layer path and the shapes', () => {
    expect(() => make(6, 4)).toThrow(/layer attn: numHeads \(4\) must be a positive integer dividing the width \(6\)/);
    expect(() => make(6, 0)).toThrow(/numHeads \(0\)/);
    const a = make(4, 2);
    const x2 = tf.zeros([2, 4]);
    const xw = tf.zeros([2, 3, 5]);
    const x = tf.zeros([2, 3, 4]);
    const badMask = tf.ones([2, 4]);
    expect(() => a.apply(x2, ctx())).toThrow(/layer attn: expected input \[B, T, 4\], got \[2,4\]/);
    expect(() => a.apply(xw, ctx())).toThrow(/expected input \[B, T, 4\], got \[2,3,5\]/);
    expect(() => a.apply(x, ctx(badMask))).toThrow(/layer attn: ctx.attentionMask must be \[B, T\] = \[2, 3\].*got \[2,4\]/);
    expect(() => attentionCore(x, x, x, 3)).toThrow(/numHeads 3 must be a positive integer dividing D = 4/);
    tf.dispose([x2, xw, x, badMask]);
    a.dispose();
  });

  it('leaves no tensors behind (forward and gradients)', async () => {
    const a = make(8, 4, { outputNorm: true, scaleAfterSoftmax: true });
    const x = tf.randomNormal([3, 5, 8], 0, 1, 'float32', 51);
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    const vars = [...a.walk()].flatMap((l) => Object.values(l.weights));
    a.apply(x, ctx(mask)).dispose(); // warm-up (kernel setup)
    const leaked = await leakedTensors(() => {
      tf.tidy(() => a.apply(x, ctx(mask))).dispose();
      const { value, grads } = tf.variableGrads(() => tf.sum(a.apply(x, { ...ctx(mask), training: true })) as tf.Scalar, vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(leaked).toBe(0);
    tf.dispose([x, mask]);
    a.dispose();
  });
});
