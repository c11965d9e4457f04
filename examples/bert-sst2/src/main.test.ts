import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, tf } from '@acn/core';
import { WordPieceTokenizer } from '@acn/datasets';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, parseCli, QUICK } from './cli';
import { bucketedBatches } from './finetune';
import { runBertSst2 } from './main';
import { linearSchedule } from './pretrain';
import { validateBertResults } from './results';

const out = mkdtempSync(join(tmpdir(), 'acn-bert-sst2-'));

describe('bert-sst2 example', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--quick pre-trains, fine-tunes, probes and writes valid results', async () => {
    const before = tf.memory().numTensors;
    const opts = parseCli(['--quick', '--out', out, '--save-checkpoints']);
    if (opts === 'help') throw new Error('unexpected help');
    const jsonPath = await runBertSst2(opts);
    const results = validateBertResults(JSON.parse(readFileSync(jsonPath, 'utf8')));
    expect(results.runs.map((r) => r.connectivity)).toEqual(['acn', 'residual']);
    expect(results.data).toMatchObject({ trainSize: QUICK.trainLimit, devSize: QUICK.devLimit });
    for (const r of results.runs) {
      expect(r.probeAccuracy).toHaveLength(QUICK.depth! + 1);
      expect(r.probeAccuracy[QUICK.depth!]).toBeCloseTo(r.devAccuracy, 10);
      expect(r.mlmTrainLoss).toHaveLength(QUICK.mlmSteps!);
      // Pre-training moved the held-out loss down from about ln(vocab).
      expect(r.mlmLossAtInit!).toBeGreaterThan(Math.log(QUICK.vocabSize!) - 0.3);
      expect(r.mlmLoss!).toBeLessThan(r.mlmLossAtInit!);
      expect(r.flops).toBeGreaterThan(0);
      // The truncated classifier is the probe at its depth, and really smaller when cut.
      const k = Math.max(1, r.cutoffLayer);
      expect(r.truncated.layers).toBe(k);
      expect(r.truncated.devAccuracy).toBeCloseTo(r.probeAccuracy[k], 10);
      if (k < r.depth) {
        expect(r.truncated.params).toBeLessThan(r.params);
        expect(r.truncated.flops).toBeLessThan(r.flops);
      }
    }
    expect(readdirSync(out).sort()).toEqual(['bert-acn', 'bert-residual', 'bert-sst2-vocab.txt', 'bert-sst2.json']);
    expect(WordPieceTokenizer.load(join(out, 'bert-sst2-vocab.txt')).vocabSize).toBe(QUICK.vocabSize);
    expect(existsSync(join(out, 'bert-acn', 'model.safetensors'))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('parses flags and rejects bad ones with a clear message', () => {
    const o = parseCli(['--depth', '6', '--connectivity', 'acn,feedforward', '--mlm-steps', '0', '--tied']);
    expect(o).toMatchObject({ depth: 6, connectivities: ['acn', 'feedforward'], mlmSteps: 0, tieEmbeddings: true, epochs: DEFAULTS.epochs });
    expect(DEFAULTS.tieEmbeddings).toBe(false);
    expect(parseCli(['--help'])).toBe('help');
    expect(() => parseCli(['--depth', '0'])).toThrow(/--depth must be an integer >= 1, got '0'/);
    expect(() => parseCli(['--heads', '3'])).toThrow(/--heads 3 must divide --width 128/);
    expect(() => parseCli(['--mlm-warmup', '2'])).toThrow(/--mlm-warmup must be a number >= 0 and <= 1, got '2'/);
    expect(() => parseCli(['--connectivity', 'dense'])).toThrow(/unknown 'dense'/);
    expect(() => parseCli(['--bogus'])).toThrow(/bogus/);
  });

  it('batches similar lengths together and covers every sample once per epoch; the MLM schedule warms up then decays', () => {
    const lengths = Int32Array.from({ length: 1000 }, (_, i) => 3 + ((i * 37) % 60));
    const batches = bucketedBatches(lengths, 32, new Rng(1));
    const all = batches.flatMap((b) => [...b]).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const spread = batches.map((b) => Math.max(...[...b].map((i) => lengths[i])) - Math.min(...[...b].map((i) => lengths[i])));
    expect(spread.reduce((a, c) => a + c, 0) / spread.length).toBeLessThan(10); // vs ~55 unbucketed
    const lr = linearSchedule(1e-3, 10, 100);
    expect(lr(0)).toBeCloseTo(1e-4);
    expect(lr(9)).toBeCloseTo(1e-3);
    expect(lr(55)).toBeCloseTo(5e-4);
    expect(lr(100)).toBe(0);
  });
});
