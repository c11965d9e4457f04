/**
 * Data-parallel training on `worker_threads`: model replicas on their own backends, gradients
 * summed through shared memory, one AdamW update on the main thread (`train({ workers })`).
 */
export { DataParallelPool, shardRows, type DataParallelPoolOptions, type ShardedGradients } from './pool';
export { DataParallelStepper, resolveWorkers, startDataParallel, type DataParallelOptions, type WorkersOption } from './data-parallel';
export { attachHookSpecs, checkHookSpecs, type WorkerHookSpec } from './hook-spec';
export { threadCpuMs } from './thread-cpu';
export { paramLayout, readWeights, writeWeights, type ParamLayout, type ParamSlot } from './param-layout';
