/**
 * The one tfjs import of `@acn/core`.
 *
 * Why the union package and not `@tensorflow/tfjs-core`: in Node, tfjs-core alone registers no
 * gradients (training fails with "gradient function not found for RealDiv"), and its
 * `register_all_gradients` entry cannot be loaded from Node. `@tensorflow/tfjs` registers every
 * gradient into the shared tfjs-core instance. It is a peer dependency, so a user's process holds
 * exactly one tfjs instance (two instances silently break backend registration).
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
