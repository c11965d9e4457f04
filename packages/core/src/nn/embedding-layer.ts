/**
 * Embedding lookup that trains on every backend, and the hookable embedding-table layer.
 *
 * Why not plain `tf.gather`: its gradient is `UnsortedSegmentSum`, which the wasm backend does not
 * have (platform.md §3: "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). The
 * other textbook workaround, `oneHot(ids) @ table`, costs `2·N·V·d` FLOPs forward and backward
 * (seconds per step at V = 4096 on wasm). `embeddingLookup` keeps `tf.gather` for the forward and
 * writes the backward as `scatterND(ids, dy, [V, d])`, which sums the rows of repeated ids (as
 * TensorFlow's scatter_nd does) and exists on wasm, cpu, webgl and tfjs-node: O(N·d).
 */
import type { ForwardContext } from '../hooks/types';
import type { Rng } from '../random';
import { tf, type Tensor } from '../tf';
import type { LayerOptions } from './dense-layer';
import { standardNormal } from './init';
import { Layer } from './layer';

function checkLookup(op: string, table: Tensor, ids: Tensor): void {
  if (table.rank !== 2) throw new Error(`${op}: table must be 2-D [rows, dim], got shape ${JSON.stringify(table.shape)}`);
  if (ids.dtype !== 'int32') throw new Error(`${op}: ids must be int32, got ${ids.dtype} with shape ${JSON.stringify(ids.shape)}`);
}

/**
 * Rows of `table` at `ids`: `out[..., :] = table[ids[...], :]`, shape `[...ids.shape, dim]`.
 * Differentiable w.r.t. `table` on every backend (backward: `scatterND`, summing repeated ids);
 * `ids` get no gradient. Ids are not range-checked here (tfjs-wasm reads garbage for out-of-range
 * ids): models check their inputs (e.g. `Bert.validateInput`).
 *
 * @param table `[rows, dim]` (a variable or any float tensor, e.g. hidden states `[B·T, d]`)
 * @param ids int32, any shape, values in `[0, rows)`
 * @example
 * ```ts
 * const e = embeddingLookup(table, tf.tensor2d([[2, 0, 0]], [1, 3], 'int32')); // [1, 3, dim]
 * const { grads } = tf.variableGrads(() => tf.sum(embeddingLookup(tableVar, ids))); // works on wasm
 * ```
 */
export function embeddingLookup(table: Tensor, ids: Tensor): Tensor {
  checkLookup('embeddingLookup', table, ids);
  const [rows, dim] = table.shape as [number, number];
  const outShape = [...ids.shape, dim];
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const flat = tf.reshape(ids, [ids.size]); // [N]
    save([flat]);
    return {
      value: tf.reshape(tf.gather(t, flat), outShape), // [N, dim] -> [...ids.shape, dim]
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [idx] = saved;
        // dTable[v] = Σ_{n: ids[n] = v} dy[n]: scatter_nd sums updates of repeated indices.
        return [tf.scatterND(tf.reshape(idx, [idx.size, 1]), tf.reshape(dy, [idx.size, dim]), [rows, dim])];
      },
    };
  });
  return op(table);
}

/**
 * A learned lookup table, kind `embedding`: weight `table` `[rows, dim]`, input int32 ids of any
 * shape, output `[...ids.shape, dim]`. Init N(0, `std`²) (PyTorch `nn.Embedding`: std 1; BERT:
 * 0.02). Reads the table through `this.w('table')`, so parametrizations (quantization, ...) apply.
 *
 * @example
 * ```ts
 * const tok = new EmbeddingLayer('embedding.tokens', 4096, 128, { depth: -1, fused: true, rng: new Rng(0) }, 0.02);
 * const x = tok.apply(ids, ctx); // [B, T] int32 -> [B, T, 128]
 * ```
 */
export class EmbeddingLayer extends Layer {
  constructor(
    path: string,
    readonly rows: number,
    readonly dim: number,
    opts: Pick<LayerOptions, 'depth'> & { readonly rng: Rng },
    std = 1,
  ) {
    super(path, 'embedding', opts.depth);
    if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(dim) || dim < 1) {
      throw new Error(`layer ${path}: rows and dim must be positive integers, got ${rows} x ${dim}`);
    }
    this.addWeight('table', standardNormal([rows, dim], opts.rng, std));
  }

  protected forward(ids: Tensor, _ctx: ForwardContext): Tensor {
    if (ids.dtype !== 'int32') throw new Error(`layer ${this.path}: expected int32 ids, got ${ids.dtype} with shape ${JSON.stringify(ids.shape)}`);
    return embeddingLookup(this.w('table'), ids);
  }
}
