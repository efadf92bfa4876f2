import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LossAggMode } from '@gigpo/core-advantage'
import { InvalidArgumentError } from '@gigpo/protocol'
import { createRng } from '@gigpo/random'
import { initBackend, type BackendInfo, type BackendPreference } from './backend.js'
import { chunkByTokens, checkTokenArray, packTeacherForced, type TokenSample } from './batch.js'
import { readJson, SafetensorsCheckpoint, writeDirectoryAtomic } from './checkpoint.js'
import { resolveCheckpointConfig, toHuggingFaceConfig, type Qwen2Config } from './config.js'
import { aggregate, aggregationWeights } from './loss.js'
import { Qwen2Model, type ParameterSpec } from './model.js'
import type { NamedTensor } from './named-tensor.js'
import { matMul2d, type LinearImpl } from './ops.js'
import {
  AdamW,
  resolveAdamW,
  upgradeOptimizerState,
  type AdamWOptions,
  type AdamWSettings,
} from './optimizer.js'
import type { TfjsPolicy } from './policy.js'
import { parseSafetensors, serializeSafetensors } from './safetensors.js'
import { tf, type Tensor2D } from './tf.js'
import { applyGradients, GradientAccumulator } from './train-step.js'

/** One step-row of a critic mini-batch. */
export interface ValueUpdateRow extends TokenSample {
  /** Values of the response positions when the batch was collected (for value clipping). */
  readonly oldValues: ArrayLike<number>
  /** Per-token return targets (e.g. GAE returns from `@gigpo/core-advantage`). */
  readonly returns: ArrayLike<number>
}

/** Options of {@link TfjsValueModel.update} (the reference's critic settings by default). */
export interface ValueUpdateOptions {
  /** @defaultValue `8` */
  readonly microBatchSize?: number
  /** @defaultValue the number of micro-batches */
  readonly gradientAccumulation?: number
  /** Value clipping range around the old values (`cliprange_value`). @defaultValue `0.5` */
  readonly cliprangeValue?: number
  /** @defaultValue `'token-mean'` */
  readonly lossAggMode?: LossAggMode
  /** @defaultValue the optimizer's `lr` */
  readonly lr?: number
  /** @defaultValue `1` */
  readonly maxGradNorm?: number
}

/** Metrics of one critic step, named as the reference logs them. */
export interface ValueUpdateResult {
  /** `critic/vf_loss`, `critic/vf_clipfrac`, `critic/vpred_mean` (means over micro-batches), `critic/grad_norm`, `critic/lr`. */
  readonly metrics: Readonly<Record<string, number>>
  readonly skipped: boolean
}

/** Options of {@link createValueModel}. */
export interface CreateValueModelOptions {
  /** Start from this policy's backbone (the reference initialises its critic from the actor's checkpoint). */
  readonly from: TfjsPolicy
  /** Seed of the value head's initialisation. */
  readonly seed: number
  /** AdamW settings (the reference's critic uses lr 1e-5). */
  readonly optimizer?: AdamWOptions
  readonly linearImpl?: LinearImpl
  /** Packed tokens per training pass. @defaultValue `2048` */
  readonly trainTokensPerPass?: number
}

const HEAD = 'score.weight'

function headSpec(config: Qwen2Config): ParameterSpec {
  return { name: HEAD, hfShape: [1, config.hidden_size], transposed: true, init: 'normal' }
}

/**
 * A value model (critic) for PPO with a learned baseline: the policy's Qwen2 backbone with a scalar head
 * (`score.weight`, as Hugging Face's `Qwen2ForTokenClassification` with one label) on the final-normed hidden
 * state. The value of response token `t` is read at the position that predicts it (verl's
 * `values[:, -len-1:-1]`).
 */
export class TfjsValueModel {
  readonly config: Qwen2Config
  readonly backend: BackendInfo
  readonly #model: Qwen2Model
  readonly #optimizer: AdamW
  readonly #tokensPerPass: number

  /** Use {@link createValueModel} or {@link loadValueModel}. */
  constructor(parts: { model: Qwen2Model; backend: BackendInfo; optimizer: AdamW; tokensPerPass: number }) {
    this.#model = parts.model
    this.config = parts.model.config
    this.backend = parts.backend
    this.#optimizer = parts.optimizer
    this.#tokensPerPass = parts.tokensPerPass
  }

  get optimizerSettings(): AdamWSettings {
    return this.#optimizer.settings
  }

  /** Bytes held by this model's tensors: parameters and optimizer moments. */
  memoryBytes(): number {
    return this.#model.parameterBytes() + this.#optimizer.memoryBytes()
  }

  /** Predicted values of each response position. */
  async values(
    samples: readonly TokenSample[],
    options: { readonly microBatchSize?: number } = {},
  ): Promise<Float32Array[]> {
    this.#alive()
    const out: Float32Array[] = new Array(samples.length)
    const micro = options.microBatchSize ?? Math.max(1, samples.length)
    for (let start = 0; start < samples.length; start += micro) {
      const indices = Array.from({ length: Math.min(micro, samples.length - start) }, (_, i) => start + i)
      for (const chunk of chunkByTokens(samples, indices, this.#tokensPerPass * 4)) {
        const pack = packTeacherForced(
          chunk.map((i) => samples[i]!),
          this.config.max_position_embeddings,
        )
        const t = tf.tidy(() =>
          this.#predict(this.#model.forwardHidden(pack, { inference: true, select: pack.select }).hidden),
        )
        const values = t.dataSync() as Float32Array
        t.dispose()
        chunk.forEach((i, k) => (out[i] = values.slice(pack.offsets[k]!, pack.offsets[k + 1]!)))
      }
    }
    return out
  }

  /**
   * One critic step (verl `compute_value_loss`): v_clip = clip(v, v_old − c, v_old + c);
   * loss = ½·agg(max((v − R)², (v_clip − R)²)) per micro-batch, divided by the accumulation count; gradients
   * summed, clipped, AdamW.
   */
  async update(
    rows: readonly ValueUpdateRow[],
    options: ValueUpdateOptions = {},
  ): Promise<ValueUpdateResult> {
    this.#alive()
    const microBatchSize = options.microBatchSize ?? 8
    if (!Number.isInteger(microBatchSize) || microBatchSize < 1) {
      throw new InvalidArgumentError(`microBatchSize: must be a positive integer, got ${microBatchSize}.`)
    }
    const accumulation = options.gradientAccumulation ?? Math.max(1, Math.ceil(rows.length / microBatchSize))
    const clip = options.cliprangeValue ?? 0.5
    const mode = options.lossAggMode ?? 'token-mean'
    const lr = options.lr ?? this.#optimizer.settings.lr
    rows.forEach((r, i) => {
      checkTokenArray('oldValues', i, r.oldValues, r.responseTokens.length)
      checkTokenArray('returns', i, r.returns, r.responseTokens.length)
    })
    const acc = new GradientAccumulator()
    const perMicro: { loss: number; clipfrac: number; vpred: number }[] = []
    try {
      for (let start = 0; start < rows.length; start += microBatchSize) {
        const micro = Array.from(
          { length: Math.min(microBatchSize, rows.length - start) },
          (_, i) => start + i,
        )
        const masks = micro.map((i) => new Float32Array(rows[i]!.responseTokens.length).fill(1))
        const weights = aggregationWeights(masks, { mode })
        let at = 0
        let loss = 0
        let clipped = 0
        let vsum = 0
        let count = 0
        for (const chunk of chunkByTokens(rows, micro, this.#tokensPerPass)) {
          const pack = packTeacherForced(
            chunk.map((i) => rows[i]!),
            this.config.max_position_embeddings,
          )
          const n = pack.targets.length
          const w = weights.slice(at, at + n)
          at += n
          const old = new Float32Array(n)
          const ret = new Float32Array(n)
          chunk.forEach((i, k) => {
            old.set(Array.from(rows[i]!.oldValues), pack.offsets[k]!)
            ret.set(Array.from(rows[i]!.returns), pack.offsets[k]!)
          })
          let captured: tf.Tensor | undefined
          loss +=
            acc.add(this.#model.params, () => {
              const v = this.#predict(this.#model.forwardHidden(pack, { select: pack.select }).hidden)
              const oldT = tf.tensor1d(old)
              const retT = tf.tensor1d(ret)
              const vClip = tf.minimum(tf.maximum(v, tf.sub(oldT, clip)), tf.add(oldT, clip))
              const l1 = tf.square(tf.sub(v, retT))
              const l2 = tf.square(tf.sub(vClip, retT))
              captured = tf.keep(tf.stack([v, tf.cast(tf.greater(l2, l1), 'float32')]))
              const agg = tf.mul(aggregate(tf.maximum(l1, l2), tf.tensor1d(w)), 0.5)
              return tf.div(agg, accumulation)
            }) * accumulation
          const values = captured!.dataSync() as Float32Array
          captured!.dispose()
          for (let t = 0; t < n; t++) {
            vsum += values[t]!
            clipped += values[n + t]!
          }
          count += n
        }
        perMicro.push({ loss, clipfrac: clipped / (count + 1e-8), vpred: vsum / (count + 1e-8) })
      }
      const step = applyGradients(this.#model.params, this.#optimizer, acc, {
        maxGradNorm: options.maxGradNorm ?? 1,
        lr,
      })
      const mean = (f: (m: (typeof perMicro)[number]) => number) =>
        perMicro.length === 0 ? 0 : perMicro.reduce((s, m) => s + f(m), 0) / perMicro.length
      return {
        metrics: {
          'critic/vf_loss': mean((m) => m.loss),
          'critic/vf_clipfrac': mean((m) => m.clipfrac),
          'critic/vpred_mean': mean((m) => m.vpred),
          'critic/grad_norm': step.gradNorm,
          'critic/lr': lr,
        },
        skipped: step.skipped,
      }
    } finally {
      acc.dispose()
    }
  }

  /** Saves weights (Hugging Face names, `score.weight` head), config and optimizer state atomically. */
  async save(dir: string): Promise<void> {
    this.#alive()
    const state = this.#optimizer.state()
    const files = new Map<string, Uint8Array | string>([
      [
        'config.json',
        `${JSON.stringify({ ...toHuggingFaceConfig(this.config), architectures: ['Qwen2ForTokenClassification'], num_labels: 1 }, null, 2)}\n`,
      ],
      ['model.safetensors', serializeSafetensors(this.#model.toTensors(), { format: 'pt' })],
      ['optimizer.safetensors', serializeSafetensors(state.tensors, { step: String(state.step) })],
      [
        'gigpo.json',
        `${JSON.stringify({ format: 'gigpo-policy', version: 2, kind: 'value', optimizer: { ...this.#optimizer.settings, step: state.step } }, null, 2)}\n`,
      ],
    ])
    await writeDirectoryAtomic(dir, files)
  }

  dispose(): void {
    this.#model.dispose()
    this.#optimizer.reset()
  }

  #alive(): void {
    if (this.#model.disposed) throw new InvalidArgumentError('This value model was disposed.')
  }

  #predict(rows: Tensor2D): tf.Tensor1D {
    const head = this.#model.params.get(HEAD)! as unknown as Tensor2D
    return tf.reshape(matMul2d(this.#model.finalNorm(rows), head), [-1]) as tf.Tensor1D
  }
}

/** Creates a value model from a policy's current weights plus a freshly initialised scalar head. */
export async function createValueModel(options: CreateValueModelOptions): Promise<TfjsValueModel> {
  const backend = options.from.backend
  const config = options.from.config
  // A LoRA policy's critic starts from the adapted weights (adapters merged into a full copy).
  const tensors: Map<string, NamedTensor> = options.from.model.toTensors({ mergeLora: true })
  const rng = createRng(options.seed).fork('value-head')
  const head = new Float32Array(config.hidden_size)
  for (let i = 0; i < head.length; i++) head[i] = rng.normal(0, 0.02)
  tensors.set(HEAD, { shape: [1, config.hidden_size], data: head })
  const model = Qwen2Model.fromTensors(config, tensors, {
    extraParameters: [headSpec(config)],
    ...(options.linearImpl === undefined ? {} : { linearImpl: options.linearImpl }),
  })
  return new TfjsValueModel({
    model,
    backend,
    optimizer: new AdamW(resolveAdamW({ lr: 1e-5, ...options.optimizer })),
    tokensPerPass: options.trainTokensPerPass ?? 2048,
  })
}

/** Loads a value model saved by {@link TfjsValueModel.save}. */
export async function loadValueModel(
  dir: string,
  options: { readonly backend?: BackendPreference; readonly linearImpl?: LinearImpl } = {},
): Promise<TfjsValueModel> {
  const backend = await initBackend(options.backend === undefined ? {} : { backend: options.backend })
  const configPath = join(dir, 'config.json')
  const config = resolveCheckpointConfig(await readJson(configPath), configPath)
  const checkpoint = await SafetensorsCheckpoint.open(dir)
  let model: Qwen2Model
  try {
    model = await Qwen2Model.load(config, checkpoint.asWeightSource(), {
      extraParameters: [headSpec(config)],
      ...(options.linearImpl === undefined ? {} : { linearImpl: options.linearImpl }),
    })
  } finally {
    await checkpoint.close()
  }
  const meta = (await readJson(join(dir, 'gigpo.json'))) as { version?: number; optimizer?: AdamWOptions }
  const optimizer = new AdamW(resolveAdamW({ lr: 1e-5, ...pick(meta.optimizer) }))
  const path = join(dir, 'optimizer.safetensors')
  if (existsSync(path)) {
    const { tensors, metadata } = parseSafetensors(await readFile(path), path)
    optimizer.restore(model.params, {
      step: Number(metadata['step'] ?? 0),
      tensors: (meta.version ?? 1) < 2 ? upgradeOptimizerState(tensors, config.tie_word_embeddings) : tensors,
    })
  }
  return new TfjsValueModel({ model, backend, optimizer, tokensPerPass: 2048 })
}

function pick(o: AdamWOptions | undefined): AdamWOptions {
  if (o === undefined) return {}
  return {
    ...(o.lr === undefined ? {} : { lr: o.lr }),
    ...(o.betas === undefined ? {} : { betas: o.betas }),
    ...(o.eps === undefined ? {} : { eps: o.eps }),
    ...(o.weightDecay === undefined ? {} : { weightDecay: o.weightDecay }),
  }
}
