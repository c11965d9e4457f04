/**
 * `@acn/core`: backends, the layer-hook contract, layers, connectivity (acn / residual /
 * feedforward), models (MLP-Mixer, MLP), training, checkpoints and truncation for Auto-Compressing
 * Networks on TensorFlow.js.
 *
 * @example
 * ```ts
 * import { initBackend, createMixer, train, evaluate, truncate } from '@acn/core';
 * await initBackend('auto');
 * const model = createMixer({ inputShape: [28, 28, 1], numClasses: 10, depth: 8, connectivity: 'acn' });
 * await train(model, trainSet, { epochs: 5, evalData: testSet, evalProbes: true });
 * const small = truncate(model, 4);
 * ```
 */
export { tf } from './tf';
export type { Tensor, Variable } from './tf';

// Backends
export {
  BackendError,
  COMPARISON_KERNELS,
  currentBackend,
  initBackend,
  registerWasmFastPaths,
  registerZeroGradients,
  unregisterWasmFastPaths,
  wasmFastPathsActive,
} from './backend';
export type { BackendAttempt, BackendErrorCode, BackendInfo, BackendKind, InitBackendOptions } from './backend';

// Ops
export { dense, denseFused, gelu, geluFused, layerNorm, layerNormFused, stopGradient, sumRows } from './ops';

// Layer hooks
export { HookHost } from './hooks/host';
export type { HookHandle } from './hooks/host';
export { HookError } from './hooks/errors';
export { compressorHook } from './hooks/compressor';
export type { CompressedLayer, Compressor } from './hooks/compressor';
export { LAYER_KINDS } from './hooks/types';
export type { Forward, ForwardContext, HookFilter, HookSetupContext, LayerCost, LayerHook, LayerInfo, LayerKind, Parametrization } from './hooks/types';

// Layers
export { Layer } from './nn/layer';
export type { HookBinding } from './nn/layer';
export { DenseLayer } from './nn/dense-layer';
export type { LayerOptions } from './nn/dense-layer';
export { LayerNormLayer } from './nn/layer-norm-layer';
export { MlpLayer } from './nn/mlp-layer';
export { TokenMixingLayer } from './nn/token-mixing-layer';
export { MASKED_SCORE, MultiHeadAttention, attentionCore } from './nn/attention-layer';
export { EmbeddingLayer, embeddingLookup } from './nn/embedding-layer';
export type { AttentionCoreOptions, MultiHeadAttentionOptions } from './nn/attention-layer';
export { standardNormal, torchUniform } from './nn/init';
export { Rng } from './random';

// Models
export { BlockModel } from './models/block-model';
export type { BaseModelConfig, ForwardOptions, ForwardResult, ModelStructure } from './models/block-model';
export { CONNECTIVITIES } from './models/connectivity';
export type { Connectivity } from './models/connectivity';
export { ConfigError, InputError } from './models/errors';
export type { InputErrorCode } from './models/errors';

// Connectivity strategies and the one block loop
export { ConnectionLayer } from './connectivity/connection-layer';
export { acnStrategy } from './connectivity/acn';
export { residualStrategy } from './connectivity/residual';
export { feedforwardStrategy } from './connectivity/feedforward';
export { DenseNetConnection, densenetStrategy } from './connectivity/densenet';
export { DenseFormerConnection, denseformerStrategy } from './connectivity/denseformer';
export { CONNECTIVITY_STRATEGIES, connectivityStrategy, hasResidualBlocks } from './connectivity/registry';
export { disposeReplaced, gatherState, stateTensors } from './connectivity/state';
export type { LoopState } from './connectivity/state';
export type { ConnectivityStrategy } from './connectivity/strategy';
export { walkPrefixes } from './connectivity/walk';
export type { PrefixControl, PrefixModel, PrefixVisitor, WalkOptions } from './connectivity/walk';

// Architectures and truncation
export { MlpMixer, createMixer, mixerConfig, mixerConfigSchema } from './models/mixer';
export type { MixerConfig, MixerConfigInput } from './models/mixer';
export { Mlp, createMlp, mlpConfig, mlpConfigSchema } from './models/mlp';
export type { MlpConfig, MlpConfigInput } from './models/mlp';
export { Vit, createVit, vitConfig, vitConfigSchema } from './models/vit';
export { Bert, MLM_IGNORE_LABEL, bertConfig, bertConfigSchema, createBert } from './models/bert';
export type { BertConfig, BertConfigInput, BertMlmOptions } from './models/bert';
export type { VitConfig, VitConfigInput } from './models/vit';
export { BUILTIN_ARCHITECTURES, createModel } from './models/create-model';
export type { ArchitectureTable, CreateModelOptions, ModelFactory } from './models/create-model';
export { copyWeights, truncate } from './models/truncate';

// Data
export { checkDataset, fromImageDataset, makeBatch, takeSubset } from './data/array-dataset';
export type { ArrayDataset, ImageDatasetLike } from './data/array-dataset';

// Training
export { AdamW } from './train/adamw';
export type { AdamWOptions, AdamWState } from './train/adamw';
export { constantLr, warmupCosine } from './train/schedule';
export type { LrSchedule, WarmupCosineOptions } from './train/schedule';
export { countCorrect, crossEntropy } from './train/loss';
export { clipByGlobalNorm, globalNorm } from './train/clip';
export { applyStepGradients, lossAndGradients, trainStep } from './train/train-step';
export {
  DataParallelPool,
  DataParallelStepper,
  attachHookSpecs,
  checkHookSpecs,
  paramLayout,
  readWeights,
  resolveWorkers,
  shardRows,
  startDataParallel,
  threadCpuMs,
  writeWeights,
} from './train/parallel';
export type { DataParallelOptions, DataParallelPoolOptions, ParamLayout, ParamSlot, ShardedGradients, WorkerHookSpec, WorkersOption } from './train/parallel';
export type { TrainStepOptions, TrainStepResult } from './train/train-step';
export { evaluate } from './train/evaluate';
export type { EvalResult, EvaluateOptions } from './train/evaluate';
export { train } from './train/trainer';
export type { EpochSummary, GradientsEvent, StepBeginEvent, StepEndEvent, TrainOptions, TrainResult, TrainerCallbacks } from './train/trainer';
export { TrainingError } from './train/errors';
export { createProgress } from './train/progress';
export type { ProgressMode, ProgressReporter } from './train/progress';

// Cost and latency accounting (params, FLOPs, bytes, wall-clock)
export {
  DEFAULT_KIND_FLOPS,
  GELU_FLOPS_PER_ELEMENT,
  LAYER_NORM_FLOPS_PER_ELEMENT,
  SOFTMAX_FLOPS_PER_ELEMENT,
  attentionFlops,
  checkpointBytes,
  compareCost,
  denseFlops,
  elements,
  measureLatency,
  mlpFlops,
  modelCost,
  modelLatency,
  normFlops,
} from './cost';
export type {
  BlockCost,
  CheckpointBytes,
  CostComparison,
  CostTotals,
  KindFlops,
  KindFlopsInput,
  LatencyOptions,
  LatencyStats,
  LayerCall,
  LayerCostEntry,
  ModelCost,
  ModelCostOptions,
  ModelLatencyOptions,
} from './cost';

// Checkpoints and file formats
export { loadCheckpoint, readManifest, saveCheckpoint } from './checkpoint/checkpoint';
export type {
  CheckpointInput,
  CheckpointManifest,
  LoadCheckpointOptions,
  LoadedCheckpoint,
  OptimizerManifest,
  SaveCheckpointOptions,
  TrainerState,
} from './checkpoint/checkpoint';
export { locateCheckpoint, recoverCheckpoint, removeLeftovers, verifyCheckpointDir } from './checkpoint/recovery';
export type { CheckpointLocation } from './checkpoint/recovery';
export {
  CheckpointError,
  decodeSafetensors,
  encodeSafetensors,
  safetensorsToTensors,
  readSafetensorsHeader,
  atomicLeftovers,
  sha256Hex,
  tensorsToSafetensors,
  writeDirAtomic,
  writeFileAtomic,
} from './io';
export type { AtomicFs, AtomicLeftover, CheckpointErrorCode, SafetensorsDtype, SafetensorsTensor } from './io';
