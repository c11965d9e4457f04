/*
 * Regression fixture of the early-exit loop, recorded with the hand-written loops that existed
 * before core's connectivity strategies (issue 10): for every model (Mixer, MLP, ViT, BERT with
 * padding) × connectivity, shared-head exits and branch exits, the per-sample batched path
 * (compact: exited rows gathered out of the hidden state, the running sum and the attention mask)
 * and the masking path, plus `allExitLogits`. The same ops run in the same order, so the
 * comparison is exact (`toEqual` on float32 values). Core's wasm SIMD kernels (fused GELU and
 * LayerNorm) came later and round differently, so they are switched off here
 * (`initBackend('wasm', { wasmFusedKernels: false })`); core's loop fixture checks them against its
 * own recording within rounding noise.
 *
 * Regenerate (only for an intended change): ACN_WRITE_LOOP_FIXTURE=1 npx vitest run src/exit-forward.fixture.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBert, createMixer, createMlp, createVit, initBackend, tf, type BlockModel, type Tensor } from '@acn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachBranches } from './branches';
import { allExitLogits, earlyExitForward } from './exit-forward';
import { sharedExits, type ExitHeads } from './exits';
import { useWasm } from './fixtures.test-helper';
import type { ExitPolicy } from './policy';

const FIXTURE = join(__dirname, '__fixtures__', 'exit-forward-v0.json');
const WRITE = process.env.ACN_WRITE_LOOP_FIXTURE === '1';

type Conn = 'acn' | 'residual' | 'feedforward';
const MODELS: Record<string, (c: Conn) => BlockModel> = {
  mixer: (connectivity) => createMixer({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, tokenMlpDim: 4, channelMlpDim: 16, depth: 3, connectivity, seed: 5 }),
  mlp: (connectivity) => createMlp({ inputShape: [6], numClasses: 3, depth: 3, hiddenDim: 8, connectivity, seed: 5 }),
  vit: (connectivity) => createVit({ inputShape: [8, 8, 1], numClasses: 3, patchSize: 4, hiddenDim: 8, numHeads: 2, mlpDim: 16, depth: 3, connectivity, seed: 5 }),
  bert: (connectivity) => createBert({ vocabSize: 20, numClasses: 3, maxLength: 8, hiddenDim: 8, numHeads: 2, mlpDim: 16, depth: 3, typeVocabSize: 0, connectivity, seed: 5 }),
};

function input(arch: string): Tensor {
  if (arch === 'bert') {
    return tf.tensor2d([[2, 7, 9, 11, 3, 0], [2, 15, 6, 3, 0, 0], [2, 5, 3, 0, 0, 0], [2, 8, 8, 8, 8, 3], [2, 19, 3, 0, 0, 0]], [5, 6], 'int32');
  }
  if (arch === 'mlp') return tf.randomUniform([5, 6], 0, 1, 'float32', 3);
  return tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 3);
}

/** A deterministic policy that mixes exits: sample `id` stops at the first exit where (id + layer) % 3 === 0. */
const mixing: ExitPolicy = {
  kind: 'static',
  label: 'fixture',
  threshold: 0,
  minLayer: 0,
  createState: () => ({}),
  decide: ({ ids, layer }) => Uint8Array.from(Array.from(ids), (id) => ((id + layer) % 3 === 0 ? 1 : 0)),
};

const values = (t: Tensor): number[] => Array.from(t.dataSync());

function run(model: BlockModel, x: Tensor, exits: ExitHeads): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const compact of [true, false]) {
    const r = earlyExitForward(model, x, { exits, policy: mixing, returnLogits: true, compact });
    out[compact ? 'compact' : 'masked'] = { predictions: Array.from(r.predictions), exitLayers: Array.from(r.exitLayers), rowsPerBlock: r.rowsPerBlock, logits: values(r.logits!) };
    r.logits!.dispose();
  }
  const all = allExitLogits(model, x, exits);
  out.all = all.map(values);
  tf.dispose(all);
  return out;
}

function record(arch: string, c: Conn): Record<string, unknown> {
  const model = MODELS[arch](c);
  const x = input(arch);
  const shared = run(model, x, sharedExits(model));
  const branches = attachBranches(model, { layers: [1, 2] });
  const branch = run(model, x, branches);
  branches.dispose();
  x.dispose();
  model.dispose();
  return { shared, branch };
}

describe('early-exit loop regression fixture (recorded before the connectivity strategies)', () => {
  beforeAll(async () => {
    await useWasm();
    await initBackend('wasm', { wasmFusedKernels: false }); // the values were recorded with tfjs ops
  });
  afterAll(() => initBackend('wasm', { wasmFusedKernels: true }));

  if (WRITE) {
    it('writes the fixture', () => {
      const all: Record<string, unknown> = {};
      for (const arch of Object.keys(MODELS)) for (const c of ['acn', 'residual', 'feedforward'] as const) all[`${arch}/${c}`] = record(arch, c);
      writeFileSync(FIXTURE, JSON.stringify(all));
    });
    return;
  }

  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  for (const arch of Object.keys(MODELS)) {
    for (const c of ['acn', 'residual', 'feedforward'] as const) {
      it(`${arch}/${c}: shared and branch exits, compact and masked paths, allExitLogits are bit-identical; no leaks`, () => {
        const before = tf.memory().numTensors;
        const now = record(arch, c);
        expect(tf.memory().numTensors).toBe(before);
        expect(now).toEqual(fixture[`${arch}/${c}`]);
      });
    }
  }
});
