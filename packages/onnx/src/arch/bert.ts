/**
 * BERT-style encoder (`createBert`) in ONNX, classification path: int32 ids `[B, T]` → padding
 * mask from `padId`, word + position (+ segment 0) embeddings → LN, post-LN blocks, CLS → pooler
 * (tanh) → classifier. Inputs with segment ids (`[B, 2, T]`) and the masked-LM head are not
 * exported.
 */
import type { BertConfig, BlockModel } from '@acn/core';
import { emitDense } from '../dense';
import { DT } from '../graph';
import { emitAttention, emitLayerNorm, emitMlp } from '../layers';
import { layerMap, type ArchEmitter } from './types';

/** The BERT encoder's emitters. */
export function bertEmitter(model: BlockModel): ArchEmitter {
  const cfg = model.config as BertConfig;
  const at = layerMap(model);
  return {
    input: { elemType: DT.INT32, dims: ['batch', 'sequence'] },
    stateDims: ['batch', 'sequence', cfg.hiddenDim],
    ctxDims: { keep: ['batch', 'sequence'] },
    skipped: { 'mlm.': 'the masked-LM pre-training head is not part of the classification forward' },
    embedding(cx, ids) {
      const g = cx.g;
      const keep = g.node('Cast', [g.node('Not', [g.node('Equal', [ids, g.init('bert/pad_id', Int32Array.of(cfg.padId), [])])])], { to: DT.FLOAT }); // [B, T]
      let e = g.node('Gather', [cx.floatWeight(at('embedding.tokens'), 'table').name, ids], { axis: 0 }); // [B, T, D]
      const t = g.node('Slice', [g.node('Shape', [ids]), g.constI64([1]), g.constI64([2])]); // [1] = T
      const pos = g.node('Slice', [cx.floatWeight(at('embedding.positions'), 'table').name, g.constI64([0]), t, g.constI64([0])]); // [T, D]
      e = g.node('Add', [e, pos]);
      if (cfg.typeVocabSize > 0) {
        // Every token in segment 0 (inputs [B, T]): add row 0 of the segment table.
        const seg0 = g.node('Slice', [cx.floatWeight(at('embedding.types'), 'table').name, g.constI64([0]), g.constI64([1]), g.constI64([0])]); // [1, D]
        e = g.node('Add', [e, seg0]);
      }
      return { h: emitLayerNorm(cx, e, at('embedding.norm')), ctx: { keep } };
    },
    block(cx, i, x, ctx) {
      const p = `blocks.${i}`;
      const g = cx.g;
      const attn = emitAttention(cx, x, at(`${p}.attn`), ctx.keep);
      if (!model.strategy.residualBlocks) {
        const a = emitLayerNorm(cx, attn, at(`${p}.norm1`)); // no `x +` (AC / feedforward)
        return emitLayerNorm(cx, emitMlp(cx, a, at(`${p}.ffn`)), at(`${p}.norm2`));
      }
      const a = emitLayerNorm(cx, g.node('Add', [x, attn]), at(`${p}.norm1`));
      return emitLayerNorm(cx, g.node('Add', [a, emitMlp(cx, a, at(`${p}.ffn`))]), at(`${p}.norm2`));
    },
    head(cx, y) {
      const g = cx.g;
      const cls = g.node('Gather', [y, g.constI64([0], [])], { axis: 1 }); // [B, D], position 0 = [CLS]
      return emitDense(cx, g.node('Tanh', [emitDense(cx, cls, at('head.pooler'))]), at('head.classifier'));
    },
  };
}
