/**
 * Data for the example: SST-2 (train/dev), the MLM corpus (WikiText-2 + Tiny Shakespeare + the
 * SST-2 training sentences as unlabeled text), a WordPiece vocabulary trained on that corpus, and
 * everything encoded to `[CLS] … [SEP]` id matrices.
 */
import type { ArrayDataset } from '@acn/core';
import {
  encodeBatch,
  loadEmbeddedSst2,
  loadEmbeddedTextCorpus,
  loadSst2,
  loadTinyShakespeare,
  loadWikiText2,
  packSequences,
  resolveDataDir,
  trainWordPiece,
  type Sst2Data,
  type WordPieceTokenizer,
} from '@acn/datasets';

/** Token-id rows `[count, length]`, row-major. */
export interface IdRows {
  readonly ids: Int32Array;
  readonly count: number;
  readonly length: number;
}

/** SST-2 training set: ids padded to `maxLength`, true lengths (for dynamic padding) and labels. */
export interface Sst2Train extends IdRows {
  readonly lengths: Int32Array;
  readonly labels: Int32Array;
  readonly truncated: number;
}

/** Everything the runs share. */
export interface ExampleData {
  readonly name: string;
  readonly tokenizer: WordPieceTokenizer;
  /** Packed MLM sequences for training and a held-out slice (fixed masking) for the reported MLM loss. */
  readonly mlmTrain: IdRows;
  readonly mlmHeldOut: IdRows;
  /** Word pieces in the MLM corpus, and where it came from. */
  readonly mlmTokens: number;
  readonly mlmSources: readonly string[];
  readonly train: Sst2Train;
  /** SST-2 dev as an int32 `ArrayDataset` (`[count, maxLength]` ids, padded), for core's evaluate / probeLayers. */
  readonly dev: ArrayDataset;
  readonly devLengths: Int32Array;
}

function rowsOf(ids: Int32Array, length: number, from: number, to: number): IdRows {
  return { ids: ids.slice(from * length, to * length), count: to - from, length };
}

/**
 * Loads SST-2 and the MLM corpora from `--data-dir` / `ACN_DATA_DIR` (a folder laid out like
 * /work/shared/data) or from the subset shipped in @acn/datasets, trains the vocabulary and
 * encodes everything.
 */
export function loadExampleData(o: {
  dataDir?: string;
  maxLength: number;
  vocabSize: number;
  trainLimit?: number;
  devLimit?: number;
  corpusLimit?: number;
}): ExampleData {
  const dir = resolveDataDir(o.dataDir);
  let train: Sst2Data;
  let dev: Sst2Data;
  let wiki: string[];
  let shakespeare: string[];
  if (dir) {
    train = loadSst2(dir, 'train', { limit: o.trainLimit });
    dev = loadSst2(dir, 'dev', { limit: o.devLimit });
    wiki = [...loadWikiText2(dir, 'valid'), ...loadWikiText2(dir, 'test')];
    shakespeare = loadTinyShakespeare(dir);
  } else {
    train = loadEmbeddedSst2('train', { limit: o.trainLimit });
    dev = loadEmbeddedSst2('dev', { limit: o.devLimit });
    ({ wikitext: wiki, shakespeare } = loadEmbeddedTextCorpus());
  }
  const cap = <T>(xs: T[]) => (o.corpusLimit ? xs.slice(0, o.corpusLimit) : xs);
  const corpus = [...cap(wiki), ...cap(shakespeare), ...cap([...train.sentences])];
  const tokenizer = trainWordPiece(corpus, { vocabSize: o.vocabSize });

  const packed = packSequences(tokenizer, corpus, { maxLength: o.maxLength, minChunk: 8 });
  // Hold out the last 5% of the sequences (8..256) for the reported MLM loss.
  const held = Math.min(256, Math.max(8, Math.round(packed.count * 0.05)));
  if (packed.count <= held) throw new Error(`the MLM corpus gives only ${packed.count} sequences of ${o.maxLength} tokens; use a larger corpus or a smaller --max-length`);

  const enc = encodeBatch(tokenizer, train.sentences, { maxLength: o.maxLength });
  const devEnc = encodeBatch(tokenizer, dev.sentences, { maxLength: o.maxLength });
  return {
    name: dir ? `SST-2 + WikiText-2 + Tiny Shakespeare (${dir})` : 'SST-2 + WikiText-2 + Tiny Shakespeare (subset shipped in @acn/datasets)',
    tokenizer,
    mlmTrain: rowsOf(packed.ids, o.maxLength, 0, packed.count - held),
    mlmHeldOut: rowsOf(packed.ids, o.maxLength, packed.count - held, packed.count),
    mlmTokens: packed.tokens,
    mlmSources: [`WikiText-2 (${cap(wiki).length} paragraphs)`, `Tiny Shakespeare (${cap(shakespeare).length} lines)`, `SST-2 train sentences (${cap([...train.sentences]).length}, labels unused)`],
    train: { ids: enc.ids, count: enc.count, length: enc.length, lengths: enc.lengths, labels: Int32Array.from(train.labels!), truncated: enc.truncated },
    dev: { inputs: Float32Array.from(devEnc.ids), labels: Int32Array.from(dev.labels!), count: dev.count, sampleShape: [o.maxLength], numClasses: 2, inputDtype: 'int32' },
    devLengths: devEnc.lengths,
  };
}
