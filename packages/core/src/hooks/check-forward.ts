import type { Tensor } from '../tf';
import { HookError } from './errors';
import type { Forward, ForwardContext, LayerHook, LayerInfo } from './types';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * Builds one forward-wrapper level (`wrap(next)`) whose output shape is checked on every call:
 * against what `next` returned when the wrapper called it (free), else against `expected` (the
 * layer's own output shape for that input, for wrappers that replace the forward). A mismatch
 * throws a `HookError` naming the hook, the layer and both shapes: wrappers must preserve the
 * output shape (the block loop, probes and costs rely on it), and a wrong shape would otherwise
 * surface far away (a broadcast in the running sum, or a matmul error in the head).
 *
 * @example
 * ```ts
 * f = checkedForward(hook, layer, f, (next) => hook.wrapForward!(next, layer), (x, c) => ownShape(x, c));
 * ```
 */
export function checkedForward(
  hook: LayerHook,
  layer: LayerInfo,
  next: Forward,
  wrap: (next: Forward) => Forward,
  expected: (x: Tensor, ctx: ForwardContext) => readonly number[],
): Forward {
  let inner: readonly number[] | undefined;
  const wrapped = wrap((x, ctx) => {
    const y = next(x, ctx);
    inner = y.shape;
    return y;
  });
  return (x, ctx) => {
    inner = undefined;
    const y = wrapped(x, ctx);
    const want = inner ?? expected(x, ctx);
    if (!y || !Array.isArray(y.shape) || !sameShape(y.shape, want)) {
      throw new HookError(
        `hook '${hook.name}': wrapForward on ${layer.path} (${layer.kind}) returned ${y && Array.isArray(y.shape) ? JSON.stringify(y.shape) : String(y)} for input ${JSON.stringify(x.shape)}, but the layer gives ${JSON.stringify(want)}; forward wrappers must preserve the output shape`,
        hook.name,
        layer.path,
      );
    }
    return y;
  };
}
