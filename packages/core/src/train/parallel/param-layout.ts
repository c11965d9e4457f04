import type { BlockModel } from '../../models/block-model';
import { tf } from '../../tf';

/** Where one model weight lives in the shared flat buffers. */
export interface ParamSlot {
  /** Dotted path (`blocks.3.channelMlp.fc1.kernel`). */
  readonly path: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** Offset in the weights buffer (every weight, trainable or not). */
  readonly offset: number;
  readonly trainable: boolean;
  /** Offset in one worker's gradient region (trainable weights only; -1 otherwise). */
  readonly gradOffset: number;
}

/**
 * Flat layout of a model's weights for data-parallel training: every weight in one float32 buffer
 * (`total` values), the trainable ones again in a gradient region (`trainableTotal` values per
 * worker). `signature` changes when any path, shape or trainability changes, which is how the
 * trainer notices structural edits (bake, factorize) during training.
 */
export interface ParamLayout {
  readonly slots: readonly ParamSlot[];
  readonly total: number;
  readonly trainableTotal: number;
  readonly signature: string;
}

/**
 * Builds the flat layout of `model.namedWeights()` in their (stable, forward) order.
 *
 * @throws TypeError when a weight is not float32 (only float32 weights can be shared this way).
 * @example
 * ```ts
 * const layout = paramLayout(model); // layout.total floats hold every weight
 * ```
 */
export function paramLayout(model: BlockModel): ParamLayout {
  const slots: ParamSlot[] = [];
  let offset = 0;
  let gradOffset = 0;
  for (const [path, v] of Object.entries(model.namedWeights())) {
    if (v.dtype !== 'float32') throw new TypeError(`data-parallel training needs float32 weights; '${path}' is ${v.dtype}`);
    slots.push({ path, shape: [...v.shape], size: v.size, offset, trainable: v.trainable, gradOffset: v.trainable ? gradOffset : -1 });
    offset += v.size;
    if (v.trainable) gradOffset += v.size;
  }
  const signature = slots.map((s) => `${s.path}:${s.shape.join('x')}:${s.trainable ? 't' : 'f'}`).join(';');
  return { slots, total: offset, trainableTotal: gradOffset, signature };
}

/**
 * Copies every weight of `model` into `buffer` at its slot (main thread, after each update).
 *
 * @example
 * ```ts
 * writeWeights(model, layout, new Float32Array(new SharedArrayBuffer(layout.total * 4)));
 * ```
 */
export function writeWeights(model: BlockModel, layout: ParamLayout, buffer: Float32Array): void {
  const w = model.namedWeights();
  for (const s of layout.slots) buffer.set(w[s.path].dataSync() as Float32Array, s.offset);
}

/**
 * Assigns every weight of `model` from `buffer` (worker side, before each step). Values are copied
 * out of the shared memory first: the cpu backend would otherwise alias the live buffer.
 * `skipMissing` skips slots the model does not have (yet) instead of throwing.
 *
 * @example
 * ```ts
 * readWeights(replica, layout, sharedWeights);
 * ```
 */
export function readWeights(model: BlockModel, layout: ParamLayout, buffer: Float32Array, options: { skipMissing?: boolean } = {}): void {
  const w = model.namedWeights();
  for (const s of layout.slots) {
    const v = w[s.path];
    if (!v) {
      if (options.skipMissing) continue; // e.g. hook-owned weights before the hooks are attached
      throw new Error(`replica has no weight '${s.path}'`);
    }
    tf.tidy(() => v.assign(tf.tensor(buffer.slice(s.offset, s.offset + s.size), s.shape as number[], 'float32')));
  }
}
