import type { LayerInfo } from '../index';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KIND_FLOPS, SOFTMAX_FLOPS_PER_ELEMENT, attentionFlops, denseFlops, elements, type KindFlopsInput } from './kind-flops';

function input(layer: Partial<LayerInfo> & { numHeads?: number }, calls: KindFlopsInput['calls'], includeElementwise = false): KindFlopsInput {
  const l = { path: 'x', kind: 'dense', depth: 0, weights: {}, children: [], ...layer } as unknown as KindFlopsInput['layer'];
  return { layer: l, calls, callsOf: () => [], batch: 1, includeElementwise };
}

describe('kind FLOP functions', () => {
  it('dense: 2·rows·in·out, plus rows·out with a bias, summed over calls', () => {
    const noBias = input({ weights: { kernel: {} as never } }, [{ input: [1, 3, 6], output: [1, 3, 8] }]);
    expect(denseFlops(noBias)).toBe(2 * 3 * 6 * 8); // 288
    const withBias = input({ weights: { kernel: {} as never, bias: {} as never } }, [
      { input: [1, 3, 6], output: [1, 3, 8] },
      { input: [1, 6], output: [1, 8] }, // a second call of a shared layer
    ]);
    expect(denseFlops(withBias)).toBe(288 + 3 * 8 + (2 * 6 * 8 + 8));
  });

  it('attention: 4·T²·D for QKᵀ and AV; softmax and scaling per head with elementwise ops', () => {
    const calls = [{ input: [1, 5, 8], output: [1, 5, 8] }];
    expect(attentionFlops(input({ kind: 'attention' }, calls))).toBe(4 * 25 * 8); // 800
    expect(attentionFlops(input({ kind: 'attention', numHeads: 2 }, calls, true))).toBe(800 + 2 * 25 * (1 + SOFTMAX_FLOPS_PER_ELEMENT));
    expect(DEFAULT_KIND_FLOPS.attention).toBe(attentionFlops);
  });

  it('elements of a shape', () => {
    expect(elements([1, 5, 8])).toBe(40);
    expect(elements([])).toBe(1);
  });
});
