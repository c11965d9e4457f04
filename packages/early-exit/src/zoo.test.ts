import { tf, type Tensor } from '@acn/core';
import { tinyModelZoo, transformerZoo } from '@acn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachBranches } from './branches';
import { earlyExitForward } from './exit-forward';
import { sharedExits } from './exits';
import { maxAbsDiff, mixingTau, useWasm } from './fixtures.test-helper';
import { entropyPolicy, maxProbPolicy, staticExitPolicy } from './policy';

beforeAll(async () => {
  await useWasm();
});

/** Every architecture of the conformance zoo: Mixer, MLP, ViT, BERT (padded token ids, attention mask) × acn / residual. */
const zoo = [...tinyModelZoo(), ...transformerZoo()];

describe.each(zoo.map((z) => [z.name, z] as const))('%s', (_name, entry) => {
  it('early exit matches the model: never exiting = forward, exiting at 0 = probe 0, batched = alone; leak-free', () => {
    const model = entry.create();
    const x: Tensor = entry.input ? entry.input(6) : tf.randomUniform([6, ...entry.sampleShape], 0, 1, 'float32', 5);
    const { logits, probes } = model.forward(x, { probes: true });
    const branches = attachBranches(model, { layers: [1] });
    const before = tf.memory().numTensors;
    for (const exits of [sharedExits(model), branches]) {
      const never = earlyExitForward(model, x, { exits, policy: staticExitPolicy(model.depth), returnLogits: true });
      expect(maxAbsDiff(never.logits!, logits)).toBeLessThan(1e-5);
      if (exits.kind === 'shared') {
        const first = earlyExitForward(model, x, { exits, policy: maxProbPolicy({ p: 0 }), returnLogits: true });
        expect(maxAbsDiff(first.logits!, probes![0])).toBeLessThan(1e-5);
        first.logits!.dispose();
      }
      const policy = entropyPolicy({ tau: mixingTau(model, x, exits) });
      const batched = earlyExitForward(model, x, { exits, policy, returnLogits: true });
      for (let i = 0; i < 6; i++) {
        const xi = tf.slice(x, i, 1);
        const alone = earlyExitForward(model, xi, { exits, policy, returnLogits: true });
        expect([i, alone.exitLayers[0], alone.predictions[0]]).toEqual([i, batched.exitLayers[i], batched.predictions[i]]);
        const row = tf.slice(batched.logits!, i, 1);
        expect(maxAbsDiff(alone.logits!, row)).toBeLessThan(1e-5);
        tf.dispose([xi, alone.logits!, row]);
      }
      tf.dispose([never.logits!, batched.logits!]);
    }
    expect(tf.memory().numTensors).toBe(before);
    branches.dispose();
    tf.dispose([x, logits, ...probes!]);
    model.dispose();
  });
});
