/** The plain MLP (`createMlp`) in ONNX: flatten → dense, blocks GELU(Dense), optional LN → fc head. */
import type { BlockModel, MlpConfig } from '@acn/core';
import { emitDense } from '../dense';
import { DT } from '../graph';
import { emitGelu, emitLayerNorm } from '../layers';
import { layerMap, type ArchEmitter } from './types';

/** The MLP's emitters. */
export function mlpEmitter(model: BlockModel): ArchEmitter {
  const cfg = model.config as MlpConfig;
  const at = layerMap(model);
  const features = cfg.inputShape.reduce((a, b) => a * b, 1);
  return {
    input: { elemType: DT.FLOAT, dims: ['batch', ...cfg.inputShape] },
    stateDims: ['batch', cfg.hiddenDim],
    ctxDims: {},
    skipped: {},
    embedding(cx, x) {
      const flat = cx.g.node('Reshape', [x, cx.g.constI64([-1, features])]); // [B, F]
      return { h: emitDense(cx, flat, at('embedding.proj')), ctx: {} };
    },
    block(cx, i, x) {
      const f = emitGelu(cx, emitDense(cx, x, at(`blocks.${i}.fc`)));
      return model.strategy.residualBlocks ? cx.g.node('Add', [x, f]) : f;
    },
    head(cx, y) {
      const n = cfg.headNorm ? emitLayerNorm(cx, y, at('head.norm')) : y;
      return emitDense(cx, n, at('head.fc'));
    },
  };
}
