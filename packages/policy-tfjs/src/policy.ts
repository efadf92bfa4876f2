import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { computeActorLoss, type KlEstimator, type LossAggMode } from '@gigpo/core-advantage'
import {
  GigpoError,
  InvalidArgumentError,
  type ActOptions,
  type ActRequest,
  type ActResult,
  type Policy,
} from '@gigpo/protocol'
import { createRng, type Rng } from '@gigpo/random'
import { initBackend, type BackendInfo, type BackendPreference } from './backend.js'
import { chunkByTokens, checkTokenArray, packTeacherForced, type TokenSample } from './batch.js'
import { readJson, SafetensorsCheckpoint, writeDirectoryAtomic } from './checkpoint.js'
import {
  countParameters,
  defaultModelConfig,
  resolveCheckpointConfig,
  resolveModelConfig,
  toHuggingFaceConfig,
  type ModelSizeOptions,
  type Qwen2Config,
} from './config.js'
import { ActionConstraint, replayConstraint, slotWordsFromPrompt } from './constraint.js'
import { CheckpointError } from './errors.js'
import type { ChatTemplateChoice } from './hf-tokenizer.js'
import { LoraAdapters, parseAdapterConfig, resolveLora, type LoraOptions, type LoraSettings } from './lora.js'
import { MemoryPlanError, planMemory, type MemoryPlan, type MemoryPlanRequest } from './memory-plan.js'
import { generate } from './generation.js'
import { aggregate, aggregationWeights, klPenalty, ppoDualClipLoss } from './loss.js'
import { Qwen2Model } from './model.js'
import type { LinearImpl } from './ops.js'
import { tokenLogProbsAndEntropy } from './ops.js'
import {
  AdamW,
  resolveAdamW,
  upgradeOptimizerState,
  type AdamWOptions,
  type AdamWSettings,
} from './optimizer.js'
import { parseSafetensors, serializeSafetensors } from './safetensors.js'
import { validateSampling } from './sampling.js'
import { loadTokenizer } from './load-tokenizer.js'
import type { Tokenizer } from './tokenizer.js'
import { applyGradients, GradientAccumulator } from './train-step.js'
import { tf, type Tensor, type Tensor1D, type Tensor2D } from './tf.js'

/** How a response was constrained when it was sampled; pass it back to score it under the same distribution. */
export interface ConstraintSpec {
  /** The admissible actions the response was restricted to. */
  readonly admissibleActions: readonly string[]
  /** Words a template slot (`search[<your query>]`) could use. */
  readonly slotWords?: readonly string[]
}

/** A prompt/response pair to score or train on. */
export interface PolicySample extends TokenSample {
  /**
   * Present when the response was decoded in constrained mode: it is then scored under the masked,
   * renormalised distribution it was sampled from, and its forced tokens (log-probability 0) do not count in
   * the loss. {@link TfjsActResult.constraint} holds the value to pass.
   */
  readonly constraint?: ConstraintSpec
}

/** The result of {@link TfjsPolicy.act} for one request. */
export interface TfjsActResult extends ActResult {
  /** Constrained mode: the constraint the response followed (pass it on to `score`/`update`). */
  readonly constraint?: ConstraintSpec
}

/** Options of {@link TfjsPolicy.act}: the protocol's, plus the KV-cache switch. */
export interface TfjsActOptions extends ActOptions {
  /** Reuse keys/values of past tokens while decoding (off only to measure or test). @defaultValue `true` */
  readonly useKvCache?: boolean
}

/** Options of {@link TfjsPolicy.score}. */
export interface ScoreOptions {
  /** Samples per forward pass (also bounded by the policy's token budget). @defaultValue all */
  readonly microBatchSize?: number
  /** Logits are divided by this before the softmax (the reference uses the rollout temperature). @defaultValue `1` */
  readonly temperature?: number
}

/** Teacher-forced quantities of one sample, one value per response token. */
export interface ScoreResult {
  /** log π(token | prefix). */
  readonly logProbs: Float32Array
  /** Entropy of the (masked) next-token distribution at each response position. */
  readonly entropy: Float32Array
}

/** One step-row of a PPO/GiGPO mini-batch. */
export interface PolicyUpdateRow extends PolicySample {
  /** The row's advantage, broadcast to each of its response tokens (GiGPO: A_E + ω·A_S). */
  readonly advantage: number
  /**
   * Per-token advantages (PPO with GAE), used instead of `advantage` when present; one per response token.
   */
  readonly advantages?: ArrayLike<number>
  /** Log-probabilities of the response tokens under the behaviour (old) policy. */
  readonly oldLogProbs: ArrayLike<number>
  /** Log-probabilities under the frozen reference policy; required when `klCoef` > 0. */
  readonly refLogProbs?: ArrayLike<number>
}

/** Options of {@link TfjsPolicy.update}. The defaults are the reference's (verl-agent GiGPO scripts). */
export interface PolicyUpdateOptions {
  /** Rows per micro-batch (one backward pass group; `ppo_micro_batch_size_per_gpu`). @defaultValue `8` */
  readonly microBatchSize?: number
  /**
   * Each micro-batch loss is divided by this (`ppo_mini_batch_size / ppo_micro_batch_size`); the reference keeps
   * it fixed even for a short last mini-batch. @defaultValue the number of micro-batches in this call
   */
  readonly gradientAccumulation?: number
  /** Symmetric PPO clip ε. @defaultValue `0.2` */
  readonly clipRatio?: number
  /** @defaultValue `clipRatio` */
  readonly clipRatioLow?: number
  /** @defaultValue `clipRatio` */
  readonly clipRatioHigh?: number
  /** Dual-clip bound for negative advantages. @defaultValue `3` */
  readonly clipRatioC?: number
  /** Entropy bonus coefficient. @defaultValue `0.001` */
  readonly entropyCoeff?: number
  /** KL loss coefficient (`kl_loss_coef`); `0` disables the KL term. @defaultValue `0.01` */
  readonly klCoef?: number
  /** @defaultValue `'low_var_kl'` */
  readonly klType?: KlEstimator
  /** @defaultValue `'token-mean'` */
  readonly lossAggMode?: LossAggMode
  /** Padded response width for `seq-mean-token-sum-norm`. @defaultValue the longest response */
  readonly maxResponseLength?: number
  /** Learning rate of this step. @defaultValue the optimizer's `lr` */
  readonly lr?: number
  /** Gradient-norm clip. @defaultValue `1` */
  readonly maxGradNorm?: number
  /** Logit temperature, as in {@link ScoreOptions.temperature}. @defaultValue `1` */
  readonly temperature?: number
}

/** Metrics of one optimizer step, named as the reference logs them. */
export interface PolicyUpdateResult {
  /**
   * `actor/pg_loss`, `actor/pg_clipfrac`, `actor/pg_clipfrac_lower`, `actor/ppo_kl`, `actor/entropy_loss`
   * (= `actor/entropy`), `actor/kl_loss`, `actor/kl_coef` (means over micro-batches), `actor/grad_norm`,
   * `actor/lr`, `actor/loss` (total over micro-batches, as optimised).
   */
  readonly metrics: Readonly<Record<string, number>>
  /** The gradient norm was not finite and no step was taken. */
  readonly skipped: boolean
}

/** A demonstration for supervised fine-tuning. */
export type SftExample =
  | { readonly prompt: string; readonly response: string }
  | { readonly promptTokens: ArrayLike<number>; readonly responseTokens: ArrayLike<number> }

/** Options of {@link TfjsPolicy.sft}. */
export interface SftOptions {
  /** Seed of the shuffling. */
  readonly seed: number
  /** Passes over the examples. @defaultValue `1` */
  readonly epochs?: number
  /** Examples per optimizer step. @defaultValue `16` */
  readonly batchSize?: number
  /** Examples per backward pass. @defaultValue `batchSize` */
  readonly microBatchSize?: number
  /** Learning rate (from-scratch models need far more than the RL rate). @defaultValue `1e-3` */
  readonly lr?: number
  /** @defaultValue `1` */
  readonly maxGradNorm?: number
  /** Shuffle the examples each epoch. @defaultValue `true` */
  readonly shuffle?: boolean
  /** Called after every optimizer step. */
  readonly onStep?: (info: {
    readonly step: number
    readonly epoch: number
    readonly loss: number
    readonly gradNorm: number
  }) => void
}

/** Outcome of {@link TfjsPolicy.sft}. */
export interface SftResult {
  /** Mean token cross-entropy of each optimizer step's batch (before the step). */
  readonly losses: readonly number[]
  /** Gradient norm of each step. */
  readonly gradNorms: readonly number[]
}

/** Options of {@link createPolicy}. */
export interface CreatePolicyOptions {
  /** The tokenizer (e.g. {@link buildWordTokenizer} on environment text). Its `eosId` ends responses. */
  readonly tokenizer: Tokenizer
  /**
   * `'default'` ({@link defaultModelConfig}), size overrides of the default, or a full {@link Qwen2Config}.
   * @defaultValue `'default'`
   */
  readonly model?: 'default' | ModelSizeOptions | Qwen2Config
  /** Seed of the weight initialisation. */
  readonly seed: number
  /** TensorFlow.js backend. @defaultValue `'auto'` (or `GIGPO_TFJS_BACKEND`) */
  readonly backend?: BackendPreference
  /** AdamW settings of {@link TfjsPolicy.update}. */
  readonly optimizer?: AdamWOptions
  /** Backward pass of linear layers. @defaultValue `'custom'` */
  readonly linearImpl?: LinearImpl
  /** Words a template slot may use for a request. @defaultValue {@link slotWordsFromPrompt} of its prompt */
  readonly slotWords?: (request: ActRequest) => readonly string[]
  /** Most words in a template slot. @defaultValue `12` */
  readonly maxSlotWords?: number
  /** Packed tokens per training forward/backward pass (bounds memory). @defaultValue `2048` */
  readonly trainTokensPerPass?: number
  /** Packed tokens per inference forward pass. @defaultValue `8192` */
  readonly inferenceTokensPerPass?: number
  /** Train LoRA adapters (PEFT initialisation from `seed`) instead of every weight. */
  readonly lora?: LoraOptions
}

interface PolicyParts {
  readonly model: Qwen2Model
  readonly tokenizer: Tokenizer
  readonly backend: BackendInfo
  readonly optimizer: AdamW | undefined
  readonly options: RuntimeOptions
  /** The Hugging Face directory the (frozen) base weights came from, when they are unchanged. */
  readonly baseDir?: string | undefined
  readonly memoryPlan?: MemoryPlan | undefined
}

type RuntimeOptions = Omit<CreatePolicyOptions, 'tokenizer' | 'model' | 'seed' | 'optimizer' | 'lora'>

const NEG = -1e9

/**
 * A trainable token-level policy: a Qwen2-style language model on TensorFlow.js that acts in the environments
 * (`Policy` of `@gigpo/protocol`), scores responses token by token, and trains with the reference's PPO
 * dual-clip + KL + entropy loss or with supervised fine-tuning.
 *
 * Every public method leaves `tf.memory().numTensors` unchanged. Methods are async; run one at a time.
 */
export class TfjsPolicy implements Policy {
  /** The model architecture (Hugging Face field names). */
  readonly config: Qwen2Config
  readonly tokenizer: Tokenizer
  /** The TensorFlow.js backend in use. */
  readonly backend: BackendInfo
  /** A frozen policy (a {@link TfjsPolicy.snapshot}) cannot be trained. */
  readonly frozen: boolean
  /** The memory plan {@link loadPolicy} checked before reading the weights. */
  readonly memoryPlan: MemoryPlan | undefined
  readonly #model: Qwen2Model
  readonly #optimizer: AdamW | undefined
  readonly #options: RuntimeOptions
  #baseDir: string | undefined

  /** Use {@link createPolicy} or {@link loadPolicy}. */
  constructor(parts: PolicyParts) {
    this.#model = parts.model
    this.config = parts.model.config
    this.tokenizer = parts.tokenizer
    this.backend = parts.backend
    this.#optimizer = parts.optimizer
    this.frozen = parts.optimizer === undefined
    this.#options = parts.options
    this.#baseDir = parts.baseDir
    this.memoryPlan = parts.memoryPlan
  }

  /** Number of parameters of the base model. */
  get parameterCount(): number {
    return countParameters(this.config)
  }

  /** Number of parameters training updates: the LoRA adapters' when attached, else all. */
  get trainableParameterCount(): number {
    return this.#model.lora?.parameterCount ?? this.parameterCount
  }

  /** The LoRA settings when the policy trains adapters. */
  get lora(): LoraSettings | undefined {
    return this.#model.lora?.settings
  }

  /**
   * The Hugging Face directory whose weights this policy's (frozen) base weights are, while they are unchanged
   * (LoRA training keeps it; full training or merging adapters drops it). A LoRA checkpoint refers to it.
   */
  get baseModelDir(): string | undefined {
    return this.#baseDir
  }

  /** The underlying model (for value heads and benchmarks). */
  get model(): Qwen2Model {
    return this.#model
  }

  /** The optimizer settings (throws on a frozen policy). */
  get optimizerSettings(): AdamWSettings {
    return this.#trainable().settings
  }

  /** AdamW steps taken so far. */
  get optimizerSteps(): number {
    return this.#optimizer?.stepCount ?? 0
  }

  /** Bytes held by this policy's tensors: parameters and optimizer moments. */
  memoryBytes(): number {
    return this.#model.parameterBytes() + (this.#optimizer?.memoryBytes() ?? 0)
  }

  /** The prompt as the model sees it (chat template applied when the tokenizer has one), as token ids. */
  encodePrompt(prompt: string): Int32Array {
    return this.tokenizer.encode(this.tokenizer.applyChatTemplate?.(prompt) ?? prompt)
  }

  /**
   * Generates one response per request (batched, KV cache). A request with its own `seed` draws from that seed
   * alone, so its response does not depend on the batch, the call or the process it runs in (what distributed
   * rollouts rely on); request `i` without one draws from stream `fork(i)` of `options.seed`.
   *
   * - `mode: 'free'` samples until EOS or `maxNewTokens` (default 128); the model must write the
   *   `<think>…</think><action>…</action>` format itself.
   * - `mode: 'constrained'` forces `<think></think><action>`, then samples one admissible action token by
   *   token from the model's distribution masked to the action trie and renormalised, then forces `</action>`
   *   and EOS. The response text is `<think></think><action>{action}</action>`. Template actions
   *   (`search[<your query>]`) take their slot words from `slotWords` (default: the prompt's
   *   "Your task is to:" line).
   *
   * `logProbs` are those of the distribution actually sampled (temperature, top-k, top-p and the constraint
   * applied); forced tokens have 0.
   *
   * @example
   * ```ts
   * const [r] = await policy.act([{ prompt, admissibleActions: ['look', 'go to desk 1'] }], { seed: 1, mode: 'constrained' })
   * r.response // '<think></think><action>go to desk 1</action>'
   * ```
   */
  async act(requests: readonly ActRequest[], options: TfjsActOptions): Promise<TfjsActResult[]> {
    this.#alive()
    checkSeed(options.seed)
    const settings = {
      temperature: options.temperature ?? 1,
      topP: options.topP ?? 1,
      topK: options.topK ?? -1,
    }
    validateSampling(settings)
    const maxNewTokens = options.maxNewTokens ?? 128
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
      throw new InvalidArgumentError(`maxNewTokens: must be a positive integer, got ${maxNewTokens}.`)
    }
    const mode = options.mode ?? 'free'
    if (mode !== 'free' && mode !== 'constrained') {
      throw new InvalidArgumentError(`mode: must be 'free' or 'constrained', got ${JSON.stringify(mode)}.`)
    }
    const rng = createRng(options.seed)
    const prepared = requests.map((request, i) => {
      const promptTokens = this.encodePrompt(request.prompt)
      const ownRng = requestRng(request, i, rng)
      if (mode === 'free') return { promptTokens, rng: ownRng }
      const admissibleActions = request.admissibleActions
      if (admissibleActions === undefined || admissibleActions.length === 0) {
        throw new InvalidArgumentError(
          `requests[${i}].admissibleActions: constrained mode needs the admissible actions of the state.`,
        )
      }
      const spec: ConstraintSpec = {
        admissibleActions: [...admissibleActions],
        slotWords: [...(this.#options.slotWords?.(request) ?? slotWordsFromPrompt(request.prompt))],
      }
      return { promptTokens, rng: ownRng, spec, constraint: this.#constraint(spec) }
    })
    const outputs = generate(this.#model, prepared, {
      ...settings,
      maxNewTokens,
      useKvCache: options.useKvCache ?? true,
      prefillTokens: this.#options.inferenceTokensPerPass ?? 8192,
      vocabLimit: this.tokenizer.vocabSize,
      stopTokenIds: this.tokenizer.stopIds ?? [this.tokenizer.eosId],
    })
    return outputs.map((out, i) => {
      const p = prepared[i]!
      return {
        response: this.tokenizer.decode(out.tokens),
        promptTokens: p.promptTokens,
        responseTokens: out.tokens,
        logProbs: out.logProbs,
        ...('spec' in p ? { constraint: p.spec } : {}),
      }
    })
  }

  /**
   * Teacher-forced log-probabilities and entropies of given responses (the reference's `old_log_prob` and,
   * on a {@link TfjsPolicy.snapshot}, `ref` log-probs). Constrained samples are scored under their masked
   * distribution (forced tokens get log-probability 0 and entropy 0).
   */
  async score(samples: readonly PolicySample[], options: ScoreOptions = {}): Promise<ScoreResult[]> {
    this.#alive()
    const temperature = options.temperature ?? 1
    checkTemperature(temperature)
    const microBatch = options.microBatchSize ?? Math.max(1, samples.length)
    checkPositiveInt('microBatchSize', microBatch)
    const masks = samples.map((s) => this.#allowedSets(s))
    const results: ScoreResult[] = new Array(samples.length)
    const budget = this.#options.inferenceTokensPerPass ?? 8192
    for (let start = 0; start < samples.length; start += microBatch) {
      const indices = range(start, Math.min(samples.length, start + microBatch))
      for (const chunk of chunkByTokens(samples, indices, budget)) {
        const chunkSamples = chunk.map((i) => samples[i]!)
        const pack = packTeacherForced(chunkSamples, this.config.max_position_embeddings)
        const both = tf.tidy(() => {
          const { hidden } = this.#model.forwardHidden(pack, { inference: true, select: pack.select })
          const { logProbs, entropy } = this.#tokenTerms(
            hidden,
            pack,
            chunk.map((i) => masks[i]),
            temperature,
          )
          return tf.stack([logProbs, entropy])
        })
        const values = both.dataSync() as Float32Array
        both.dispose()
        const total = pack.targets.length
        chunk.forEach((i, k) => {
          const from = pack.offsets[k]!
          const to = pack.offsets[k + 1]!
          results[i] = {
            logProbs: values.slice(from, to),
            entropy: values.slice(total + from, total + to),
          }
        })
      }
    }
    return results
  }

  /**
   * One optimizer step on a mini-batch of step-rows, as the reference's `update_policy`: the rows are split
   * into micro-batches of `microBatchSize`; each micro-batch loss
   * `pg_loss − entropyCoeff·entropy + klCoef·kl` (PPO dual-clip, paper Eq. 9; `low_var_kl`; aggregated with
   * `lossAggMode` over the micro-batch) is divided by `gradientAccumulation` and its gradients summed; the sum
   * is clipped to `maxGradNorm` and AdamW takes one step (skipped when the norm is not finite).
   *
   * @example
   * ```ts
   * const old = await policy.score(rows)
   * const ref = await reference.score(rows)
   * const { metrics } = await policy.update(
   *   rows.map((r, i) => ({ ...r, advantage: adv[i], oldLogProbs: old[i].logProbs, refLogProbs: ref[i].logProbs })),
   *   { microBatchSize: 8 },
   * )
   * ```
   */
  async update(
    rows: readonly PolicyUpdateRow[],
    options: PolicyUpdateOptions = {},
  ): Promise<PolicyUpdateResult> {
    this.#alive()
    const optimizer = this.#trainable()
    const o = resolveUpdateOptions(options, rows.length, optimizer.settings.lr)
    rows.forEach((row, i) => {
      if (!Number.isFinite(row.advantage)) {
        throw new InvalidArgumentError(`rows[${i}].advantage: must be a finite number, got ${row.advantage}.`)
      }
      checkTokenArray('oldLogProbs', i, row.oldLogProbs, row.responseTokens.length)
      if (row.advantages !== undefined)
        checkTokenArray('advantages', i, row.advantages, row.responseTokens.length)
      if (o.klCoef !== 0) {
        if (row.refLogProbs === undefined) {
          throw new InvalidArgumentError(
            `rows[${i}].refLogProbs: required while klCoef = ${o.klCoef} (score the rows with the reference policy, or pass klCoef: 0).`,
          )
        }
        checkTokenArray('refLogProbs', i, row.refLogProbs, row.responseTokens.length)
      }
    })
    const allowed = rows.map((r) => this.#allowedSets(r))
    const lossMasks = rows.map((r, i) => lossMask(r.responseTokens.length, allowed[i]))
    const acc = new GradientAccumulator()
    const perMicro: Record<string, number>[] = []
    let totalLoss = 0
    try {
      for (let start = 0; start < rows.length; start += o.microBatchSize) {
        const micro = range(start, Math.min(rows.length, start + o.microBatchSize))
        const weights = aggregationWeights(
          micro.map((i) => lossMasks[i]!),
          o.maxResponseLength === undefined
            ? { mode: o.lossAggMode }
            : { mode: o.lossAggMode, columns: o.maxResponseLength },
        )
        const microLogp = micro.map((i) => new Float32Array(rows[i]!.responseTokens.length))
        const microEntropy = micro.map((i) => new Float32Array(rows[i]!.responseTokens.length))
        let weightAt = 0
        for (const chunk of chunkByTokens(rows, micro, this.#options.trainTokensPerPass ?? 2048)) {
          const pack = packTeacherForced(
            chunk.map((i) => rows[i]!),
            this.config.max_position_embeddings,
          )
          const n = pack.targets.length
          const w = weights.subarray(weightAt, weightAt + n)
          weightAt += n
          const old = new Float32Array(n)
          const ref = new Float32Array(n)
          const adv = new Float32Array(n)
          chunk.forEach((i, k) => {
            const row = rows[i]!
            const from = pack.offsets[k]!
            old.set(Array.from(row.oldLogProbs), from)
            if (o.klCoef !== 0) ref.set(Array.from(row.refLogProbs!), from)
            if (row.advantages === undefined) adv.fill(row.advantage, from, pack.offsets[k + 1]!)
            else adv.set(Array.from(row.advantages), from)
          })
          let captured: Tensor | undefined
          if (w.some((x) => x !== 0)) {
            totalLoss += acc.add(this.#model.trainableVariables(), () => {
              const { hidden } = this.#model.forwardHidden(pack, { select: pack.select })
              const { logProbs, entropy } = this.#tokenTerms(
                hidden,
                pack,
                chunk.map((i) => allowed[i]),
                o.temperature,
              )
              captured = tf.keep(tf.stack([logProbs, entropy]))
              const weightT = tf.tensor1d(w)
              const pg = ppoDualClipLoss(
                { logProbs, oldLogProbs: tf.tensor1d(old), advantages: tf.tensor1d(adv) },
                o,
              )
              let loss = aggregate(pg.loss, weightT)
              if (o.entropyCoeff !== 0)
                loss = tf.sub(loss, tf.mul(aggregate(entropy, weightT), o.entropyCoeff))
              if (o.klCoef !== 0) {
                const kl = klPenalty(logProbs, tf.tensor1d(ref), { kind: o.klType })
                loss = tf.add(loss, tf.mul(aggregate(kl, weightT), o.klCoef))
              }
              return tf.div(loss, o.gradientAccumulation)
            })
          }
          const values = captured?.dataSync() as Float32Array | undefined
          captured?.dispose()
          chunk.forEach((i, k) => {
            const m = micro.indexOf(i)
            if (values === undefined) return
            microLogp[m]!.set(values.subarray(pack.offsets[k]!, pack.offsets[k + 1]!))
            microEntropy[m]!.set(values.subarray(n + pack.offsets[k]!, n + pack.offsets[k + 1]!))
          })
        }
        perMicro.push(microMetrics(rows, micro, { logp: microLogp, entropy: microEntropy, lossMasks }, o))
      }
      const step = applyGradients(this.#model.trainableVariables(), optimizer, acc, {
        maxGradNorm: o.maxGradNorm,
        lr: o.lr,
      })
      const metrics: Record<string, number> = {}
      for (const key of Object.keys(perMicro[0] ?? {})) {
        metrics[key] = perMicro.reduce((s, m) => s + m[key]!, 0) / perMicro.length
      }
      metrics['actor/grad_norm'] = step.gradNorm
      metrics['actor/lr'] = o.lr
      metrics['actor/loss'] = totalLoss
      return { metrics, skipped: step.skipped }
    } finally {
      acc.dispose()
    }
  }

  /**
   * Supervised fine-tuning on demonstrations: token-mean cross-entropy of the response tokens (EOS appended to
   * text responses), one AdamW step per `batchSize` examples. Builds a base policy from expert trajectories.
   */
  async sft(examples: readonly SftExample[], options: SftOptions): Promise<SftResult> {
    this.#alive()
    const optimizer = this.#trainable()
    checkSeed(options.seed)
    const epochs = options.epochs ?? 1
    const batchSize = options.batchSize ?? 16
    const microBatch = options.microBatchSize ?? batchSize
    checkPositiveInt('epochs', epochs)
    checkPositiveInt('batchSize', batchSize)
    checkPositiveInt('microBatchSize', microBatch)
    const lr = options.lr ?? 1e-3
    const maxGradNorm = options.maxGradNorm ?? 1
    const samples: TokenSample[] = examples.map((ex, i) => this.#sftSample(ex, i))
    const rng = createRng(options.seed).fork('sft')
    const losses: number[] = []
    const gradNorms: number[] = []
    let order = range(0, samples.length)
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (options.shuffle ?? true) order = rng.shuffle(order)
      for (let start = 0; start < order.length; start += batchSize) {
        const batch = order.slice(start, start + batchSize)
        const accumulation = Math.ceil(batch.length / microBatch)
        const acc = new GradientAccumulator()
        let loss = 0
        try {
          for (let m = 0; m < batch.length; m += microBatch) {
            const micro = batch.slice(m, m + microBatch)
            const tokens = micro.reduce((n, i) => n + samples[i]!.responseTokens.length, 0)
            for (const chunk of chunkByTokens(samples, micro, this.#options.trainTokensPerPass ?? 2048)) {
              const pack = packTeacherForced(
                chunk.map((i) => samples[i]!),
                this.config.max_position_embeddings,
              )
              loss += acc.add(this.#model.trainableVariables(), () => {
                const { hidden } = this.#model.forwardHidden(pack, { select: pack.select })
                const { logProbs } = this.#tokenTerms(hidden, pack, [], 1)
                return tf.div(tf.neg(tf.sum(logProbs)), tokens * accumulation)
              })
            }
          }
          const step = applyGradients(this.#model.trainableVariables(), optimizer, acc, { maxGradNorm, lr })
          losses.push(loss)
          gradNorms.push(step.gradNorm)
          options.onStep?.({ step: losses.length, epoch, loss, gradNorm: step.gradNorm })
        } finally {
          acc.dispose()
        }
      }
    }
    return { losses, gradNorms }
  }

  /**
   * A frozen copy (same weights, no optimizer): the reference policy for the KL term. The weights are shared
   * until this policy's training replaces them (no copy while they are equal; LoRA base weights are never copied).
   */
  snapshot(): TfjsPolicy {
    this.#alive()
    return new TfjsPolicy({
      model: this.#model.clone(),
      tokenizer: this.tokenizer,
      backend: this.backend,
      optimizer: undefined,
      options: this.#options,
      baseDir: this.#baseDir,
    })
  }

  /** A trainable copy with the same weights and optimizer state. */
  clone(): TfjsPolicy {
    this.#alive()
    return new TfjsPolicy({
      model: this.#model.clone(),
      tokenizer: this.tokenizer,
      backend: this.backend,
      optimizer: this.#trainable().clone(),
      options: this.#options,
      baseDir: this.#baseDir,
    })
  }

  /**
   * Folds the LoRA adapters into the weights (`W ← W + alpha/r · B·A`): the policy then computes the same outputs
   * without adapters, trains all weights, and saves full checkpoints. The optimizer state (the adapters') is reset.
   */
  mergeAdapters(): void {
    this.#alive()
    if (this.#model.lora === undefined) return
    this.#model.mergeLora()
    this.#optimizer?.reset()
    this.#baseDir = undefined
  }

  /** Forgets the optimizer's moments and step count (e.g. between SFT and RL). */
  resetOptimizer(settings?: AdamWOptions): void {
    const optimizer = this.#trainable()
    optimizer.reset()
    if (settings !== undefined) optimizer.settings = resolveAdamW({ ...optimizer.settings, ...settings })
  }

  /**
   * Saves the policy to `dir` atomically.
   *
   * - Full weights: `config.json` (Hugging Face Qwen2 config), `model.safetensors` (Hugging Face names and
   *   layouts, float32), the tokenizer (`tokenizer.json`, plus `tokenizer_config.json`/`generation_config.json`
   *   for a Hugging Face tokenizer), `gigpo.json` and, for a trainable policy, `optimizer.safetensors` with the
   *   AdamW moments.
   * - With LoRA adapters: PEFT's `adapter_config.json` and `adapter_model.safetensors` (readable by Python
   *   `peft`), the tokenizer, `gigpo.json` and the adapters' optimizer state. The base weights are referenced by
   *   `base_model_name_or_path` ({@link baseModelDir}); a policy without a base directory (created with
   *   {@link createPolicy}) also writes them (`config.json`, `model.safetensors`).
   *
   * {@link loadPolicy} restores either bit for bit.
   */
  async save(dir: string): Promise<void> {
    this.#alive()
    const files = new Map<string, Uint8Array | string>()
    const adapters = this.#model.lora
    // Never refer to the directory being replaced.
    const baseDir =
      this.#baseDir !== undefined && resolve(this.#baseDir) !== resolve(dir) ? this.#baseDir : undefined
    if (adapters === undefined || baseDir === undefined) {
      files.set('config.json', `${JSON.stringify(toHuggingFaceConfig(this.config), null, 2)}\n`)
      files.set('model.safetensors', serializeSafetensors(this.#model.toTensors(), { format: 'pt' }))
    }
    if (adapters !== undefined) {
      const baseModel = baseDir === undefined ? null : resolve(baseDir)
      files.set('adapter_config.json', `${JSON.stringify(adapters.adapterConfig({ baseModel }), null, 2)}\n`)
      files.set('adapter_model.safetensors', serializeSafetensors(adapters.toPeftTensors(), { format: 'pt' }))
    }
    files.set('tokenizer.json', JSON.stringify(this.tokenizer.toJSON()))
    for (const [name, content] of this.tokenizer.extraFiles?.() ?? []) files.set(name, content)
    const meta: Record<string, unknown> = {
      format: 'gigpo-policy',
      version: 2,
      kind: 'policy',
      frozen: this.frozen,
      ...(adapters === undefined ? {} : { lora: adapters.settings }),
    }
    if (this.#optimizer !== undefined) {
      const state = this.#optimizer.state()
      files.set('optimizer.safetensors', serializeSafetensors(state.tensors, { step: String(state.step) }))
      meta['optimizer'] = { ...this.#optimizer.settings, step: state.step }
    }
    files.set('gigpo.json', `${JSON.stringify(meta, null, 2)}\n`)
    await writeDirectoryAtomic(dir, files)
  }

  /** Frees the model (and optimizer state). Further calls throw. */
  dispose(): void {
    this.#model.dispose()
    this.#optimizer?.reset()
  }

  #alive(): void {
    if (this.#model.disposed)
      throw new InvalidArgumentError('This policy was disposed; create or load a new one.')
  }

  #trainable(): AdamW {
    if (this.#optimizer === undefined) {
      throw new GigpoError(
        'UNSUPPORTED',
        'This policy is a frozen snapshot; train the policy it was taken from.',
      )
    }
    return this.#optimizer
  }

  #constraint(spec: ConstraintSpec): ActionConstraint {
    return new ActionConstraint(this.tokenizer, {
      admissibleActions: spec.admissibleActions,
      ...(spec.slotWords === undefined ? {} : { slotWords: spec.slotWords }),
      ...(this.#options.maxSlotWords === undefined ? {} : { maxSlotWords: this.#options.maxSlotWords }),
    })
  }

  /** The allowed token sets of a constrained sample (undefined for a free one). */
  #allowedSets(sample: PolicySample): readonly Int32Array[] | undefined {
    if (sample.constraint === undefined) return undefined
    return replayConstraint(this.#constraint(sample.constraint), Int32Array.from(sample.responseTokens))
      .allowed
  }

  /**
   * Per-response-token log-probabilities and entropies from the hidden states of the prediction rows (normed
   * and projected); constrained samples' logits are masked to their allowed tokens, ids beyond
   * the tokenizer's vocabulary are masked for all. The head and the log-softmax run fused, in chunks of rows
   * ({@link Qwen2Model.tokenTerms}); the 'builtin' comparison keeps the unfused ops.
   */
  #tokenTerms(
    hidden: Tensor2D,
    pack: ReturnType<typeof packTeacherForced>,
    allowed: readonly (readonly Int32Array[] | undefined)[],
    temperature: number,
  ): { logProbs: Tensor1D; entropy: Tensor1D } {
    const vocab = this.config.vocab_size
    const limit = this.tokenizer.vocabSize
    const samples = pack.offsets.length - 1
    const rowAllowed: (Int32Array | undefined)[] = new Array(pack.targets.length)
    for (let k = 0; k < samples; k++) {
      const sets = allowed[k]
      for (let t = pack.offsets[k]!; t < pack.offsets[k + 1]!; t++)
        rowAllowed[t] = sets?.[t - pack.offsets[k]!]
    }
    if (this.#model.linearImpl === 'custom') {
      return this.#model.tokenTerms(hidden, {
        targets: pack.targets,
        temperature,
        vocabLimit: limit,
        allowed: rowAllowed,
      })
    }
    let logits = this.#model.logits(hidden)
    if (temperature !== 1) logits = tf.div(logits, temperature)
    if (rowAllowed.some((a) => a !== undefined) || limit < vocab) {
      const n = pack.targets.length
      const mask = new Float32Array(n * vocab)
      for (let t = 0; t < n; t++) {
        const row = mask.subarray(t * vocab, (t + 1) * vocab)
        const set = rowAllowed[t]
        if (set === undefined) {
          row.fill(NEG, limit)
        } else {
          row.fill(NEG)
          for (const id of set) row[id] = 0
        }
      }
      logits = tf.add(logits, tf.tensor2d(mask, [n, vocab]))
    }
    return tokenLogProbsAndEntropy(logits, tf.tensor1d(pack.targets, 'int32'))
  }

  #sftSample(example: SftExample, i: number): TokenSample {
    if ('prompt' in example) {
      if (typeof example.prompt !== 'string' || typeof example.response !== 'string') {
        throw new InvalidArgumentError(`examples[${i}]: prompt and response must be strings.`)
      }
      const response = this.tokenizer.encode(example.response)
      return {
        promptTokens: this.encodePrompt(example.prompt),
        responseTokens: Int32Array.from([...response, this.tokenizer.eosId]),
      }
    }
    return {
      promptTokens: Int32Array.from(example.promptTokens),
      responseTokens: Int32Array.from(example.responseTokens),
    }
  }
}

interface ResolvedUpdateOptions {
  readonly microBatchSize: number
  readonly gradientAccumulation: number
  readonly clipRatioLow: number
  readonly clipRatioHigh: number
  readonly clipRatioC: number
  readonly entropyCoeff: number
  readonly klCoef: number
  readonly klType: KlEstimator
  readonly lossAggMode: LossAggMode
  readonly maxResponseLength: number | undefined
  readonly lr: number
  readonly maxGradNorm: number
  readonly temperature: number
}

function resolveUpdateOptions(
  options: PolicyUpdateOptions,
  rows: number,
  defaultLr: number,
): ResolvedUpdateOptions {
  const microBatchSize = options.microBatchSize ?? 8
  checkPositiveInt('microBatchSize', microBatchSize)
  const gradientAccumulation = options.gradientAccumulation ?? Math.max(1, Math.ceil(rows / microBatchSize))
  checkPositiveInt('gradientAccumulation', gradientAccumulation)
  const clip = options.clipRatio ?? 0.2
  const resolved: ResolvedUpdateOptions = {
    microBatchSize,
    gradientAccumulation,
    clipRatioLow: options.clipRatioLow ?? clip,
    clipRatioHigh: options.clipRatioHigh ?? clip,
    clipRatioC: options.clipRatioC ?? 3,
    entropyCoeff: options.entropyCoeff ?? 0.001,
    klCoef: options.klCoef ?? 0.01,
    klType: options.klType ?? 'low_var_kl',
    lossAggMode: options.lossAggMode ?? 'token-mean',
    maxResponseLength: options.maxResponseLength,
    lr: options.lr ?? defaultLr,
    maxGradNorm: options.maxGradNorm ?? 1,
    temperature: options.temperature ?? 1,
  }
  for (const key of ['clipRatioLow', 'clipRatioHigh', 'klCoef', 'lr'] as const) {
    if (!(resolved[key] >= 0) || !Number.isFinite(resolved[key])) {
      throw new InvalidArgumentError(`${key}: must be a finite number ≥ 0, got ${resolved[key]}.`)
    }
  }
  if (!(resolved.clipRatioC > 1)) {
    throw new InvalidArgumentError(`clipRatioC: must be > 1, got ${resolved.clipRatioC}.`)
  }
  if (!(resolved.maxGradNorm > 0)) {
    throw new InvalidArgumentError(`maxGradNorm: must be > 0, got ${resolved.maxGradNorm}.`)
  }
  if (!Number.isFinite(resolved.entropyCoeff)) {
    throw new InvalidArgumentError(`entropyCoeff: must be finite, got ${resolved.entropyCoeff}.`)
  }
  checkTemperature(resolved.temperature)
  return resolved
}

/** The reference's per-micro-batch metrics, computed in float64 by `@gigpo/core-advantage`. */
function microMetrics(
  rows: readonly PolicyUpdateRow[],
  micro: readonly number[],
  values: {
    readonly logp: readonly Float32Array[]
    readonly entropy: readonly Float32Array[]
    readonly lossMasks: readonly Float32Array[]
  },
  o: ResolvedUpdateOptions,
): Record<string, number> {
  const mask = micro.map((i) => values.lossMasks[i]!)
  const result = computeActorLoss({
    oldLogProb: micro.map((i) => rows[i]!.oldLogProbs),
    logProb: values.logp,
    advantages: micro.map(
      (i) => rows[i]!.advantages ?? new Float64Array(rows[i]!.responseTokens.length).fill(rows[i]!.advantage),
    ),
    mask,
    clipRatioLow: o.clipRatioLow,
    clipRatioHigh: o.clipRatioHigh,
    clipRatioC: o.clipRatioC,
    lossAggMode: o.lossAggMode,
    entropy: values.entropy,
    entropyCoeff: o.entropyCoeff,
    klCoef: o.klCoef,
    klType: o.klType,
    ...(o.klCoef === 0 ? {} : { refLogProb: micro.map((i) => rows[i]!.refLogProbs!) }),
  })
  return {
    'actor/pg_loss': result.pgLoss,
    'actor/pg_clipfrac': result.pgClipfrac,
    'actor/pg_clipfrac_lower': result.pgClipfracLower,
    'actor/ppo_kl': result.ppoKl,
    'actor/entropy_loss': result.entropyLoss,
    'actor/entropy': result.entropyLoss,
    'actor/kl_loss': result.klLoss,
    'actor/kl_coef': o.klCoef,
  }
}

function lossMask(length: number, allowed: readonly Int32Array[] | undefined): Float32Array {
  const mask = new Float32Array(length).fill(1)
  if (allowed !== undefined) allowed.forEach((set, t) => set.length === 1 && (mask[t] = 0))
  return mask
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)
}

/** A request's own stream: from `request.seed` when set (batch-independent), else `fork(i)` of the call's seed. */
function requestRng(request: ActRequest, i: number, callRng: Rng): Rng {
  if (request.seed === undefined) return callRng.fork(i)
  if (!Number.isSafeInteger(request.seed)) {
    throw new InvalidArgumentError(`requests[${i}].seed: must be a safe integer, got ${request.seed}.`)
  }
  return createRng(request.seed)
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed))
    throw new InvalidArgumentError(`seed: must be a safe integer, got ${seed}.`)
}

function checkPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name}: must be a positive integer, got ${value}.`)
  }
}

function checkTemperature(t: number): void {
  if (!(t > 0) || !Number.isFinite(t)) {
    throw new InvalidArgumentError(`temperature: scoring needs a finite temperature > 0, got ${t}.`)
  }
}

/**
 * Creates a policy with freshly initialised weights (after selecting the TensorFlow.js backend), optionally
 * with LoRA adapters (`lora`) so that only the adapters train.
 *
 * @example
 * ```ts
 * const tokenizer = buildWordTokenizer(corpus)
 * const policy = await createPolicy({ tokenizer, model: 'default', seed: 0 })
 * policy.backend.name // 'wasm' without tfjs-node
 * ```
 */
export async function createPolicy(options: CreatePolicyOptions): Promise<TfjsPolicy> {
  checkSeed(options.seed)
  const backend = await initBackend(options.backend === undefined ? {} : { backend: options.backend })
  const config = modelConfigFor(options.model ?? 'default', options.tokenizer)
  const lora = options.lora === undefined ? undefined : resolveLora(options.lora)
  const model = Qwen2Model.create(config, {
    seed: options.seed,
    ...(options.linearImpl === undefined ? {} : { linearImpl: options.linearImpl }),
  })
  if (lora !== undefined) model.attachLora(LoraAdapters.create(config, lora, { seed: options.seed }))
  const { tokenizer, model: _m, seed: _s, optimizer, lora: _l, ...rest } = options
  return new TfjsPolicy({
    model,
    tokenizer,
    backend,
    optimizer: new AdamW(resolveAdamW(optimizer)),
    options: rest,
  })
}

/** Options of {@link loadPolicy}: the runtime options of {@link createPolicy}, plus how to load. */
export type LoadPolicyOptions = RuntimeOptions & {
  /** A tokenizer to use instead of the directory's `tokenizer.json`. */
  readonly tokenizer?: Tokenizer
  /** The chat template of a Hugging Face tokenizer ({@link ChatTemplateChoice}). @defaultValue `'auto'` */
  readonly chatTemplate?: ChatTemplateChoice
  /** AdamW settings (over those saved in `gigpo.json`). */
  readonly optimizer?: AdamWOptions
  /** Load for inference only: no optimizer (and no training memory in the plan). @defaultValue `false` */
  readonly frozen?: boolean
  /**
   * Add fresh LoRA adapters (PEFT initialisation, seeded by `seed`) and train only them. Not allowed when the
   * directory already holds adapters.
   */
  readonly lora?: LoraOptions & { readonly seed?: number }
  /**
   * The base model of a LoRA checkpoint without weights of its own. @defaultValue `adapter_config.json`'s
   * `base_model_name_or_path` (a local directory)
   */
  readonly baseModel?: string
  /**
   * The workload of the memory plan checked before any weight is read, or `false` to skip the plan. A plan
   * that does not fit throws a {@link MemoryPlanError} (unless `enforce: false`).
   * @defaultValue batch 8, context min(max_position_embeddings, 4096), training as configured
   */
  readonly memory?: MemoryPlanRequest | false
  /** Receives the memory plan before the weights are read (print `plan.text`). */
  readonly onMemoryPlan?: (plan: MemoryPlan) => void
  /** Called after each tensor is uploaded. */
  readonly onProgress?: (info: {
    readonly name: string
    readonly index: number
    readonly count: number
  }) => void
}

/**
 * Loads a policy from a directory:
 *
 * - a Hugging Face Qwen2 checkpoint (e.g. a downloaded `Qwen2.5-1.5B-Instruct`): `config.json`,
 *   `model.safetensors` or shards with `model.safetensors.index.json` (F32, F16 or BF16, converted to float32
 *   tensor by tensor while streaming), `tokenizer.json` + `tokenizer_config.json` (chat template);
 * - a policy saved by {@link TfjsPolicy.save} (weights, optimizer state and tokenizer, restored bit for bit);
 * - a LoRA checkpoint (PEFT `adapter_config.json` + `adapter_model.safetensors`) on its base model.
 *
 * Before reading any weight it checks the architecture and every tensor's shape against `config.json`
 * ({@link CheckpointError}) and the memory plan against the budget ({@link MemoryPlanError}).
 *
 * @example
 * ```ts
 * const policy = await loadPolicy('/models/Qwen2.5-1.5B-Instruct', {
 *   lora: { rank: 16 },
 *   memory: { batch: 8, context: 2048 },
 *   onMemoryPlan: (plan) => console.log(plan.text),
 * })
 * ```
 */
export async function loadPolicy(dir: string, options: LoadPolicyOptions = {}): Promise<TfjsPolicy> {
  const backend = await initBackend(options.backend === undefined ? {} : { backend: options.backend })
  const metaPath = join(dir, 'gigpo.json')
  const meta = (existsSync(metaPath) ? await readJson(metaPath) : {}) as {
    version?: number
    frozen?: boolean
    optimizer?: AdamWOptions & { step?: number }
  }
  const adapterPath = join(dir, 'adapter_config.json')
  const adapterConfig = existsSync(adapterPath)
    ? parseAdapterConfig(await readJson(adapterPath), adapterPath)
    : undefined
  if (adapterConfig !== undefined && options.lora !== undefined) {
    throw new InvalidArgumentError(
      `lora: ${dir} already holds LoRA adapters (adapter_config.json); load them without the lora option, or merge them first.`,
    )
  }
  const hasWeights = (d: string) =>
    existsSync(join(d, 'model.safetensors')) || existsSync(join(d, 'model.safetensors.index.json'))
  let baseDir = dir
  if (adapterConfig !== undefined && !hasWeights(dir)) {
    const base = options.baseModel ?? adapterConfig.baseModel
    if (base === undefined || !existsSync(join(base, 'config.json'))) {
      throw new CheckpointError(
        'not-found',
        `${adapterPath}: the base model ${JSON.stringify(base ?? null)} is not a local directory with config.json; ` +
          'pass baseModel: "/path/to/Qwen2.5-1.5B-Instruct".',
        { path: adapterPath },
      )
    }
    baseDir = base
  }
  const tokenizer =
    options.tokenizer ??
    (await loadTokenizer(existsSync(join(dir, 'tokenizer.json')) ? dir : baseDir, {
      ...(options.chatTemplate === undefined ? {} : { chatTemplate: options.chatTemplate }),
    }))
  const configPath = join(baseDir, 'config.json')
  const config: Qwen2Config = {
    ...resolveCheckpointConfig(await readJson(configPath), configPath),
    // The tokenizer decides which token ends a response.
    eos_token_id: tokenizer.eosId,
  }
  checkVocab(config, tokenizer)
  const lora = adapterConfig?.settings ?? (options.lora === undefined ? undefined : resolveLora(options.lora))
  const frozen = options.frozen === true || meta.frozen === true
  const checkpoint = await SafetensorsCheckpoint.open(baseDir)
  try {
    let memoryPlan: MemoryPlan | undefined
    if (options.memory !== false) {
      const request = options.memory ?? {}
      memoryPlan = planMemory({
        training: frozen ? 'none' : lora === undefined ? 'full' : 'lora',
        ...request,
        config,
        backend: backend.name,
        ...(lora === undefined ? {} : { lora }),
        ...(options.trainTokensPerPass === undefined
          ? {}
          : { trainTokensPerPass: options.trainTokensPerPass }),
        ...(options.inferenceTokensPerPass === undefined
          ? {}
          : { inferenceTokensPerPass: options.inferenceTokensPerPass }),
        storedBytes: checkpoint.bytesByDtype(),
        largestTensor: checkpoint.largestTensor(),
      })
      options.onMemoryPlan?.(memoryPlan)
      if (!memoryPlan.fits && request.enforce !== false) throw new MemoryPlanError(memoryPlan)
    }
    const model = await Qwen2Model.load(config, checkpoint.asWeightSource(), {
      ...(options.linearImpl === undefined ? {} : { linearImpl: options.linearImpl }),
      ...(options.onProgress === undefined ? {} : { onTensor: options.onProgress }),
    })
    try {
      if (adapterConfig !== undefined) {
        const path = join(dir, 'adapter_model.safetensors')
        if (!existsSync(path)) {
          throw new CheckpointError(
            'not-found',
            `${dir}: adapter_config.json without adapter_model.safetensors.`,
            {
              path,
            },
          )
        }
        const { tensors } = parseSafetensors(await readFile(path), path)
        model.attachLora(
          LoraAdapters.fromPeftTensors(config, adapterConfig.settings, tensors, { source: path }),
        )
      } else if (lora !== undefined) {
        model.attachLora(LoraAdapters.create(config, lora, { seed: options.lora?.seed ?? 0 }))
      }
      let optimizer: AdamW | undefined
      if (!frozen) {
        const saved = meta.optimizer === undefined ? {} : pickAdamW(meta.optimizer)
        optimizer = new AdamW(resolveAdamW({ ...saved, ...options.optimizer }))
        const path = join(dir, 'optimizer.safetensors')
        if (existsSync(path)) {
          const { tensors: state, metadata } = parseSafetensors(await readFile(path), path)
          optimizer.restore(model.trainableVariables(), {
            step: Number(metadata['step'] ?? 0),
            tensors:
              (meta.version ?? 1) < 2 ? upgradeOptimizerState(state, config.tie_word_embeddings) : state,
          })
        }
      }
      const {
        tokenizer: _t,
        chatTemplate: _c,
        optimizer: _o,
        frozen: _f,
        lora: _l,
        baseModel: _b,
        memory: _m,
        onMemoryPlan: _p,
        onProgress: _g,
        ...rest
      } = options
      return new TfjsPolicy({
        model,
        tokenizer,
        backend,
        optimizer,
        options: rest,
        // LoRA keeps the base weights frozen: checkpoints refer to the Hugging Face directory they came from
        // (a LoRA checkpoint holding its own base weights writes them again).
        baseDir:
          lora === undefined
            ? undefined
            : adapterConfig === undefined
              ? dir
              : baseDir !== dir
                ? baseDir
                : undefined,
        memoryPlan,
      })
    } catch (error) {
      model.dispose()
      throw error
    }
  } finally {
    await checkpoint.close()
  }
}

function pickAdamW(o: AdamWOptions): AdamWOptions {
  return {
    ...(o.lr === undefined ? {} : { lr: o.lr }),
    ...(o.betas === undefined ? {} : { betas: o.betas }),
    ...(o.eps === undefined ? {} : { eps: o.eps }),
    ...(o.weightDecay === undefined ? {} : { weightDecay: o.weightDecay }),
  }
}

/** The model config for `createPolicy`'s `model` option, with the tokenizer's vocabulary and EOS. */
export function modelConfigFor(
  model: 'default' | ModelSizeOptions | Qwen2Config,
  tokenizer: Tokenizer,
): Qwen2Config {
  let config: Qwen2Config
  if (model === 'default') config = defaultModelConfig(tokenizer.vocabSize)
  else if ('vocab_size' in model) config = resolveModelConfig(model as unknown as Record<string, unknown>)
  else config = defaultModelConfig(tokenizer.vocabSize, model)
  config = { ...config, eos_token_id: tokenizer.eosId }
  checkVocab(config, tokenizer)
  return config
}

function checkVocab(config: Qwen2Config, tokenizer: Tokenizer): void {
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new InvalidArgumentError(
      `model: vocab_size ${config.vocab_size} is smaller than the tokenizer's ${tokenizer.vocabSize} tokens.`,
    )
  }
}
