// Explicit named exports only: the public surface is exactly this list.
export { DatasetError, type DatasetErrorCode } from './errors';
export { isGzip, MAX_INFLATED_BYTES } from './gzip';
export { readIdx, readIdxFile, encodeIdx, type IdxArray, type IdxData, type IdxDtype } from './idx';
export { imageDatasetFromIdx, type IdxDatasetOptions } from './idx-dataset';
export {
  scalePixels,
  subset,
  filterClasses,
  classCounts,
  channelStats,
  normalizeImages,
  type ImageDataset,
  type ChannelStats,
} from './image-dataset';
export {
  sha256File,
  sha256Bytes,
  assertSha256,
  verifySha256,
  knownSha256,
  KNOWN_SHA256,
  type KnownDatasetName,
} from './checksum';
export { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES, CIFAR10_CLASS_NAMES } from './class-names';
export { type Split, type IdxLoadOptions } from './idx-split';
export { loadMnist, loadFashionMnist } from './mnist';
export { loadEmbeddedFashionMnist, embeddedFashionMnistDir, type EmbeddedLoadOptions } from './embedded-subset';
export { resolveDataDir, DATA_DIR_ENV } from './data-dir';
export {
  readCifar10Batch,
  loadCifar10,
  cifar10ToImageDataset,
  CIFAR10_FILES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_FILE,
  CIFAR10_SIZE,
  type Cifar10Batch,
  type Cifar10Dtype,
  type Cifar10Options,
} from './cifar10';
// Text pipeline (BERT / SST-2 / MLM); see src/text/README.md.
export {
  normalizeText,
  preTokenize,
  basicTokenize,
  isPunctuation,
  WordPieceTokenizer,
  SPECIAL_TOKENS,
  DEFAULT_SPECIAL_TOKENS,
  trainWordPiece,
  countWords,
  saveVocab,
  loadVocab,
  encodeBatch,
  maskTokens,
  MLM_IGNORE_INDEX,
  parseSst2,
  loadSst2,
  sst2Path,
  SST2_CLASS_NAMES,
  cleanWikiText,
  textLines,
  loadTinyShakespeare,
  loadWikiText2,
  packSequences,
  embeddedTextDir,
  loadEmbeddedSst2,
  loadEmbeddedTextCorpus,
  TEXT_SUBSET_SHA256,
  TextRng,
  type NormalizeOptions,
  type WordPieceOptions,
  type EncodeOptions,
  type WordPieceTrainOptions,
  type EncodeBatchOptions,
  type EncodedBatch,
  type MaskTokensOptions,
  type MaskedTokens,
  type Sst2Data,
  type Sst2Split,
  type Sst2Options,
  type PackOptions,
  type PackedSequences,
  type EmbeddedTextOptions,
} from './text';
