/**
 * Regenerates data/fashion-mnist-subset/ from the full Fashion-MNIST files:
 * the FIRST 6,000 train and FIRST 1,000 test images + labels, in original order, as gzipped IDX.
 *
 *   pnpm make-subset /path/to/fashion-mnist     (the folder holding the four upstream .gz files)
 *
 * Reproducible: sources are sha256-verified, gzip uses level 9 with MTIME 0 and a fixed OS byte
 * (see encodeIdx). The decompressed sums printed below are the stable identity of the subset; the
 * .gz sums can only differ if a future Node ships a zlib whose deflate output differs. If they
 * change, update KNOWN_SHA256['fashion-mnist-subset'] and data/fashion-mnist-subset/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_CLASS_NAMES } from '../src/class-names';
import { knownSha256, sha256Bytes, verifySha256 } from '../src/checksum';
import { encodeIdx, readIdxFile, type IdxArray } from '../src/idx';

const COUNTS = { train: 6000, t10k: 1000 } as const;

const source = process.argv[2];
if (!source) {
  console.error('usage: tsx scripts/make-embedded-subset.ts <folder with the four Fashion-MNIST .gz files>');
  process.exit(2);
}
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'fashion-mnist-subset');
mkdirSync(outDir, { recursive: true });

function firstN(idx: IdxArray, n: number): IdxArray {
  const per = idx.dims.slice(1).reduce((a, b) => a * b, 1);
  return { dtype: idx.dtype, dims: [n, ...idx.dims.slice(1)], data: idx.data.subarray(0, n * per) };
}

const rows: string[] = [];
for (const [prefix, n] of Object.entries(COUNTS)) {
  for (const kind of ['images-idx3-ubyte', 'labels-idx1-ubyte']) {
    const name = `${prefix}-${kind}.gz`;
    const src = join(source, name);
    await verifySha256(src, knownSha256('fashion-mnist', name)!);
    const cut = firstN(await readIdxFile(src), n);
    const raw = encodeIdx(cut);
    const gz = encodeIdx(cut, { gzip: true, level: 9 });
    writeFileSync(join(outDir, name), gz);
    rows.push(`| ${name} | ${gz.length} | ${sha256Bytes(gz)} | ${sha256Bytes(raw)} |`);
    if (kind.startsWith('labels')) {
      const counts = new Array<number>(10).fill(0);
      for (const l of cut.data) counts[l]++;
      console.log(`${prefix} class balance (${n} images):`);
      counts.forEach((c, i) => console.log(`  ${i} ${FASHION_MNIST_CLASS_NAMES[i]}: ${c}`));
    }
  }
}
console.log('\n| file | bytes | sha256 (.gz) | sha256 (decompressed) |\n|---|---:|---|---|');
console.log(rows.join('\n'));
