import { denseFlops, modelCost, tf, truncate, type BlockModel, type LayerCall, type LayerHook } from '@acn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BranchExits } from './branches';
import { branchFlops, exitCost, flopsSpeedup } from './cost';
import { earlyExitForward } from './exit-forward';
import { sharedExits, type ExitHeads } from './exits';
import { batchOf, mixingTau, quadrantDataset, tinyMixer, trainedWithBranches, useWasm } from './fixtures.test-helper';
import { entropyPolicy } from './policy';

const data = quadrantDataset(192, 4);
let model: BlockModel;
let branches: BranchExits;

beforeAll(async () => {
  await useWasm();
  model = tinyMixer('acn');
  branches = await trainedWithBranches(model, data, 3);
});

afterAll(() => {
  branches.dispose();
  model.dispose();
});

/** Runs `fn` with a hook that records every dense call (shapes with the real batch) and returns the FLOPs they did, counted like @acn/core's modelCost. */
function tracedDenseFlops(m: BlockModel, fn: () => void): number {
  const calls: { layer: Parameters<typeof denseFlops>[0]['layer']; call: LayerCall }[] = [];
  const trace: LayerHook = {
    name: 'test:trace-dense',
    filter: { kind: 'dense' },
    wrapForward: (next, layer) => (x, ctx) => {
      const y = next(x, ctx);
      calls.push({ layer: layer as never, call: { input: [...x.shape], output: [...y.shape] } });
      return y;
    },
  };
  const handle = m.hooks.attach(trace);
  try {
    fn();
  } finally {
    handle.dispose();
  }
  return calls.reduce((s, c) => s + denseFlops({ layer: c.layer, calls: [c.call], callsOf: () => [], batch: 1, includeElementwise: false }), 0);
}

describe('exitCost', () => {
  it('splits modelCost into embedding, blocks and exit heads; flopsAt is a truncated model plus the extra heads', () => {
    const cost = exitCost(sharedExits(model));
    const mc = modelCost(model);
    expect(cost.full).toBe(mc.total.flops);
    expect(cost.blocks).toEqual(mc.blocks.map((b) => b.flops));
    const head = cost.exitHeads[0];
    expect(cost.exitHeads).toEqual(new Array(5).fill(head));
    expect(cost.embedding + cost.blocks.reduce((a, b) => a + b, 0) + head).toBe(cost.full);
    for (let k = 1; k <= model.depth; k++) {
      const small = truncate(model, k);
      // Exiting after k blocks: the k-block model's FLOPs + k extra head evaluations (exits 0..k−1).
      expect(cost.flopsAt(k)).toBe(modelCost(small).total.flops + k * head);
      // With minLayer 2 the exits after 0 and 1 blocks are not evaluated.
      if (k >= 2) expect(cost.flopsAt(k, 2)).toBe(modelCost(small).total.flops + (k - 2) * head);
      else expect(() => cost.flopsAt(k, 2)).toThrow('exitCost.flopsAt: exit 1 (after 1 blocks) is below minLayer 2; no sample stops there');
      small.dispose();
    }
    expect(cost.flopsAt(0)).toBe(cost.embedding + head);
    expect(() => cost.flopsAt(5)).toThrow(/exit index 5 is out of range \[0, 4\]/);
  });

  it('branch heads cost 2·d·2d + 2d + 2·2d·C + C (dense multiply-adds and biases)', () => {
    expect(branchFlops(branches, 0)).toBe(2 * 16 * 32 + 32 + 2 * 32 * 4 + 4);
    expect(branchFlops(branches, 0, { includeElementwise: true })).toBe(2 * 16 * 32 + 32 + 5 * 32 + 2 * 32 * 4 + 4);
    const cost = exitCost(branches);
    expect(cost.exitHeads).toEqual([1316, 1316, 1316, cost.full - cost.embedding - cost.blocks.reduce((a, b) => a + b, 0)]);
    // Exit after 2 blocks (branch 1): embedding + 2 blocks + branches 0 and 1.
    expect(cost.flopsAt(1)).toBe(cost.embedding + cost.blocks[0] + cost.blocks[1] + 2 * 1316);
  });

  it.each(['shared', 'branches'] as const)('%s: the FLOPs an exited batch really executes equal the sum of the per-sample figures', (kind) => {
    const exits: ExitHeads = kind === 'shared' ? sharedExits(model) : branches;
    const { x } = batchOf(data, 24);
    const policy = entropyPolicy({ tau: mixingTau(model, x, exits, 1), minLayer: 1 });
    const cost = exitCost(exits);
    let result: ReturnType<typeof earlyExitForward> | undefined;
    const traced = tracedDenseFlops(model, () => {
      result = earlyExitForward(model, x, { exits, policy });
    });
    const idx = Array.from(result!.exitIndices);
    expect(new Set(idx).size).toBeGreaterThan(1);
    // Branch heads are not layers (the trace cannot see them): add each one's FLOPs for every row it ran on.
    let branchWork = 0;
    if (kind === 'branches') {
      for (let j = 0; j < exits.layers.length - 1; j++) {
        if (exits.layers[j] >= policy.minLayer) branchWork += idx.filter((e) => e >= j).length * branchFlops(branches, j);
      }
    }
    const perSample = idx.reduce((s, j) => s + cost.flopsAt(j, policy.minLayer), 0);
    expect(traced + branchWork).toBe(perSample);
    // …and the whole batch without early exit costs 24 full forwards.
    const full = tracedDenseFlops(model, () => model.predict(x).dispose());
    expect(full).toBe(24 * cost.full);
    expect(perSample).toBeLessThan(full + (kind === 'shared' ? 24 * 4 * cost.exitHeads[0] : 24 * 3 * 1316));
    x.dispose();
  });

  it('speed-up is relative to a baseline and rejects non-positive FLOPs', () => {
    expect(flopsSpeedup(10, 4)).toBe(2.5);
    expect(() => flopsSpeedup(0, 4)).toThrow('flopsSpeedup: FLOPs must be > 0, got baseline 0 and mean 4');
    expect(() => flopsSpeedup(10, Number.NaN)).toThrow(/mean NaN/);
  });
});
