import { compressorConformance, transformerZoo } from '@acn/test-utils';
import { magnitudePruning } from './magnitude-pruning';
import { constantSparsity } from './schedule';

// Every granularity and scope through core's plugin conformance suite ({Mixer, MLP} × {acn, residual}).
compressorConformance('unstructured 50%', () => magnitudePruning({ sparsity: 0.5 }));
compressorConformance('unstructured 50% on ViT and BERT', () => magnitudePruning({ sparsity: 0.5 }), { zoo: transformerZoo() });
compressorConformance('row (structured) 50%', () => magnitudePruning({ sparsity: 0.5, granularity: 'row' }));
// N:M needs input dims divisible by M: the MLP embedding takes 6 features and the Mixer's token MLP 5 tokens.
compressorConformance('N:M 2:4', () =>
  magnitudePruning({ granularity: 'nm', n: 2, m: 4, filter: { kind: 'dense', where: (l) => l.weights.kernel.shape[0] % 4 === 0 } }),
);
compressorConformance('global 70%, online masks with STE', () =>
  magnitudePruning({ schedule: constantSparsity(0.7, { frequency: 1 }), scope: 'global', recompute: 'every-step', gradient: 'ste' }),
);
