/**
 * What the bench composes: environment suites, policies and critics. The real components (TF.js policy, ALFWorld
 * and WebShop suites) live in `real-components.ts`; tests plug in the trainer's scripted suite and tabular
 * policy through the same interface.
 */
import type { EnvSuite, RolloutRuntimeSpec, TrainablePolicy, ValueModel } from '@gigpo/trainer'
import type { BenchPolicySource, BenchPreset, EnvId, PolicySourceInfo } from './types.js'

/** A policy the bench can train, plus what the report wants to know about it. */
export interface BenchPolicy extends TrainablePolicy {
  /** Number of parameters (for the report), when known. */
  readonly parameterCount?: number
  /** Forgets optimizer moments (between the SFT base and RL), when supported. */
  resetOptimizer?(): void
}

/** Options of {@link BenchComponents.createPolicy}. */
export interface CreateBenchPolicyOptions {
  readonly env: EnvId
  readonly seed: number
  readonly preset: BenchPreset
  /** Texts of the environment (demonstration prompts and responses) to build a vocabulary from. */
  readonly corpus: readonly string[]
}

/** Options of {@link BenchComponents.loadPolicy}. */
export interface LoadBenchPolicyOptions {
  /** Attach fresh LoRA adapters of this rank (only for a directory without adapters of its own). */
  readonly loraRank?: number
  /** Receives the memory plan (printable text) before any weight is read, when the loader makes one. */
  readonly onMemoryPlan?: (text: string) => void
  /**
   * The workload the memory plan is made for: sequences generated together (a training rollout's groups × N) and
   * tokens per sequence (prompt + response caps). @defaultValue the loader's (batch 8)
   */
  readonly workload?: {
    readonly batch: number
    readonly context: number
    /** Bytes the model may use (e.g. the GPU's memory). @defaultValue the loader's (80% of system memory) */
    readonly budgetBytes?: number
  }
}

/** The building blocks of a bench run. */
export interface BenchComponents {
  /** The compute backend in words, for the fingerprint (e.g. `wasm (SIMD, 1 thread)`). */
  backend(): Promise<string>
  /** The environment suite of `env` (tasks, prompts, expert, per-type metrics). */
  suite(env: EnvId): EnvSuite
  /** A freshly initialised policy for the SFT base of (env, seed). */
  createPolicy(options: CreateBenchPolicyOptions): Promise<BenchPolicy>
  /** A policy saved with `save` (the SFT base), or a `--policy` directory (a Hugging Face checkpoint). */
  loadPolicy(dir: string, options?: LoadBenchPolicyOptions): Promise<BenchPolicy>
  /**
   * Checks a `--policy` directory without reading its weights (config, weight headers, tokenizer) and describes it;
   * throws (a `CheckpointError` of policy-tfjs for the real components) when it cannot be loaded.
   */
  describePolicy?(source: BenchPolicySource): Promise<PolicySourceInfo>
  /** The PPO critic, initialised from the policy, when PPO is supported. */
  createCritic?(options: { readonly policy: BenchPolicy; readonly seed: number }): Promise<ValueModel>
  /** Loads a critic saved by the trainer's checkpoints (resuming a PPO run). */
  loadCritic?(dir: string): Promise<ValueModel>
  /** Tensor bytes in use, for the trainer's memory metrics. */
  tensorBytes?(): number
  /**
   * The demonstration response for an expert action under a decoding mode (constrained decoding forces the
   * `<think></think><action>` prefix, so its SFT targets must have that shape); `undefined` = the trainer's
   * default (`<think>…</think><action>…</action>`).
   */
  demonstrationResponse?(decoding: 'free' | 'constrained'): ((action: string) => string) | undefined
  /**
   * The runtime that rollout worker threads or queue workers build to run `env`'s training rollouts under
   * `preset` (the same suite, task subset and policy loader as in-process); needed for `--rollouts threads|queue`.
   */
  rolloutRuntime?(options: { readonly env: EnvId; readonly preset: BenchPreset }): RolloutRuntimeSpec
}
