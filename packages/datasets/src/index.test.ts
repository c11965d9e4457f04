import { describe, expect, it } from 'vitest';
import * as api from './index';

// Guards the public surface: adding or removing an export should be a deliberate change here.
describe('public API', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'CIFAR10_CLASS_NAMES',
        'CIFAR10_FILES',
        'CIFAR10_RECORD_BYTES',
        'CIFAR10_SIZE',
        'DATA_DIR_ENV',
        'DatasetError',
        'FASHION_MNIST_CLASS_NAMES',
        'KNOWN_SHA256',
        'MNIST_CLASS_NAMES',
        'assertSha256',
        'channelStats',
        'cifar10ToImageDataset',
        'classCounts',
        'embeddedFashionMnistDir',
        'encodeIdx',
        'filterClasses',
        'imageDatasetFromIdx',
        'isGzip',
        'knownSha256',
        'loadCifar10',
        'loadEmbeddedFashionMnist',
        'loadFashionMnist',
        'loadMnist',
        'normalizeImages',
        'readCifar10Batch',
        'readIdx',
        'readIdxFile',
        'resolveDataDir',
        'scalePixels',
        'sha256Bytes',
        'sha256File',
        'subset',
        'verifySha256',
      ].sort(),
    );
  });
});
