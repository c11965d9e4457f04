/**
 * Fashion-MNIST label names, index = label (from the upstream README).
 *
 * @example
 * ```ts
 * FASHION_MNIST_CLASS_NAMES[9]; // 'Ankle boot'
 * ```
 */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/**
 * MNIST label names: the digits as strings.
 *
 * @example
 * ```ts
 * MNIST_CLASS_NAMES[3]; // '3'
 * ```
 */
export const MNIST_CLASS_NAMES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/**
 * CIFAR-10 label names, index = label (the order of `batches.meta.txt`).
 *
 * @example
 * ```ts
 * CIFAR10_CLASS_NAMES[0]; // 'airplane'
 * ```
 */
export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);
