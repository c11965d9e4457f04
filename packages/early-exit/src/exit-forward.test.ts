import { Mlp, MlpMixer, mixerConfig, mlpConfig, tf, type BlockModel, type Connectivity, type ForwardContext, type Tensor } from '@acn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BranchExits } from './branches';
import { collectExitScores, simulateExits } from './calibrate';
import { allExitLogits, earlyExitForward } from './exit-forward';
import { sharedExits, type ExitHeads } from './exits';
import { batchOf, maxAbsDiff, mixingTau, quadrantDataset, tinyMixer, tinyMlp, trainedWithBranches, useWasm } from './fixtures.test-helper';
import { entropyPolicy, maxProbPolicy, patiencePolicy, staticExitPolicy, type ExitPolicy } from './policy';

const data = quadrantDataset(384, 3);
const test = quadrantDataset(24, 99);
const models = new Map<string, BlockModel>();
const branchSets = new Map<string, BranchExits>();

beforeAll(async () => {
  await useWasm();
  for (const c of ['acn', 'residual'] as Connectivity[]) {
    for (const [arch, make] of [['mixer', tinyMixer], ['mlp', tinyMlp]] as const) {
      const model = make(c);
      branchSets.set(`${arch}/${c}`, await trainedWithBranches(model, data));
      models.set(`${arch}/${c}`, model);
    }
  }
});

afterAll(() => {
  for (const b of branchSets.values()) b.dispose();
  for (const m of models.values()) m.dispose();
});

const names = ['mixer/acn', 'mixer/residual', 'mlp/acn', 'mlp/residual'];

function exitsOf(name: string, kind: 'shared' | 'branches'): ExitHeads {
  return kind === 'shared' ? sharedExits(models.get(name)!) : branchSets.get(name)!;
}

describe('earlyExitForward equals the plain forward at the extremes', () => {
  it.each(names)('%s: a policy that never exits early gives model.forward logits', (name) => {
    const model = models.get(name)!;
    const { x } = batchOf(test, 12);
    const ref = model.forward(x).logits;
    for (const kind of ['shared', 'branches'] as const) {
      const r = earlyExitForward(model, x, { exits: exitsOf(name, kind), policy: staticExitPolicy(model.depth), returnLogits: true });
      expect(maxAbsDiff(r.logits!, ref)).toBeLessThan(1e-5);
      expect(Array.from(r.exitLayers)).toEqual(new Array(12).fill(model.depth));
      expect(r.rowsPerBlock).toEqual(new Array(model.depth).fill(12));
      r.logits!.dispose();
    }
    tf.dispose([x, ref]);
  });

  it.each(names)('%s: shared exits with a policy that always exits at layer 0 give probe 0', (name) => {
    const model = models.get(name)!;
    const { x } = batchOf(test, 12);
    const { logits, probes } = model.forward(x, { probes: true });
    const r = earlyExitForward(model, x, { exits: sharedExits(model), policy: maxProbPolicy({ p: 0 }), returnLogits: true });
    expect(maxAbsDiff(r.logits!, probes![0])).toBeLessThan(1e-5);
    expect(Array.from(r.exitLayers)).toEqual(new Array(12).fill(0));
    expect(r.rowsPerBlock).toEqual(new Array(model.depth).fill(0)); // no block ran
    const argmax = tf.argMax(probes![0], 1);
    expect(Array.from(r.predictions)).toEqual(Array.from(argmax.dataSync()));
    tf.dispose([x, logits, ...probes!, r.logits!, argmax]);
  });
});

describe('per-sample exit at batch > 1', () => {
  const cases: [string, 'shared' | 'branches', string][] = [];
  for (const n of names) for (const k of ['shared', 'branches'] as const) for (const p of ['entropy', 'patience', 'max-prob']) cases.push([n, k, p]);

  function policyFor(kind: string, model: BlockModel, x: Tensor, exits: ExitHeads): ExitPolicy {
    if (kind === 'entropy') return entropyPolicy({ tau: mixingTau(model, x, exits) });
    if (kind === 'patience') return patiencePolicy({ patience: 1, minLayer: 1 });
    return maxProbPolicy({ p: 0.8, minLayer: 1 });
  }

  it.each(cases)('%s, %s exits, %s: same predictions as each sample alone, and exited rows stop costing compute', (name, kind, pkind) => {
    const model = models.get(name)!;
    const exits = exitsOf(name, kind);
    const { x } = batchOf(test, 16);
    const policy = policyFor(pkind, model, x, exits);
    const before = tf.memory().numTensors;
    const batched = earlyExitForward(model, x, { exits, policy, returnLogits: true });
    for (let i = 0; i < 16; i++) {
      const xi = tf.slice(x, i, 1);
      const alone = earlyExitForward(model, xi, { exits, policy, returnLogits: true });
      expect(alone.predictions[0]).toBe(batched.predictions[i]);
      expect(alone.exitLayers[0]).toBe(batched.exitLayers[i]);
      const row = tf.slice(batched.logits!, i, 1);
      expect(maxAbsDiff(alone.logits!, row)).toBeLessThan(1e-5);
      tf.dispose([xi, alone.logits!, row]);
    }
    // Block i ran exactly on the samples that had not exited before it.
    const layers = Array.from(batched.exitLayers);
    expect(batched.rowsPerBlock).toEqual(Array.from({ length: model.depth }, (_, i) => layers.filter((k) => k > i).length));
    batched.logits!.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('the cases above really mix early and late exits', () => {
    let mixed = 0;
    for (const name of names) {
      for (const kind of ['shared', 'branches'] as const) {
        const model = models.get(name)!;
        const exits = exitsOf(name, kind);
        const { x } = batchOf(test, 16);
        const r = earlyExitForward(model, x, { exits, policy: entropyPolicy({ tau: mixingTau(model, x, exits) }) });
        if (new Set(r.exitLayers).size >= 2) mixed++;
        x.dispose();
      }
    }
    expect(mixed).toBe(8);
  });

  it('replaying the policy on stored probabilities (calibration) gives the same exits', () => {
    for (const name of ['mixer/acn', 'mixer/residual']) {
      for (const kind of ['shared', 'branches'] as const) {
        const model = models.get(name)!;
        const exits = exitsOf(name, kind);
        const { x } = batchOf(test, 24);
        const policy = entropyPolicy({ tau: mixingTau(model, x, exits) });
        const r = earlyExitForward(model, x, { exits, policy });
        const sim = simulateExits(collectExitScores(model, test, exits, { batchSize: 7 }), policy);
        expect(Array.from(sim.predictions)).toEqual(Array.from(r.predictions));
        expect(Array.from(sim.exitLayers)).toEqual(Array.from(r.exitLayers));
        x.dispose();
      }
    }
  });

  it('compact: false (masking) gives the same results but keeps every row running', () => {
    const model = models.get('mixer/acn')!;
    const exits = sharedExits(model);
    const { x } = batchOf(test, 16);
    const policy = patiencePolicy({ patience: 1 });
    const a = earlyExitForward(model, x, { exits, policy, returnLogits: true });
    const b = earlyExitForward(model, x, { exits, policy, returnLogits: true, compact: false });
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    expect(Array.from(b.exitLayers)).toEqual(Array.from(a.exitLayers));
    expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(1e-5);
    const deepest = Math.max(...a.exitLayers);
    expect(b.rowsPerBlock).toEqual(Array.from({ length: model.depth }, (_, i) => (i < deepest ? 16 : 0)));
    expect(a.rowsPerBlock.reduce((s, v) => s + v, 0)).toBeLessThan(b.rowsPerBlock.reduce((s, v) => s + v, 0));
    tf.dispose([x, a.logits!, b.logits!]);
  });
});

describe('allExitLogits', () => {
  it('shared exits are the model probes; the last branch exit is the final logits', () => {
    const model = models.get('mixer/residual')!;
    const { x } = batchOf(test, 5);
    const { probes } = model.forward(x, { probes: true });
    const shared = allExitLogits(model, x, sharedExits(model, { layers: [1, 3] }));
    expect(shared).toHaveLength(3);
    expect(maxAbsDiff(shared[0], probes![1])).toBeLessThan(1e-6);
    expect(maxAbsDiff(shared[1], probes![3])).toBeLessThan(1e-6);
    expect(maxAbsDiff(shared[2], probes![4])).toBeLessThan(1e-6);
    const br = allExitLogits(model, x, branchSets.get('mixer/residual')!);
    expect(br.map((t) => t.shape)).toEqual([[5, 4], [5, 4], [5, 4], [5, 4]]);
    expect(maxAbsDiff(br[3], probes![4])).toBeLessThan(1e-6);
    tf.dispose([x, ...probes!, ...shared, ...br]);
  });
});

describe('errors and memory', () => {
  it('is leak-free, also when the policy misbehaves', () => {
    const model = models.get('mixer/acn')!;
    const { x } = batchOf(test, 8);
    const before = tf.memory().numTensors;
    const r = earlyExitForward(model, x, { exits: branchSets.get('mixer/acn')!, policy: entropyPolicy({ tau: 0.5 }) });
    expect(r.logits).toBeUndefined();
    const bad: ExitPolicy = { ...entropyPolicy({ tau: 0.5 }), label: 'bad', decide: () => new Uint8Array(1) };
    expect(() => earlyExitForward(model, x, { exits: sharedExits(model), policy: bad, returnLogits: true })).toThrow("policy 'bad' returned 1 decisions for 8 rows");
    const throwing: ExitPolicy = { ...entropyPolicy({ tau: 0.5 }), decide: () => { throw new Error('boom'); } };
    expect(() => earlyExitForward(model, x, { exits: branchSets.get('mixer/acn')!, policy: throwing, returnLogits: true })).toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects exits of another model, a wrong input and models with their own forward', () => {
    const a = models.get('mixer/acn')!;
    const b = models.get('mixer/residual')!;
    const { x } = batchOf(test, 2);
    const policy = entropyPolicy({ tau: 0.7 });
    expect(() => earlyExitForward(a, x, { exits: sharedExits(b), policy })).toThrow('earlyExitForward: these exits were built for another model');
    expect(() => earlyExitForward(a, x, { exits: sharedExits(a), policy: undefined as never })).toThrow(/options.policy must be an ExitPolicy/);
    const wrong = tf.zeros([2, 6]);
    expect(() => earlyExitForward(a, wrong, { exits: sharedExits(a), policy })).toThrow(/shape/);
    class Custom extends MlpMixer {
      override forward(input: Tensor) {
        return super.forward(input);
      }
    }
    const custom = new Custom(mixerConfig({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 8, depth: 2 }));
    expect(() => earlyExitForward(custom, x, { exits: sharedExits(custom), policy })).toThrow(/Custom overrides BlockModel.forward/);
    expect(() => earlyExitForward({} as never, x, { exits: sharedExits(a), policy })).toThrow(/expected an @acn\/core BlockModel \(embedding, blocks, head\)/);
    custom.dispose();
    tf.dispose([x, wrong]);
  });
});

describe('models with per-sample forward context (prepareContext, e.g. attention masks)', () => {
  /** An MLP whose prepareContext puts a per-sample scale [B, 1] in the context (like BERT's attentionMask [B, T]) that every block uses. */
  class ScaledMlp extends Mlp {
    override prepareContext(x: Tensor, ctx: ForwardContext): ForwardContext {
      const b = x.shape[0];
      return { ...ctx, attentionMask: tf.mean(tf.reshape(x, [b, -1]), 1, true).mul(4).add(0.5) }; // [B, 1]
    }
  }

  it('gathers the per-sample context with the rows: batched equals alone, leak-free', async () => {
    const model = new ScaledMlp(mlpConfig({ inputShape: [8, 8, 1], numClasses: 4, depth: 4, hiddenDim: 16, connectivity: 'acn', seed: 3 }));
    const scale = model.hooks.attach({ name: 'test:per-sample-scale', filter: { kind: 'block' }, wrapForward: (next) => (x, ctx) => next(x, ctx).mul(ctx.attentionMask!) });
    const branches = await trainedWithBranches(model, data, 2);
    const { x } = batchOf(test, 16);
    const ref = model.forward(x).logits;
    const before = tf.memory().numTensors;
    for (const exits of [sharedExits(model), branches]) {
      const full = earlyExitForward(model, x, { exits, policy: staticExitPolicy(4), returnLogits: true });
      expect(maxAbsDiff(full.logits!, ref)).toBeLessThan(1e-5);
      const policy = entropyPolicy({ tau: mixingTau(model, x, exits) });
      const batched = earlyExitForward(model, x, { exits, policy, returnLogits: true });
      expect(new Set(batched.exitLayers).size).toBeGreaterThan(1);
      for (let i = 0; i < 16; i++) {
        const xi = tf.slice(x, i, 1);
        const alone = earlyExitForward(model, xi, { exits, policy, returnLogits: true });
        expect([i, alone.exitLayers[0], alone.predictions[0]]).toEqual([i, batched.exitLayers[i], batched.predictions[i]]);
        const row = tf.slice(batched.logits!, i, 1);
        expect(maxAbsDiff(alone.logits!, row)).toBeLessThan(1e-5);
        tf.dispose([xi, alone.logits!, row]);
      }
      tf.dispose([full.logits!, batched.logits!]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ref]);
    branches.dispose();
    scale.dispose();
    model.dispose();
  });
});
