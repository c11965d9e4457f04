import { describe, expect, it } from 'vitest';
import { sha256Hex } from './checksum';

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes only the view, not the whole underlying buffer', () => {
    const outer = new TextEncoder().encode('xabcx');
    expect(sha256Hex(outer.subarray(1, 4))).toBe(sha256Hex(new TextEncoder().encode('abc')));
  });
});
