/**
 * Dense k-bit packing of unsigned integer codes (k in [1, 16]), the storage of every packed format
 * here (1-bit signs, 2-bit ternary codes, k-bit uniform codes).
 *
 * Bit order (little-endian bit stream, like `numpy.packbits(bitorder='little')` generalised to
 * k bits): code `i` occupies stream bits `[i·k, (i+1)·k)`, least significant bit first; stream
 * bit `j` is bit `j mod 8` (LSB = 0) of byte `⌊j/8⌋`. So for k = 1 weight `i` is bit `i & 7` of
 * byte `i >> 3`, for k = 8 bytes are the codes, for k = 16 codes are little-endian uint16. Unused
 * high bits of the last byte are 0. Weights are taken in row-major order of the `[in, out]` kernel
 * (the order of `dataSync()`).
 */

function checkBits(bits: number, where: string): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new RangeError(`${where}: bits must be an integer in [1, 16], got ${bits}`);
}

/**
 * Packs unsigned codes, each `< 2^bits`, into `⌈n·bits/8⌉` bytes (see the file comment for the
 * bit order). Throws on a code out of range.
 *
 * @example
 * ```ts
 * packBits([1, 0, 1, 1], 1); // Uint8Array [0b1101] = [13]
 * packBits([3, 1], 2);       // Uint8Array [0b0111] = [7]
 * ```
 */
export function packBits(codes: ArrayLike<number>, bits: number): Uint8Array {
  checkBits(bits, 'packBits');
  const n = codes.length;
  const out = new Uint8Array(Math.ceil((n * bits) / 8));
  const limit = 2 ** bits;
  let acc = 0; // pending bits, at most 7 + 16 = 23 of them
  let pending = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (!(Number.isInteger(c) && c >= 0 && c < limit)) throw new RangeError(`packBits: code ${c} at index ${i} does not fit in ${bits} bits`);
    acc |= c << pending;
    pending += bits;
    while (pending >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      pending -= 8;
    }
  }
  if (pending > 0) out[o] = acc & 0xff;
  return out;
}

/**
 * Unpacks `count` codes of `bits` bits from {@link packBits}' layout.
 *
 * @example
 * ```ts
 * unpackBits(new Uint8Array([13]), 1, 4); // Uint16Array [1, 0, 1, 1]
 * ```
 */
export function unpackBits(bytes: Uint8Array, bits: number, count: number): Uint16Array {
  checkBits(bits, 'unpackBits');
  const need = Math.ceil((count * bits) / 8);
  if (bytes.length < need) throw new RangeError(`unpackBits: ${count} codes of ${bits} bits need ${need} bytes, got ${bytes.length}`);
  const out = new Uint16Array(count);
  const mask = 2 ** bits - 1;
  let acc = 0;
  let pending = 0;
  let b = 0;
  for (let i = 0; i < count; i++) {
    while (pending < bits) {
      acc |= bytes[b++] << pending;
      pending += 8;
    }
    out[i] = acc & mask;
    acc >>>= bits;
    pending -= bits;
  }
  return out;
}
