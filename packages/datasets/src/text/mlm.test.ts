import { describe, expect, it } from 'vitest';
import { maskTokens, MLM_IGNORE_INDEX } from './mlm';
import { TextRng } from './random';

const V = 1000;
const SPECIAL = [0, 1, 2, 3, 4]; // [PAD] [UNK] [CLS] [SEP] [MASK]
const MASK = 4;

/** 2,000 rows of 64: [CLS] 5..999 ... [SEP] [PAD]… with varied lengths. */
function sample(): Int32Array {
  const rng = new TextRng(3);
  const rows = 2000;
  const t = 64;
  const ids = new Int32Array(rows * t); // [PAD] = 0
  for (let r = 0; r < rows; r++) {
    const len = 10 + rng.int(t - 10);
    ids[r * t] = 2;
    for (let i = 1; i < len - 1; i++) ids[r * t + i] = rng.next() < 0.02 ? 1 : 5 + rng.int(V - 5); // a few [UNK]s
    ids[r * t + len - 1] = 3;
  }
  return ids;
}

describe('MLM masking', () => {
  const ids = sample();
  const opts = { vocabSize: V, maskId: MASK, specialIds: SPECIAL, seed: 11 };

  it('selects 15% of the eligible tokens, split 80/10/10 into [MASK] / random / unchanged', () => {
    const { inputs, labels, selected } = maskTokens(ids, opts);
    let eligible = 0;
    let sel = 0;
    let masked = 0;
    let random = 0;
    let kept = 0;
    const violations: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const special = SPECIAL.includes(ids[i]);
      if (!special) eligible++;
      if (labels[i] === MLM_IGNORE_INDEX) {
        if (inputs[i] !== ids[i]) violations.push(`unselected ${i} changed`); // unselected positions are untouched
        continue;
      }
      if (special) violations.push(`special ${ids[i]} selected at ${i}`); // specials and padding are never selected
      if (labels[i] !== ids[i]) violations.push(`label ${i} is not the original`); // labels hold the original token
      sel++;
      if (inputs[i] === MASK) masked++;
      else if (inputs[i] === ids[i]) kept++;
      else {
        random++;
        if (SPECIAL.includes(inputs[i])) violations.push(`random special at ${i}`); // random replacements are ordinary tokens
      }
    }
    expect(violations).toEqual([]);
    expect(selected).toBe(sel);
    expect(eligible).toBeGreaterThan(50_000);
    // Binomial std of the rate at n ≈ 70k is ~0.0014; the tolerances are > 5 std.
    expect(Math.abs(sel / eligible - 0.15)).toBeLessThan(0.008);
    expect(Math.abs(masked / sel - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(random / sel - 0.1)).toBeLessThan(0.015);
    // "unchanged" includes the rare random draw of the original token (1/995 of the random 10%).
    expect(Math.abs(kept / sel - 0.1)).toBeLessThan(0.015);
  });

  it('is seeded: same seed, same corruption; another seed, another one; an rng continues its stream', () => {
    const a = maskTokens(ids, opts);
    const b = maskTokens(ids, opts);
    const c = maskTokens(ids, { ...opts, seed: 12 });
    const same = (x: Int32Array, y: Int32Array) => x.length === y.length && x.every((v, i) => v === y[i]);
    expect(same(a.inputs, b.inputs) && same(a.labels, b.labels)).toBe(true);
    expect(same(a.labels, c.labels)).toBe(false);
    const rng = new TextRng(5);
    const first = maskTokens(ids, { ...opts, rng });
    const second = maskTokens(ids, { ...opts, rng });
    expect(same(first.labels, second.labels)).toBe(false);
  });

  it('honours other rates and rejects bad options and ids', () => {
    const all = maskTokens(ids, { ...opts, probability: 1, maskFraction: 1, randomFraction: 0 });
    const want = ids.map((v) => (SPECIAL.includes(v) ? v : MASK));
    expect(all.inputs.every((v, i) => v === want[i])).toBe(true);
    const none = maskTokens(ids, { ...opts, probability: 0 });
    expect(none.selected).toBe(0);
    expect(() => maskTokens(ids, { ...opts, probability: 1.5 })).toThrow(/probability must be in \[0, 1\]/);
    expect(() => maskTokens(ids, { ...opts, maskFraction: 0.95, randomFraction: 0.1 })).toThrow(/sum <= 1/);
    expect(() => maskTokens(Int32Array.from([2, 1000, 3]), opts)).toThrow(/id 1000 at position 1 is outside the vocabulary \[0, 1000\)/);
    expect(() => maskTokens(ids, { ...opts, maskId: 1000 })).toThrow(/maskId must be an id in \[0, 1000\)/);
  });
});
