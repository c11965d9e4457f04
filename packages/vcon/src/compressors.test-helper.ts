/*
 * Tiny compressors for vcon's own tests (the real ones live in @acn/prune, @acn/quant and
 * @acn/lowrank, which this package never imports). Not exported from the package.
 */
import { initBackend, tf, type Compressor, type DenseLayer, type Forward, type HookFilter, type LayerHook, type Tensor } from '@acn/core';

export async function useWasm(): Promise<void> {
  const info = await initBackend('wasm');
  if (info.name !== 'wasm') throw new Error(`expected wasm, got ${info.name}`);
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape mismatch ${JSON.stringify(a.shape)} vs ${JSON.stringify(b.shape)}`);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = d.dataSync()[0];
  d.dispose();
  return v;
}

/** Identity straight-through wrapper: value f(w), gradient dy (the authors' STE). */
export function ste(f: (w: Tensor) => Tensor): (w: Tensor) => Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as Tensor;
    return { value: f(w), gradFunc: (dy: Tensor) => [dy] };
  });
  return (w) => op(w);
}

/** Binary scaled sign with one per-tensor α = mean|W| (vcon.md §2.4), sign(0) = 0. */
export const signValue = (w: Tensor): Tensor => tf.tidy(() => tf.mul(tf.sign(w), tf.mean(tf.abs(w))));

/** Layer-wise magnitude mask keeping round(n·(1 − ratio)) entries, ties kept (vcon.md §2.1). */
export function maskValue(w: Tensor, ratio: number): Tensor {
  return tf.tidy(() => {
    const a = tf.abs(w);
    const kept = Math.max(1, Math.round(w.size * (1 - ratio)));
    const thr = tf.min(tf.topk(a.flatten(), kept).values);
    return tf.mul(w, tf.cast(tf.greaterEqual(a, thr), 'float32'));
  });
}

export function signCompressor(filter: HookFilter = { kind: 'dense' }): Compressor {
  return {
    name: 'test:sign',
    filter,
    prepare: () => ({ compress: ste(signValue), cost: (c) => ({ ...c, bytes: c.params / 8 }) }),
  };
}

export function maskCompressor(ratio: number, filter: HookFilter = { kind: 'dense' }): Compressor {
  return {
    name: `test:mask(${ratio})`,
    filter,
    prepare: () => ({
      compress: ste((w) => maskValue(w, ratio)),
      cost: (c) => ({ ...c, nonZeroParams: Math.round(c.nonZeroParams * (1 - ratio)), bytes: c.bytes * (1 - ratio) * 2 }),
    }),
  };
}

/** C(W) = W/2 with its plain autodiff gradient (½·dy), to tell the two gradient modes apart. */
export function halveCompressor(filter: HookFilter = { kind: 'dense' }): Compressor {
  return { name: 'test:halve', filter, prepare: () => ({ compress: (w) => tf.mul(w, 0.5), cost: (c) => ({ ...c, bytes: c.bytes / 2 }) }) };
}

/**
 * A forward-form compressor like low rank: g(x) = (x A) B + b with trainable A = K[:, :r] and
 * B = I[:r, :] padded, so that B·A keeps the first r input rows of the kernel. `bake` factorizes.
 */
export function factorCompressor(r: number, calls: { g: number } = { g: 0 }, filter: HookFilter = { kind: 'dense' }): Compressor {
  return {
    name: `test:factor(${r})`,
    filter,
    prepare: (layer, ctx) => {
      const k = layer.weights.kernel; // [in, out]
      const [inDim, outDim] = k.shape;
      const a = ctx.addWeight('test.a', tf.tidy(() => tf.concat([tf.eye(r), tf.zeros([inDim - r, r])], 0))); // [in, r]
      const b = ctx.addWeight('test.b', tf.tidy(() => tf.slice(k, [0, 0], [r, outDim]))); // [r, out]
      const forward: Forward = (x) => {
        calls.g += 1;
        return tf.tidy(() => {
          const y = tf.matMul(tf.matMul(x.reshape([-1, inDim]), a), b);
          const out = layer.weights.bias ? tf.add(y, layer.weights.bias) : y;
          return out.reshape([...x.shape.slice(0, -1), outDim]);
        });
      };
      return {
        forward,
        cost: (c) => ({ ...c, params: r * (inDim + outDim), nonZeroParams: r * (inDim + outDim), flops: c.flops * 0.25, bytes: 4 * r * (inDim + outDim) }),
        bake: () => (layer as unknown as DenseLayer).factorize(a, b),
      };
    },
  };
}

/** A hook that counts calls of every matched layer's own forward (attach it first: innermost). */
export function callCounter(filter: HookFilter): { hook: LayerHook; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    hook: {
      name: 'test:count-calls',
      filter,
      wrapForward: (next, layer) => (x, ctx) => {
        calls.set(layer.path, (calls.get(layer.path) ?? 0) + 1);
        return next(x, ctx);
      },
      bake: () => {},
    },
  };
}
