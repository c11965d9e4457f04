import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { DatasetError } from './errors';

/**
 * Computes the sha256 of a file as lowercase hex, streaming it (constant memory, any size).
 *
 * @throws {@link DatasetError} `FILE_NOT_FOUND` when the file does not exist.
 *
 * @example
 * ```ts
 * const hex = await sha256File('/data/mnist/train-labels-idx1-ubyte.gz');
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatasetError('FILE_NOT_FOUND', `${path}: file not found`, { path, cause: err });
    }
    throw err;
  }
  return hash.digest('hex');
}

/**
 * sha256 of in-memory bytes as lowercase hex. Loaders use this on the buffer they already read,
 * so a verified file is read from disk once.
 *
 * @example
 * ```ts
 * sha256Bytes(new TextEncoder().encode('abc')); // 'ba7816bf…'
 * ```
 */
export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Throws `CHECKSUM_MISMATCH` unless `actual` equals `expected` (case-insensitive hex).
 *
 * @example
 * ```ts
 * assertSha256('/data/x.gz', sha256Bytes(bytes), KNOWN_SHA256.mnist['train-labels-idx1-ubyte.gz']);
 * ```
 */
export function assertSha256(path: string, actual: string, expected: string): void {
  if (actual.toLowerCase() === expected.toLowerCase()) return;
  throw new DatasetError(
    'CHECKSUM_MISMATCH',
    `${path}: sha256 mismatch: expected ${expected.toLowerCase()}, actual ${actual}. ` +
      'The file is corrupted, truncated, or a different dataset; re-download it (or pass verify: false to skip the check).',
    { path },
  );
}

/**
 * Streams `path` through sha256 and throws `CHECKSUM_MISMATCH` (naming the file, expected and
 * actual sums) when it differs from `expected`. Returns the actual sum.
 *
 * @example
 * ```ts
 * await verifySha256('/data/mnist/t10k-labels-idx1-ubyte.gz', KNOWN_SHA256.mnist['t10k-labels-idx1-ubyte.gz']);
 * ```
 */
export async function verifySha256(path: string, expected: string): Promise<string> {
  const actual = await sha256File(path);
  assertSha256(path, actual, expected);
  return actual;
}

/**
 * Datasets whose files have entries in {@link KNOWN_SHA256}.
 *
 * @example
 * ```ts
 * const name: KnownDatasetName = 'fashion-mnist';
 * ```
 */
export type KnownDatasetName = 'mnist' | 'fashion-mnist' | 'fashion-mnist-subset';

/**
 * Known sha256 sums, by dataset and file name.
 *
 * - `.gz` entries of `mnist` and `fashion-mnist`: the published/upstream files (the same sums as
 *   TFDS for MNIST; Fashion-MNIST's gz files are byte-identical to zalandoresearch/fashion-mnist).
 * - Entries without `.gz`: the decompressed files, computed by gunzipping the verified `.gz` files
 *   (for Fashion-MNIST their MD5s also match upstream's decompressed MD5s), so ungzipped copies can
 *   be verified too.
 * - `fashion-mnist-subset`: the embedded subset shipped in this package's `data/` folder.
 *
 * @example
 * ```ts
 * KNOWN_SHA256['fashion-mnist']['t10k-labels-idx1-ubyte.gz']; // '67da17c7…'
 * ```
 */
export const KNOWN_SHA256: Readonly<Record<KnownDatasetName, Readonly<Record<string, string>>>> = {
  mnist: {
    'train-images-idx3-ubyte.gz': '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    'train-labels-idx1-ubyte.gz': '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    't10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    't10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
  'fashion-mnist': {
    'train-images-idx3-ubyte.gz': '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    'train-labels-idx1-ubyte.gz': 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    't10k-images-idx3-ubyte.gz': '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    't10k-labels-idx1-ubyte.gz': '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
    'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
  'fashion-mnist-subset': {
    // Produced by scripts/make-embedded-subset.ts (gzip level 9, MTIME 0, OS byte 255).
    'train-images-idx3-ubyte.gz': 'b6dc4e260231f4d4a19b7b9acf314f874a00e0853478ebe3477c388855bcd874',
    'train-labels-idx1-ubyte.gz': '50e0f5eeb2f178af60a004fa2903e267f51b8df134048c086c5c7f0f820cdd02',
    't10k-images-idx3-ubyte.gz': '5ceb001ac6e2750da8a5fd200ae2770bc4d6c8e7d00f819064c8208b41dea06b',
    't10k-labels-idx1-ubyte.gz': '24c9689aa75e33b4e715b920964dd6b0c965b0625c9483008d8b03f7305194c4',
    'train-images-idx3-ubyte': '6dded81672539b5d148c1a85358069d1808c316dc6f6c0abfd12ba3ced5dd394',
    'train-labels-idx1-ubyte': 'd7c464914ae4b919728c5c99c3cdde5a0259febf1e99ddc6927a15768731d7dc',
    't10k-images-idx3-ubyte': '7a6d8e07ea021ec5bc73135ebd0a5770799557ec6f8242d8749c4f32a3cf4643',
    't10k-labels-idx1-ubyte': 'b40abac7ec8228f434940f579deb7cf7b6e3103b5274cb91d1545771f5ef1c8b',
  },
};

/**
 * Looks up the known sha256 of `fileName` (a base name; directories are ignored) in `dataset`.
 *
 * @example
 * ```ts
 * knownSha256('mnist', '/data/mnist/train-labels-idx1-ubyte.gz'); // '3552534a…'
 * knownSha256('mnist', 'other.bin'); // undefined
 * ```
 */
export function knownSha256(dataset: KnownDatasetName, fileName: string): string | undefined {
  return KNOWN_SHA256[dataset][basename(fileName)];
}
