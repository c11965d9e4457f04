import { compressorHook, createMlp } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryQuantizer } from './binary';
import { quantCost, quantizedBytes } from './cost';
import { ternaryQuantizer } from './ternary';
import { uniformQuantizer } from './uniform';
import { useWasm } from './test-helpers';

describe('cost', () => {
  beforeAll(useWasm);

  it('bytes per format: 1-bit + α, 2-bit + α, k-bit + scales (+ zero points)', () => {
    const s = [64, 32] as const; // 2048 weights
    expect(quantizedBytes({ format: 'binary', scale: 'layer' }, s)).toBe(256 + 4);
    expect(quantizedBytes({ format: 'binary', scale: 'channel' }, s)).toBe(256 + 128);
    expect(quantizedBytes({ format: 'binary', scale: 'none' }, s)).toBe(256 + 4);
    expect(quantizedBytes({ format: 'binary', scale: 'layer' }, s, true)).toBe(512 + 4);
    expect(quantizedBytes({ format: 'ternary' }, s)).toBe(512 + 4);
    expect(quantizedBytes({ format: 'uniform', bits: 8, scheme: 'symmetric', granularity: 'layer' }, s)).toBe(2048 + 4);
    expect(quantizedBytes({ format: 'uniform', bits: 8, scheme: 'asymmetric', granularity: 'channel' }, s)).toBe(2048 + 128 + 32);
    expect(quantizedBytes({ format: 'uniform', bits: 3, scheme: 'asymmetric', granularity: 'layer' }, s)).toBe(768 + 4 + 1);
    expect(quantizedBytes({ format: 'uniform', bits: 12, scheme: 'asymmetric', granularity: 'channel' }, s)).toBe(3072 + 128 + 64);
    expect(quantizedBytes({ format: 'binary', scale: 'layer' }, [3, 3])).toBe(2 + 4); // partial last byte
  });

  it("replaces only the kernel's share of the bytes; params, non-zeros and FLOPs pass through", () => {
    const base = { params: 72, nonZeroParams: 70, flops: 136, bytes: 288 };
    expect(quantCost(base, 64, 12)).toEqual({ params: 72, nonZeroParams: 70, flops: 136, bytes: 32 + 12 });
    // modelCost with bytesPerParam = 2: the kernel's share is 64·2.
    expect(quantCost({ ...base, bytes: 144 }, 64, 12).bytes).toBe(16 + 12);
  });

  it('each quantizer reports its cost through the hook, before any forward', () => {
    const m = createMlp({ inputShape: [6], numClasses: 3, depth: 1, hiddenDim: 8, seed: 1 });
    const layer = m.layer('blocks.0.fc');
    const base = { params: 72, nonZeroParams: 72, flops: 136, bytes: 288 };
    const cases = [
      [binaryQuantizer(), 8 + 4],
      [binaryQuantizer({ scale: 'channel' }), 8 + 32],
      [ternaryQuantizer(), 16 + 4],
      [uniformQuantizer({ bits: 8, scheme: 'symmetric', granularity: 'channel' }), 64 + 32],
      [uniformQuantizer({ bits: 8, scheme: 'asymmetric', granularity: 'layer' }), 64 + 4 + 1],
    ] as const;
    for (const [c, kernelBytes] of cases) {
      const h = m.hooks.attach(compressorHook(c));
      expect(h.hook.cost!(layer, base), c.name).toEqual({ ...base, bytes: 32 + kernelBytes });
      h.dispose();
    }
    m.dispose();
  });
});
