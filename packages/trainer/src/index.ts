// Config
export { parseTrainerConfig, resolveTrainerConfig } from './config/parse.js'
export type { ParseTrainerConfigResult } from './config/parse.js'
export { presetDefaults } from './config/presets.js'
export { trainerConfigJsonSchema } from './config/json-schema.js'
export type {
  ActorConfig,
  AlgorithmConfig,
  CriticConfig,
  DeepPartial,
  EnvConfig,
  EnvName,
  EstimatorName,
  GigpoConfig,
  GigpoMode,
  KlLossType,
  LossAggMode,
  PresetName,
  RolloutConfig,
  RunConfig,
  TrainerConfig,
  TrainerConfigInput,
  ValidationConfig,
  WarmStartConfig,
} from './config/types.js'

// Trainer
export { createTrainer } from './trainer.js'
export type { CreateTrainerOptions, Trainer } from './trainer.js'
export { runIteration } from './iteration.js'
export type { IterationStats, StageName, TrainerEvent, TrainingContext } from './context.js'

// Contracts the trainer needs from policies, critics and environments
export type {
  PolicyUpdateOptions,
  PolicyUpdateResult,
  PolicyUpdateRow,
  ReferencePolicy,
  ScoredSample,
  ScoreOptions,
  SftExample,
  SftOptions,
  SftResult,
  TokenSample,
  TrainablePolicy,
  ValueModel,
  ValueUpdateOptions,
  ValueUpdateRow,
} from './policy.js'
export type { CreateEnvOptions, EnvSuite, ExpertContext, TaskAssignment, TaskDrawOptions } from './suite.js'

// Built-in environment suites
export { ALFWORLD_TASK_TYPES, createAlfworldSuite } from './suites/alfworld.js'
export type { AlfworldSuiteOptions } from './suites/alfworld.js'
export { createWebShopSuite } from './suites/webshop.js'
export type { WebShopSuiteOptions } from './suites/webshop.js'

// Rollout
export { collectRollout } from './rollout/collect.js'
export type { CollectRolloutOptions } from './rollout/collect.js'
export { createLocalRolloutWorker } from './rollout/local-worker.js'
export type { LocalRolloutWorkerOptions } from './rollout/local-worker.js'
export type {
  RolloutJob,
  RolloutProgress,
  RolloutResult,
  RolloutRunOptions,
  RolloutSampling,
  RolloutStats,
  RolloutStep,
  RolloutTrajectory,
  RolloutWorker,
  RolloutWorkerStatus,
} from './rollout/types.js'

// Distributed rollouts: worker threads, and a BullMQ job queue on Redis
export { createRolloutBackend } from './rollout/backend.js'
export type { RolloutBackendOptions } from './rollout/backend.js'
export { createThreadRolloutWorker } from './rollout/thread-worker.js'
export type { ThreadRolloutWorker, ThreadRolloutWorkerOptions } from './rollout/thread-worker.js'
export { createQueueRolloutWorker } from './rollout/queue-rollout-worker.js'
export type { QueueRolloutWorker, QueueRolloutWorkerOptions } from './rollout/queue-rollout-worker.js'
export { startQueueWorker } from './rollout/queue-worker.js'
export type { QueueWorker, QueueWorkerEvent, QueueWorkerOptions } from './rollout/queue-worker.js'
export { builtinRolloutRuntime, builtinRuntimeSpec, loadRolloutRuntime } from './rollout/runtime.js'
export type {
  BuiltinRolloutRuntimeOptions,
  RolloutPolicy,
  RolloutRuntime,
  RolloutRuntimeSpec,
} from './rollout/runtime.js'
export type { PublishablePolicy } from './rollout/publish.js'
export { groupShard, mergeRolloutResults, splitRolloutJob } from './rollout/shards.js'
export type { SplitRolloutJobOptions } from './rollout/shards.js'
export { requestSeed } from './rollout/collect.js'
export { deriveSeed } from './seed.js'

// Stages
export { buildStepBatch } from './batch.js'
export type { StepBatch } from './batch.js'
export { computeAdvantages, tokenGae } from './advantage.js'
export type { AdvantageStageResult, ComputeAdvantagesOptions } from './advantage.js'
export { createEstimator } from './estimators.js'
export { miniBatches, updateActor, updateCritic } from './update.js'
export type { UpdateActorOptions, UpdateCriticOptions } from './update.js'
export { validate } from './validation.js'
export type { ValidateOptions, ValidationResult } from './validation.js'
export { collectDemonstrations, demonstrationResponse } from './warm-start.js'
export type { CollectDemonstrationsOptions, DemonstrationPerturbation, Demonstrations } from './warm-start.js'

// Metrics, timers, checkpoints
export { createMemoryTracker, createMetricsLog, readMetricsFile } from './metrics.js'
export type { MemoryTracker, Metrics, MetricsLog, MetricsRecord } from './metrics.js'
export { createStageTimer } from './timer.js'
export type { StageTimer } from './timer.js'
export { configDifferences, readLatestCheckpoint, runLayout } from './checkpoint.js'
export type { RunLayout, TrainerState } from './checkpoint.js'
