import type { Compressor, Tensor } from '@acn/core';
import { compressorConformance } from './conformance';
import { tinyModelZoo, transformerZoo } from './models';

// The suite checks itself on a trivial compressor (scale by 0.5): every property must hold.
const halve: Compressor = { name: 'test:halve', prepare: () => ({ compress: (w: Tensor) => w.mul(0.5) }) };
compressorConformance('halve (self-check)', () => halve, { zoo: [...tinyModelZoo(), ...transformerZoo()] });
