export { currentBackend, initBackend } from './backend.js'
export type { BackendInfo, BackendName, BackendPreference, InitBackendOptions } from './backend.js'
export {
  countParameters,
  defaultModelConfig,
  forwardFlops,
  headDim,
  resolveCheckpointConfig,
  resolveModelConfig,
  SUPPORTED_ARCHITECTURES,
  toHuggingFaceConfig,
} from './config.js'
export type { ModelSizeOptions, Qwen2Config } from './config.js'
export {
  ActionConstraint,
  CONSTRAINED_PREFIX,
  CONSTRAINED_SUFFIX,
  replayConstraint,
  slotWordsFromPrompt,
  wrapAction,
} from './constraint.js'
export type { ActionConstraintOptions, ConstraintReplay, ConstraintState } from './constraint.js'
export { CheckpointError } from './errors.js'
export type { CheckpointErrorOptions, CheckpointErrorReason } from './errors.js'
export { generate } from './generation.js'
export type { GenerationOptions, GenerationOutput, GenerationRequest } from './generation.js'
export {
  HfTokenizer,
  isHfTokenizerJson,
  loadHfTokenizer,
  QWEN_DEFAULT_SYSTEM_PROMPT,
  qwenChatML,
} from './hf-tokenizer.js'
export type { ChatTemplateChoice, HfTokenizerFiles, HfTokenizerOptions } from './hf-tokenizer.js'
export { aggregate, aggregationWeights, klPenalty, ppoDualClipLoss } from './loss.js'
export type { DualClipOptions, KlEstimator, LossAggMode } from './loss.js'
export { loadQwen2Model } from './load-model.js'
export type { LoadQwen2ModelOptions } from './load-model.js'
export {
  countLoraParameters,
  LORA_TARGET_MODULES,
  LoraAdapters,
  loraScale,
  parseAdapterConfig,
  peftName,
  resolveLora,
} from './lora.js'
export type { LoraOptions, LoraPair, LoraSettings, LoraTargetModule } from './lora.js'
export { formatBytes, MemoryPlanError, planMemory, WASM_HEAP_BYTES } from './memory-plan.js'
export type {
  MemoryPlan,
  MemoryPlanInput,
  MemoryPlanItem,
  MemoryPlanRequest,
  MemoryPlanSettings,
  TrainingMode,
} from './memory-plan.js'
export { Qwen2Model, parameterSpecs } from './model.js'
export type { NamedTensor } from './named-tensor.js'
export type {
  CreateModelOptions,
  LayerKv,
  PackedSequences,
  ParameterSpec,
  SequenceKv,
  WeightSource,
} from './model.js'
export {
  embed,
  embedTransposed,
  headLogProbsAndEntropy,
  linear,
  linearFrozen,
  matMul2d,
  tokenLogProbsAndEntropy,
} from './ops.js'
export type { HeadTermsOptions, LinearImpl, LinearOptions } from './ops.js'
export { AdamW, resolveAdamW } from './optimizer.js'
export type { AdamWOptions, AdamWSettings } from './optimizer.js'
export { createPolicy, loadPolicy, modelConfigFor, TfjsPolicy } from './policy.js'
export type {
  ConstraintSpec,
  CreatePolicyOptions,
  LoadPolicyOptions,
  PolicySample,
  PolicyUpdateOptions,
  PolicyUpdateResult,
  PolicyUpdateRow,
  ScoreOptions,
  ScoreResult,
  SftExample,
  SftOptions,
  SftResult,
  TfjsActOptions,
  TfjsActResult,
} from './policy.js'
export {
  parseSafetensors,
  readSafetensorsHeader,
  readSafetensorsTensor,
  serializeSafetensors,
} from './safetensors.js'
export type {
  SafetensorsContents,
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsHeader,
} from './safetensors.js'
export { readSafetensorsDirectory, SafetensorsCheckpoint } from './checkpoint.js'
export type { CheckpointTensor } from './checkpoint.js'
export { sampleToken, validateSampling } from './sampling.js'
export type { SampledToken, SampleTokenOptions, SamplingSettings, UniformSource } from './sampling.js'
export {
  buildWordTokenizer,
  DEFAULT_ADDED_TOKENS,
  splitPieces,
  WORD_SPECIAL_TOKENS,
  WordTokenizer,
} from './tokenizer.js'
export type { BuildWordTokenizerOptions, Tokenizer, WordTokenizerJSON } from './tokenizer.js'
export { loadTokenizer, tokenizerFromJSON } from './load-tokenizer.js'
export { createValueModel, loadValueModel, TfjsValueModel } from './value-model.js'
export type {
  CreateValueModelOptions,
  ValueUpdateOptions,
  ValueUpdateResult,
  ValueUpdateRow,
} from './value-model.js'
export type { TokenSample } from './batch.js'
export { registerGradients } from './gradients.js'
export { tf } from './tf.js'
