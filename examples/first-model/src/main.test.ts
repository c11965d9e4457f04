import { tf } from '@acn/core';
import { describe, expect, it } from 'vitest';
import { cli, firstModel, QUICK } from './main';

describe("the README's first model", () => {
  it('--quick trains, probes every prefix and truncates, leak-free', async () => {
    const o = cli.parse(['--quick']);
    if (o === 'help') throw new Error('unexpected help');
    const before = tf.memory().numTensors;
    const r = await firstModel(o);
    expect(r.probeAccuracy).toHaveLength(QUICK.depth! + 1);
    // Truncation keeps the first `keep` blocks: the small model's output is exactly probe `keep`.
    expect(r.truncatedAccuracy).toBeCloseTo(r.probeAccuracy[QUICK.keep!], 10);
    expect(r.flops.truncated).toBeLessThan(r.flops.full);
    // Better than chance (10 classes) after two short epochs.
    expect(r.probeAccuracy[QUICK.depth!]).toBeGreaterThan(0.3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a truncation deeper than the model', () => {
    expect(() => cli.parse(['--depth', '2', '--keep', '3'])).toThrow('--keep (3) must be <= --depth (2)');
  });
});
