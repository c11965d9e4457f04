/** ViT (`createVit`) in ONNX: patches (+ CLS) + positions, transformer blocks, pool → LN → fc head. */
import type { BlockModel, Layer, VitConfig } from '@acn/core';
import { emitDense } from '../dense';
import type { EmitContext } from '../emit-context';
import { DT } from '../graph';
import { emitAttention, emitGelu, emitLayerNorm, emitMlp } from '../layers';
import { emitPatches, emitPool, emitPrependToken } from './patches';
import { layerMap, type ArchEmitter } from './types';

/** The FFN with the repository's frozen identity path (`diracFfn`): `h = GELU(fc1(v) + [v, 0])`, `fc2(h) + h[..., :D]`. */
function emitDiracMlp(cx: EmitContext, v: string, fc1: Layer, fc2: Layer, dim: number, hidden: number): string {
  const g = cx.g;
  const eye1 = hidden === dim ? v : g.node('Pad', [v, g.constI64([0, 0, 0, 0, 0, hidden - dim])]); // [B, T, hidden]
  const h = emitGelu(cx, g.node('Add', [emitDense(cx, v, fc1), eye1]));
  const eye2 = hidden === dim ? h : g.node('Slice', [h, g.constI64([0]), g.constI64([dim]), g.constI64([2])]);
  return g.node('Add', [emitDense(cx, h, fc2), eye2]);
}

/** The ViT's emitters. */
export function vitEmitter(model: BlockModel): ArchEmitter {
  const cfg = model.config as VitConfig;
  const at = layerMap(model);
  const [h, w] = cfg.inputShape;
  const tokens = (h / cfg.patchSize) * (w / cfg.patchSize) + (cfg.clsToken ? 1 : 0);
  const d = cfg.hiddenDim;
  const ffn = (cx: EmitContext, x: string, p: string) =>
    cfg.diracFfn ? emitDiracMlp(cx, x, at(`${p}.mlp.fc1`), at(`${p}.mlp.fc2`), d, cfg.mlpDim) : emitMlp(cx, x, at(`${p}.mlp`));
  return {
    input: { elemType: DT.FLOAT, dims: ['batch', ...cfg.inputShape] },
    stateDims: ['batch', tokens, d],
    ctxDims: {},
    skipped: {},
    embedding(cx, x) {
      const emb = at('embedding');
      let t = emitDense(cx, emitPatches(cx, x, cfg.inputShape, cfg.patchSize), at('embedding.patch'));
      if (cfg.clsToken) t = emitPrependToken(cx, cx.floatWeight(emb, 'cls').name, x, t, d);
      return { h: cx.g.node('Add', [t, cx.floatWeight(emb, 'pos').name]), ctx: {} };
    },
    block(cx, i, x) {
      const p = `blocks.${i}`;
      const g = cx.g;
      if (model.strategy.residualBlocks) {
        const a = emitAttention(cx, emitLayerNorm(cx, x, at(`${p}.norm1`)), at(`${p}.attn`));
        const xa = g.node('Add', [x, a]);
        return g.node('Add', [xa, ffn(cx, emitLayerNorm(cx, xa, at(`${p}.norm2`)), p)]);
      }
      const u = emitAttention(cx, emitLayerNorm(cx, x, at(`${p}.norm1`)), at(`${p}.attn`));
      return ffn(cx, emitLayerNorm(cx, u, at(`${p}.norm2`)), p);
    },
    head(cx, y) {
      return emitDense(cx, emitLayerNorm(cx, emitPool(cx, y, cfg.pooling), at('head.norm')), at('head.fc'));
    },
  };
}
