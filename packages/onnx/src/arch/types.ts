/**
 * What the exporter needs from an architecture: the graph input, and how to emit the embedding
 * (`x_0`), one block `f_i` and the shared head. The wiring between blocks (the connectivity) is
 * not here: it lives in `../wiring.ts`, once for every architecture.
 */
import type { BlockModel, Layer } from '@acn/core';
import type { EmitContext } from '../emit-context';
import { OnnxError } from '../errors';
import type { Dim } from '../graph';

/** Per-sample values the blocks and the head read besides the state (BERT: the padding mask). */
export interface BlockCtx {
  /** `[B, T]` float, 1 = token, 0 = padding. */
  readonly keep?: string;
}

/** The emitters of one architecture for one model. */
export interface ArchEmitter {
  /** The model input: ONNX element type and dims (`batch` is symbolic). */
  readonly input: { readonly elemType: number; readonly dims: readonly Dim[] };
  /** Dims of `x_0` and every block output. */
  readonly stateDims: readonly Dim[];
  /** Dims of each `BlockCtx` value, for segment graphs. */
  readonly ctxDims: Readonly<Partial<Record<keyof BlockCtx, readonly Dim[]>>>;
  /** Weight path prefixes deliberately not exported (e.g. BERT's masked-LM head), with why. */
  readonly skipped: Readonly<Record<string, string>>;
  embedding(cx: EmitContext, x: string): { h: string; ctx: BlockCtx };
  block(cx: EmitContext, i: number, h: string, ctx: BlockCtx): string;
  head(cx: EmitContext, y: string, ctx: BlockCtx): string;
}

/** Builds the emitter of a model (reads its config and layers). */
export type ArchFactory = (model: BlockModel) => ArchEmitter;

/** Layer lookup by path, failing with `unsupported-layer` naming the missing path. */
export function layerMap(model: BlockModel): (path: string) => Layer {
  const byPath = new Map(model.layers().map((l) => [l.path, l]));
  return (path) => {
    const l = byPath.get(path);
    if (!l) throw new OnnxError('unsupported-layer', `the exporter expected a layer at '${path}' in this ${model.config.architecture} model, found none`, path);
    return l;
  };
}
