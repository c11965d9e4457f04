// The text pipeline of @acn/datasets (no tfjs): BERT normalization, WordPiece training and
// encoding, vocab files, SST-2, MLM corpora and masking, and the shipped text subset.
export { normalizeText, preTokenize, basicTokenize, isPunctuation, type NormalizeOptions } from './normalize';
export { WordPieceTokenizer, SPECIAL_TOKENS, DEFAULT_SPECIAL_TOKENS, type WordPieceOptions, type EncodeOptions } from './wordpiece';
export { trainWordPiece, countWords, type WordPieceTrainOptions } from './wordpiece-trainer';
export { saveVocab, loadVocab } from './vocab-file';
export { encodeBatch, type EncodeBatchOptions, type EncodedBatch } from './encode-batch';
export { maskTokens, MLM_IGNORE_INDEX, type MaskTokensOptions, type MaskedTokens } from './mlm';
export { parseSst2, loadSst2, sst2Path, SST2_CLASS_NAMES, type Sst2Data, type Sst2Split, type Sst2Options } from './sst2';
export { cleanWikiText, textLines, loadTinyShakespeare, loadWikiText2, packSequences, type PackOptions, type PackedSequences } from './corpus';
export { embeddedTextDir, loadEmbeddedSst2, loadEmbeddedTextCorpus, TEXT_SUBSET_SHA256, type EmbeddedTextOptions } from './embedded-text';
export { TextRng } from './random';
