import type { EmitContext } from '../emit-context';

/**
 * Image `[B, H, W, C]` -> patches `[B, N, p·p·C]` with rows ordered (row-in-patch, col-in-patch,
 * channel), as the Mixer / ViT embeddings do with reshape/transpose.
 */
export function emitPatches(cx: EmitContext, x: string, [h, w, c]: readonly [number, number, number], p: number): string {
  const g = cx.g;
  const gh = h / p;
  const gw = w / p;
  const six = g.node('Reshape', [x, g.constI64([-1, gh, p, gw, p, c])]);
  const t = g.node('Transpose', [six], { perm: [0, 1, 3, 2, 4, 5] });
  return g.node('Reshape', [t, g.constI64([-1, gh * gw, p * p * c])]);
}

/** A learned `[1, 1, D]` token repeated over the batch of `like` (`[B, ...]`) and prepended to `tokens` `[B, N, D]`. */
export function emitPrependToken(cx: EmitContext, token: string, like: string, tokens: string, d: number): string {
  const g = cx.g;
  const batch = g.node('Slice', [g.node('Shape', [like]), g.constI64([0]), g.constI64([1])]); // [1]
  const shape = g.node('Concat', [batch, g.constI64([1, d])], { axis: 0 });
  return g.node('Concat', [g.node('Expand', [token, shape]), tokens], { axis: 1 }); // [B, N+1, D]
}

/** `[B, T, D]` -> `[B, D]`: the first token (`cls`) or the mean over tokens. */
export function emitPool(cx: EmitContext, y: string, pooling: 'cls' | 'mean'): string {
  const g = cx.g;
  if (pooling === 'cls') return g.node('Gather', [y, g.constI64([0], [])], { axis: 1 });
  return g.node('ReduceMean', [y, g.constI64([1])], { keepdims: 0 });
}
