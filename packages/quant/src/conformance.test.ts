import { compressorConformance, transformerZoo } from '@acn/test-utils';
import { binaryQuantizer } from './binary';
import { ternaryQuantizer } from './ternary';
import { uniformQuantizer } from './uniform';

// The plugin conformance suite ({Mixer, MLP} × {acn, residual}): shapes, exact restore on dispose,
// bake reproduces the attached forward, finite gradients to every variable, no leaks.
compressorConformance('binary (layer α, identity STE)', () => binaryQuantizer({ scale: 'layer' }));
compressorConformance('binary (layer α) on ViT and BERT', () => binaryQuantizer({ scale: 'layer' }), { zoo: transformerZoo() });
compressorConformance('binary (channel α, clipped STE)', () => binaryQuantizer({ scale: 'channel', ste: 'clipped' }));
compressorConformance('ternary (TWN)', () => ternaryQuantizer({ threshold: 'twn' }));
compressorConformance('int8 symmetric per channel', () => uniformQuantizer({ bits: 8, scheme: 'symmetric', granularity: 'channel' }));
compressorConformance('int8 asymmetric per layer', () => uniformQuantizer({ bits: 8, scheme: 'asymmetric', granularity: 'layer', ste: 'clipped' }));
