/**
 * The bench's shared types, in one module that imports nothing else of the app's except leaf modules (the
 * fingerprint, the paper's references, task subsets), so every other module's imports point one way: experiments,
 * presets, results, the report and the runner all import their types from here.
 */
import type { EstimatorName, GigpoMode, MetricsRecord, TrainerConfigInput } from '@gigpo/trainer'
import type { PaperReferences } from './paper.js'
import type { TaskSubset } from './task-subset.js'

/** The environments of the paper's Table 1. */
export type EnvId = 'alfworld' | 'webshop'

/**
 * An algorithm variant: which estimator, and GiGPO's settings. Everything else (rollout budget, optimiser,
 * KL, clip, γ) comes from the preset and is the same for every variant, as in the paper (§5.1: "exactly the
 * same hyperparameters").
 */
export interface Variant {
  /** Directory-safe id, e.g. `gigpo-std` or `gigpo-nostd-w0.5`. */
  readonly id: string
  /** Row label in the tables, e.g. `GiGPO w/ std`. */
  readonly label: string
  readonly estimator: EstimatorName
  /** GiGPO's F_norm (Eq. 3, 7). */
  readonly mode?: GigpoMode
  /** GiGPO's ω (Eq. 8). @defaultValue `1` */
  readonly stepAdvantageWeight?: number
  /** GRPO: divide by the group std (`norm_adv_by_std_in_grpo`). @defaultValue `true` */
  readonly grpoNormalizeByStd?: boolean
  /** The `method` of the matching `references/paper.json` Table 1 row, if any. */
  readonly paperMethod?: string
}

/** One training run: an environment, a variant and a seed. */
export interface RunSpec {
  readonly env: EnvId
  readonly variant: Variant
  readonly seed: number
}

/** What an experiment sees when it lists its runs. */
export interface PlanContext {
  readonly preset: BenchPreset
  /** The seeds of this invocation (the preset's, or `--seeds`). */
  readonly seeds: readonly number[]
  /** The environments of this invocation (the preset's, or `--envs`). */
  readonly envs: readonly EnvId[]
}

/** An experiment: its runs and its report section. */
export interface Experiment {
  /** Short id used on the command line (`--experiments table1,ablations`). */
  readonly id: string
  /** Section title in RESULTS.md. */
  readonly title: string
  /** Where in the paper the numbers it compares with come from, e.g. `Table 1`. */
  readonly paperRef: string
  /** One line for `--list`. */
  readonly summary: string
  /**
   * The runs it needs. Runs with the same id (same env, variant, seed) are trained once and shared between
   * experiments (the compute-cost table reads Table 1's GiGPO runs, for example).
   */
  runs(context: PlanContext): readonly RunSpec[]
  /** Markdown of its section of RESULTS.md (it may write plots through `context.plot`). */
  report(context: ReportContext): string | Promise<string>
}

/**
 * Where training rollouts run (the trainer's `rollouts` option): in the training process, in worker threads on this
 * machine, or on `gigpo worker` processes over a Redis queue. The final evaluations and the SFT probes run in the
 * training process either way.
 */
export type BenchRollouts =
  | { readonly backend: 'in-process' }
  | { readonly backend: 'threads'; readonly threads: number }
  | { readonly backend: 'queue'; readonly redis: string }

/**
 * The base policy of every method loaded from a directory (`--policy DIR`) instead of the preset's model built from
 * scratch: a Hugging Face Qwen2 checkpoint (e.g. Qwen2.5-1.5B-Instruct) or a policy saved by `TfjsPolicy.save`.
 */
export interface BenchPolicySource {
  /** The directory (absolute). */
  readonly dir: string
  /** Train LoRA adapters of this rank on the loaded weights (every method's adapters start at zero). */
  readonly loraRank?: number
  /** Run the preset's SFT warm start on top of the loaded weights. @defaultValue `false` (the loaded model is the base) */
  readonly sft: boolean
}

/** Settings of a `--policy` load that do not change the results (so a resumed run may change them). */
export interface PolicyLoadSettings {
  /** The memory plan's budget in bytes (`--memory-budget`, e.g. the GPU's memory). @defaultValue 80% of system memory */
  readonly memoryBudgetBytes?: number
}

/** What the fingerprint and the report say about a `--policy` directory (from its `config.json`). */
export interface PolicySourceInfo extends BenchPolicySource {
  /** `config.json`'s `architectures[0]` (or `model_type`). */
  readonly architecture: string
  readonly hiddenSize: number
  readonly layers: number
  readonly vocabSize: number
  /** Parameters of the model (without adapters). */
  readonly parameters: number
}

/** Preset names. */
export type BenchPresetName = 'quick' | 'standard' | 'paper' | 'smoke'

/** The size knobs of the policy model (Hugging Face `Qwen2Config` names). */
export interface ModelSize {
  readonly hidden_size?: number
  readonly intermediate_size?: number
  readonly num_hidden_layers?: number
  readonly num_attention_heads?: number
  readonly num_key_value_heads?: number
  readonly max_position_embeddings?: number
}

/** Supervised warm start that makes the shared SFT base (a stand-in for the paper's instruct model). */
export interface SftBudget {
  /** Expert episodes played for demonstrations (won ones become examples). */
  readonly demonstrations: number
  readonly epochs: number
  readonly batchSize: number
  readonly lr: number
  /**
   * Probability that a demonstration step takes a random admissible command instead of the expert's (not
   * recorded; the expert then acts from where it led), so the base sees recovery states. Needs an expert that
   * acts from any state (ALFWorld's). @defaultValue `0`
   */
  readonly perturbation?: number
  /** Step cap of a demonstration episode. @defaultValue the reference's (ALFWorld 50, WebShop 15) */
  readonly maxSteps?: number
  /**
   * Early stop, for a base that succeeds sometimes but not always: from epoch `from`, every `every` epochs, the
   * base plays `episodes` probe episodes (the evaluation tasks at the validation temperature, with sampling seeds
   * of their own) and SFT stops once their success rate reaches `successRate` (at the latest after `epochs`).
   * A small model's SFT success jumps from 0 to high within a few epochs, at an epoch that varies with the seed.
   */
  readonly stopAt?: {
    readonly successRate: number
    readonly episodes: number
    readonly from: number
    readonly every: number
  }
}

/** Everything one environment's runs use under a preset. */
export interface EnvBudget {
  /**
   * Trainer config shared by every variant (rollout budget, step cap, iterations, optimiser, validation). The
   * variant adds its `algorithm` section; the seed sets `env.seed` and `trainer.seed`.
   */
  readonly trainer: TrainerConfigInput
  /** The evaluation of the final policy (and of the SFT base): episodes × rollouts on the eval split. */
  readonly finalEval: { readonly episodes: number; readonly rollouts: number }
  readonly sft: SftBudget
  /**
   * A fixed task subset that training, the demonstrations and the evaluation all use (an in-distribution check
   * at memorisation scale); absent: the reference's task draw on the train split and evaluation on the eval
   * split (ALFWorld `valid_seen`, WebShop test goals).
   */
  readonly tasks?: TaskSubset
}

/** A bench preset. */
export interface BenchPreset {
  readonly name: BenchPresetName
  /** One paragraph for the README / RESULTS.md. */
  readonly description: string
  /** Seeds run by default. */
  readonly seeds: readonly number[]
  /** Environments run by default. */
  readonly envs: readonly EnvId[]
  /** Experiments run by default (ids of `experiments/*.ts`). */
  readonly experiments: readonly string[]
  /** Policy model size. */
  readonly model: ModelSize
  /** Word-vocabulary size of the policy's tokenizer (built from the environments' texts). */
  readonly vocabularySize: number
  /** Include PPO with a critic in Table 1. */
  readonly ppo: boolean
  /** ω values of the ω ablation (besides ω = 1 of Table 1; ω = 0 is "w/o step term"). */
  readonly ablationOmegas: readonly number[]
  readonly alfworld: EnvBudget
  readonly webshop: EnvBudget
  /** Wall time measured for the default invocation on the reference machine, for the README and the report. */
  readonly measured?: string
}

/** The outcome of one evaluation episode. */
export interface EpisodeOutcome {
  /** Evaluation slot (the same slot plays the same task in every run of a preset: results are paired). */
  readonly slot: number
  /** Evaluation rollout index (0 … rollouts − 1). */
  readonly rollout: number
  readonly taskId: string
  /** ALFWorld task type (`pick_and_place`, …); absent for WebShop. */
  readonly taskType?: string
  readonly success: boolean
  /** WebShop task score in [0, 1]; absent for ALFWorld. */
  readonly score?: number
  /** Steps taken. */
  readonly length: number
}

/** `eval.json`: the evaluation of a final policy or of an SFT base. */
export interface Evaluation {
  readonly format: 'gigpo-bench-eval/v1'
  readonly env: EnvId
  readonly split: string
  readonly episodes: readonly EpisodeOutcome[]
  /** The trainer's `val/*` metrics of this evaluation. */
  readonly metrics: Readonly<Record<string, number>>
  /** Wall seconds of the evaluation. */
  readonly seconds: number
}

/** `base.json`: how the SFT base was made. */
export interface BaseInfo {
  readonly format: 'gigpo-bench-base/v1'
  readonly env: EnvId
  readonly seed: number
  /** `warm_start/*`-style metrics of the SFT (examples, expert success, loss). */
  readonly metrics: Readonly<Record<string, number>>
  readonly seconds: number
  readonly parameters?: number
  /** The SFT settings used (absent when the base is a `--policy` directory used as it is). */
  readonly sft?: SftBudget
  /** The `--policy` directory the base came from (absent: the preset's model from scratch). */
  readonly policy?: BenchPolicySource
}

/** A run as the report sees it. */
export interface RunResult {
  readonly spec: RunSpec
  readonly id: string
  /** `complete`: evaluated; `partial`: some iterations logged; `missing`: nothing yet. */
  readonly status: 'complete' | 'partial' | 'missing'
  readonly metrics: readonly MetricsRecord[]
  /** The bench's advantage diagnostics per iteration (`diagnostics.jsonl`). */
  readonly diagnostics: readonly MetricsRecord[]
  readonly evaluation?: Evaluation
}

/** The report's view of a preset's output directory. */
export interface ReportContext {
  readonly preset: BenchPreset
  readonly seeds: readonly number[]
  readonly envs: readonly EnvId[]
  readonly paper: PaperReferences
  /** Fingerprint of the invocation that wrote the report (absent when none was recorded). */
  readonly fingerprint?: Fingerprint
  /** The trainer config the runs of `env` used (a run's `config.json`; the preset's when none recorded one). */
  trainerConfig(env: EnvId): TrainerConfigInput
  /** The run's metrics and evaluation (`status: 'missing'` when it has not run). */
  run(spec: RunSpec): RunResult
  /** The evaluation of the SFT base of (env, seed), if done. */
  baseEvaluation(env: EnvId, seed: number): Evaluation | undefined
  /** How the SFT base of (env, seed) was made, if done. */
  baseInfo(env: EnvId, seed: number): BaseInfo | undefined
  /** Adds an SVG plot under `plots/<name>.svg`; returns the link relative to RESULTS.md. */
  plot(name: string, svg: string): string
  /** Root of the repository (for the micro-benchmark results in `bench-results/`). */
  readonly repoRoot: string
}

/** `run.json`. */
export interface Fingerprint {
  readonly format: 'gigpo-bench-fingerprint/v1'
  /** ISO time the fingerprint was taken. */
  readonly date: string
  /** `git rev-parse HEAD`, with `-dirty` when the working tree has changes; `unknown` outside git. */
  readonly gitSha: string
  /** Versions of every `@gigpo/*` workspace package. */
  readonly packages: Readonly<Record<string, string>>
  /** `@tensorflow/tfjs-core` (and backend packages) versions, as installed. */
  readonly tfjs: Readonly<Record<string, string>>
  /** The TF.js backend the policy ran on (`wasm`, `node`, `node-gpu`, `cpu`), with its details. */
  readonly backend: string
  readonly cpu: { readonly model: string; readonly cores: number; readonly availableParallelism: number }
  readonly memoryGb: number
  readonly node: string
  readonly os: string
  /** The command line of the invocation. */
  readonly command: string
  /** The `--policy` directory every base started from (absent: the preset's model from scratch). */
  readonly policy?: PolicySourceInfo
}
