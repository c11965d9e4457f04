import type { BackendKind } from '../../backend/init-backend';
import type { ModelStructure } from '../../models/block-model';
import type { WorkerHookSpec } from './hook-spec';
import type { ParamLayout } from './param-layout';

/**
 * Shared memory of one data-parallel pool. The main thread writes `weights` and the batch; worker
 * `k` reads its rows of the batch and writes its gradients into `grads[k·trainableTotal ...]`.
 */
export interface SharedBuffers {
  /** Every model weight (float32, `layout.total`). */
  readonly weights: SharedArrayBuffer;
  /** `workers × layout.trainableTotal` float32 gradients. */
  readonly grads: SharedArrayBuffer;
  /** Batch inputs, `maxBatch × prod(sampleShape)` float32 (int32 ids stored as exact floats). */
  readonly x: SharedArrayBuffer;
  /** Batch labels, `maxBatch` int32. */
  readonly y: SharedArrayBuffer;
}

/** `workerData` of a data-parallel worker: everything needed to build an identical replica. */
export interface WorkerInit {
  readonly index: number;
  readonly backend: { readonly kind: BackendKind; readonly fastPaths: boolean };
  readonly config: Record<string, unknown>;
  readonly structure: ModelStructure;
  readonly hookSpecs: readonly WorkerHookSpec[];
  /** Hook names on the main model, in attach order (the replica must match). */
  readonly hookNames: readonly string[];
  readonly layout: ParamLayout;
  readonly buffers: SharedBuffers;
  readonly sampleShape: readonly number[];
  readonly inputDtype: 'float32' | 'int32';
  readonly labelSmoothing: number;
  readonly probes: boolean;
  /** Set only when started from TypeScript source: the `.ts` entry the bootstrap imports. */
  readonly __acnTsEntry?: string;
}

/** Main → worker: compute the gradients of batch rows `[offset, offset + count)` at `step`. */
export interface StepRequest {
  readonly type: 'step';
  readonly step: number;
  readonly offset: number;
  readonly count: number;
}

/** Worker → main messages. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly loss: number;
      /**
       * Paths of trainable weights the loss does not reach (e.g. an unused masked-LM head): no
       * gradient, zeros in the shared region. The single-thread step leaves them out of the update.
       */
      readonly noGradient: readonly string[];
      readonly numTensors: number;
      /** CPU time of this worker thread for the step (ms; undefined off Linux). */
      readonly cpuMs?: number;
    }
  | { readonly type: 'error'; readonly message: string };
