import { compressorConformance, transformerZoo } from '@acn/test-utils';
import { lowRank } from './low-rank';

// Tiny zoo layers ([4, 8], [16, 3], ...) need force: rank 2 does not reduce every one of them.
compressorConformance('low rank r=2', () => lowRank({ rank: 2, force: true }), { bakeTolerance: 1e-5 });
compressorConformance('low rank r=2 on ViT and BERT', () => lowRank({ rank: 2, force: true }), { bakeTolerance: 1e-5, zoo: transformerZoo() });
