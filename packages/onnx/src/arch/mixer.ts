/** MLP-Mixer (`createMixer`) in ONNX: patch embedding (+ CLS), Mixer blocks, LN → pool → fc head. */
import type { BlockModel, MixerConfig } from '@acn/core';
import { emitDense } from '../dense';
import { DT } from '../graph';
import { emitLayerNorm, emitMlp, emitTokenMix } from '../layers';
import { emitPatches, emitPool, emitPrependToken } from './patches';
import { layerMap, type ArchEmitter } from './types';

/** The Mixer's emitters. */
export function mixerEmitter(model: BlockModel): ArchEmitter {
  const cfg = model.config as MixerConfig;
  const at = layerMap(model);
  const [h, w] = cfg.inputShape;
  const tokens = (h / cfg.patchSize) * (w / cfg.patchSize) + (cfg.pooling === 'cls' ? 1 : 0);
  const d = cfg.hiddenDim;
  return {
    input: { elemType: DT.FLOAT, dims: ['batch', ...cfg.inputShape] },
    stateDims: ['batch', tokens, d],
    ctxDims: {},
    skipped: {},
    embedding(cx, x) {
      const emb = at('embedding');
      let t = emitDense(cx, emitPatches(cx, x, cfg.inputShape, cfg.patchSize), at('embedding.patch')); // [B, N, D]
      if (cfg.pooling === 'cls') t = emitPrependToken(cx, cx.floatWeight(emb, 'cls').name, x, t, d);
      return { h: t, ctx: {} };
    },
    block(cx, i, x) {
      const p = `blocks.${i}`;
      const g = cx.g;
      let b: string;
      if (model.strategy.residualBlocks) {
        const t = emitTokenMix(cx, emitLayerNorm(cx, x, at(`${p}.norm1`)), at(`${p}.tokenMix`));
        const a = g.node('Add', [x, t]);
        b = g.node('Add', [a, emitMlp(cx, emitLayerNorm(cx, a, at(`${p}.norm2`)), at(`${p}.channelMlp`))]);
      } else {
        const a = emitTokenMix(cx, emitLayerNorm(cx, x, at(`${p}.norm1`)), at(`${p}.tokenMix`));
        b = emitMlp(cx, emitLayerNorm(cx, a, at(`${p}.norm2`)), at(`${p}.channelMlp`));
      }
      if (cfg.postBlock !== 'linearReluSkipLN') return b;
      // The repository's post-block: LN(ReLU(Dense(b) + x)).
      return emitLayerNorm(cx, g.node('Relu', [g.node('Add', [emitDense(cx, b, at(`${p}.postFc`)), x])]), at(`${p}.norm3`));
    },
    head(cx, y) {
      return emitDense(cx, emitPool(cx, emitLayerNorm(cx, y, at('head.norm')), cfg.pooling), at('head.fc'));
    },
  };
}
