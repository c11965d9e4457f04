import * as core from '@acn/core';
import { describe, expect, it } from 'vitest';
import * as metrics from './index';

describe('cost and latency re-exports', () => {
  it('are the very functions of @acn/core (one implementation, old imports keep working)', () => {
    const names = [
      'DEFAULT_KIND_FLOPS',
      'GELU_FLOPS_PER_ELEMENT',
      'LAYER_NORM_FLOPS_PER_ELEMENT',
      'SOFTMAX_FLOPS_PER_ELEMENT',
      'attentionFlops',
      'checkpointBytes',
      'compareCost',
      'denseFlops',
      'elements',
      'measureLatency',
      'mlpFlops',
      'modelCost',
      'modelLatency',
      'normFlops',
    ] as const;
    for (const n of names) {
      expect(metrics[n], n).toBeDefined();
      expect(metrics[n], n).toBe(core[n]);
    }
  });
});
