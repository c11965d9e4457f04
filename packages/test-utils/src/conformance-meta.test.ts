import { initBackend, type Compressor, type Tensor } from '@acn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_CHECKS } from './conformance-checks';
import { tinyModelZoo } from './models';

// The suite must reject a compressor that changes nothing; these run its checks directly and
// expect failures (compressorConformance would register them as failing tests).
const noops: Array<[string, Compressor]> = [
  ['no compress, no forward', { name: 'test:nothing', prepare: () => ({}) }],
  ['identity compress', { name: 'test:identity', prepare: () => ({ compress: (w: Tensor) => w }) }],
  ['identity with a cost claim', { name: 'test:claims', prepare: () => ({ compress: (w: Tensor) => w.clone(), cost: (c) => ({ ...c, bytes: c.bytes / 32 }) }) }],
];
const changes = CONFORMANCE_CHECKS.find((c) => c.name.startsWith('changes the model'))!;

describe('conformance suite: meta-test', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const [label, c] of noops) {
    it(`fails a compressor that changes nothing (${label}), on every zoo model, and only on that check`, () => {
      for (const entry of tinyModelZoo()) {
        const failed = CONFORMANCE_CHECKS.filter((check) => {
          try {
            check.run(entry, () => c, {});
            return false;
          } catch {
            return true;
          }
        }).map((check) => check.name);
        expect(failed).toEqual([changes.name]);
        expect(() => changes.run(entry, () => c, {})).toThrow(new RegExp(`compressor '${c.name}' changed nothing on ${entry.name.replace('/', '\\/')}`));
      }
    });
  }

  it('passes a compressor that changes the weights', () => {
    const halve: Compressor = { name: 'test:halve', prepare: () => ({ compress: (w: Tensor) => w.mul(0.5) }) };
    for (const entry of tinyModelZoo()) for (const check of CONFORMANCE_CHECKS) check.run(entry, () => halve, {});
  });
});
