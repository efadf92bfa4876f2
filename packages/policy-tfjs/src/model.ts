import { createRng } from '@gigpo/random'
import { InvalidArgumentError } from '@gigpo/protocol'
import { headDim, type Qwen2Config } from './config.js'
import { CheckpointError } from './errors.js'
import { registerGradients } from './gradients.js'
import type { LoraAdapters, LoraPair, LoraTargetModule } from './lora.js'
import type { NamedTensor } from './named-tensor.js'
import {
  addSame,
  attentionCore,
  causalBlocks,
  embed,
  embedTransposed,
  headLogProbsAndEntropy,
  linear,
  linearFrozen,
  rmsNorm,
  rotary,
  swiglu,
  type CausalBlock,
  type HeadTermsOptions,
  type LinearImpl,
} from './ops.js'
import { createRopeTables, type RopeTables } from './rope.js'
import { tf, type Tensor, type Tensor1D, type Tensor2D, type Variable } from './tf.js'

/** One parameter of the model: its Hugging Face name, shape in that layout, and how it is stored here. */
export interface ParameterSpec {
  /** Hugging Face name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  readonly name: string
  /** Shape in the Hugging Face layout. */
  readonly hfShape: readonly number[]
  /** Linear weights are stored transposed here (`[in, out]`) so the forward needs no transposed matMul. */
  readonly transposed: boolean
  /** How a fresh model initialises it. */
  readonly init: 'normal' | 'zeros' | 'ones'
}

/** Packed token sequences: no padding, segments laid end to end. */
export interface PackedSequences {
  /** Token ids of all segments, concatenated. */
  readonly tokens: Int32Array
  /** Position of each token within its own segment (0-based). */
  readonly positions: Int32Array
  /** Length of each segment, in order. */
  readonly lengths: readonly number[]
}

/** Per-layer keys and values of one forward pass, for a KV cache. */
export interface LayerKv {
  /** `[j][s]`: keys of kv-head `j`, segment `s`, transposed: `[headDim, length]`. */
  readonly keysT: Tensor2D[][]
  /** `[j][s]`: values of kv-head `j`, segment `s`: `[length, headDim]`. */
  readonly values: Tensor2D[][]
}

/**
 * The KV cache of one sequence: per layer and key/value head, the rotated keys of every past token (transposed,
 * `[headDim, past]`) and their values (`[past, headDim]`). Sequences keep their own caches (no padding), so
 * cached attention is two plain 2-D matrix products per sequence and key/value head.
 */
export interface SequenceKv {
  /** `[layer][kvHead]`: `[headDim, past]`. */
  readonly keysT: Tensor2D[][]
  /** `[layer][kvHead]`: `[past, headDim]`. */
  readonly values: Tensor2D[][]
}

/** Where {@link Qwen2Model.load} reads its weights from (e.g. a {@link SafetensorsCheckpoint}). */
export interface WeightSource {
  /** Shape of a stored tensor in the Hugging Face layout, or `undefined` when there is none. */
  shapeOf(name: string): readonly number[] | undefined
  /** The stored element type of a tensor (checked before anything is read: F32, F16 or BF16). */
  dtypeOf?(name: string): string | undefined
  /** One tensor as float32, transposed (2-D) when asked. */
  read(name: string, options: { readonly transpose: boolean }): Promise<NamedTensor>
  /** Where the weights come from, for messages (a directory). */
  readonly description: string
}

/** The parameter list of a Qwen2 causal LM with this config (value heads not included). */
export function parameterSpecs(config: Qwen2Config): ParameterSpec[] {
  const h = config.hidden_size
  const d = headDim(config)
  const q = config.num_attention_heads * d
  const kv = config.num_key_value_heads * d
  const specs: ParameterSpec[] = [
    // A tied embedding is held in the output head's layout ([hidden, vocab]): the head then needs no transpose
    // and the lookup gathers columns.
    {
      name: 'model.embed_tokens.weight',
      hfShape: [config.vocab_size, h],
      transposed: config.tie_word_embeddings,
      init: 'normal',
    },
  ]
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`
    const lin = (name: string, out: number, inp: number): ParameterSpec => ({
      name,
      hfShape: [out, inp],
      transposed: true,
      init: 'normal',
    })
    specs.push(
      { name: `${p}.input_layernorm.weight`, hfShape: [h], transposed: false, init: 'ones' },
      lin(`${p}.self_attn.q_proj.weight`, q, h),
      { name: `${p}.self_attn.q_proj.bias`, hfShape: [q], transposed: false, init: 'zeros' },
      lin(`${p}.self_attn.k_proj.weight`, kv, h),
      { name: `${p}.self_attn.k_proj.bias`, hfShape: [kv], transposed: false, init: 'zeros' },
      lin(`${p}.self_attn.v_proj.weight`, kv, h),
      { name: `${p}.self_attn.v_proj.bias`, hfShape: [kv], transposed: false, init: 'zeros' },
      lin(`${p}.self_attn.o_proj.weight`, h, q),
      { name: `${p}.post_attention_layernorm.weight`, hfShape: [h], transposed: false, init: 'ones' },
      lin(`${p}.mlp.gate_proj.weight`, config.intermediate_size, h),
      lin(`${p}.mlp.up_proj.weight`, config.intermediate_size, h),
      lin(`${p}.mlp.down_proj.weight`, h, config.intermediate_size),
    )
  }
  specs.push({ name: 'model.norm.weight', hfShape: [h], transposed: false, init: 'ones' })
  if (!config.tie_word_embeddings) {
    specs.push({ name: 'lm_head.weight', hfShape: [config.vocab_size, h], transposed: true, init: 'normal' })
  }
  return specs
}

/** Options of {@link Qwen2Model.create}. */
export interface CreateModelOptions {
  /** Seed of the weight initialisation. */
  readonly seed: number
  /** Standard deviation of the normal initialisation (Hugging Face's `initializer_range`). @defaultValue `0.02` */
  readonly initStd?: number
  /** Backward pass of linear layers. @defaultValue `'custom'` */
  readonly linearImpl?: LinearImpl
  /** Extra parameters (e.g. a value head) created with the model. */
  readonly extraParameters?: readonly ParameterSpec[]
}

interface LayerParams {
  readonly inputNorm: Variable
  readonly wq: Variable
  readonly bq: Variable
  readonly wk: Variable
  readonly bk: Variable
  readonly wv: Variable
  readonly bv: Variable
  readonly wo: Variable
  readonly postNorm: Variable
  readonly wGate: Variable
  readonly wUp: Variable
  readonly wDown: Variable
}

/** Per-segment tensors shared by the layers. */
interface SegmentContext {
  readonly t: number
  /** `[t, 1, d]` */
  readonly cos: Tensor
  /** `[t, 1, d]` */
  readonly sin: Tensor
  /** Query blocks of the causal attention. */
  readonly blocks: readonly CausalBlock[]
}

let modelCounter = 0

/**
 * A Qwen2 decoder-only language model on TensorFlow.js: token embedding, `num_hidden_layers` blocks of
 * (RMSNorm → grouped-query self-attention with q/k/v biases and half-split rotary embeddings → residual,
 * RMSNorm → SwiGLU MLP → residual), a final RMSNorm and a tied or separate output head.
 *
 * Parameters carry their Hugging Face names; linear weights (and a tied embedding, which doubles as the head)
 * are held transposed (`[in, out]`) and converted at load/save time, so reading a Hugging Face checkpoint is a
 * name-for-name mapping.
 *
 * Sequences are processed packed (no padding): linear layers run once over all tokens, attention runs per
 * segment and per key/value head as plain 2-D matrix products. Optional LoRA adapters
 * ({@link Qwen2Model.attachLora}) add `scale · (x·A)·B` to their layers and freeze the base weights.
 */
export class Qwen2Model {
  readonly config: Qwen2Config
  readonly specs: readonly ParameterSpec[]
  readonly params: ReadonlyMap<string, Variable>
  linearImpl: LinearImpl
  readonly #layers: readonly LayerParams[]
  /** `[vocab, hidden]`, or `[hidden, vocab]` when tied. */
  readonly #embed: Variable
  readonly #finalNorm: Variable
  readonly #head: Variable | undefined
  readonly #rope: RopeTables
  #lora: LoraAdapters | undefined
  #disposed = false

  private constructor(
    config: Qwen2Config,
    specs: readonly ParameterSpec[],
    values: ReadonlyMap<string, Tensor>,
    linearImpl: LinearImpl,
  ) {
    registerGradients()
    this.config = config
    this.specs = specs
    this.linearImpl = linearImpl
    const id = modelCounter++
    const params = new Map<string, Variable>()
    for (const spec of specs) {
      const value = values.get(spec.name)!
      // tf.variable shares the tensor's data (reference-counted): no copy.
      params.set(spec.name, tf.variable(value, true, `gigpo_${id}/${spec.name}`))
    }
    this.params = params
    const get = (name: string) => params.get(name)!
    this.#embed = get('model.embed_tokens.weight')
    this.#finalNorm = get('model.norm.weight')
    this.#head = config.tie_word_embeddings ? undefined : get('lm_head.weight')
    const layers: LayerParams[] = []
    for (let i = 0; i < config.num_hidden_layers; i++) {
      const p = `model.layers.${i}`
      layers.push({
        inputNorm: get(`${p}.input_layernorm.weight`),
        wq: get(`${p}.self_attn.q_proj.weight`),
        bq: get(`${p}.self_attn.q_proj.bias`),
        wk: get(`${p}.self_attn.k_proj.weight`),
        bk: get(`${p}.self_attn.k_proj.bias`),
        wv: get(`${p}.self_attn.v_proj.weight`),
        bv: get(`${p}.self_attn.v_proj.bias`),
        wo: get(`${p}.self_attn.o_proj.weight`),
        postNorm: get(`${p}.post_attention_layernorm.weight`),
        wGate: get(`${p}.mlp.gate_proj.weight`),
        wUp: get(`${p}.mlp.up_proj.weight`),
        wDown: get(`${p}.mlp.down_proj.weight`),
      })
    }
    this.#layers = layers
    this.#rope = createRopeTables({
      headDim: headDim(config),
      positions: config.max_position_embeddings,
      theta: config.rope_theta,
    })
  }

  /** A freshly initialised model (normal(0, initStd) weights, zero biases, unit norms) from a seed. */
  static create(config: Qwen2Config, options: CreateModelOptions): Qwen2Model {
    const specs = [...parameterSpecs(config), ...(options.extraParameters ?? [])]
    const std = options.initStd ?? 0.02
    const rng = createRng(options.seed).fork('qwen2-init')
    const values = new Map<string, Tensor>()
    try {
      for (const spec of specs) {
        const size = spec.hfShape.reduce((a, b) => a * b, 1)
        const data = new Float32Array(size)
        if (spec.init === 'ones') data.fill(1)
        else if (spec.init === 'normal') for (let i = 0; i < size; i++) data[i] = rng.normal(0, std)
        values.set(spec.name, toInternal(spec, { shape: spec.hfShape, data }))
      }
      return new Qwen2Model(config, specs, values, options.linearImpl ?? 'custom')
    } finally {
      for (const t of values.values()) t.dispose()
    }
  }

  /**
   * A model from tensors in the Hugging Face layout (e.g. read from `model.safetensors`). Every parameter of the
   * config must be present with the right shape (otherwise a {@link CheckpointError} lists what is missing or
   * mis-shaped); unknown names are ignored.
   */
  static fromTensors(
    config: Qwen2Config,
    tensors: ReadonlyMap<string, NamedTensor>,
    options: { readonly linearImpl?: LinearImpl; readonly extraParameters?: readonly ParameterSpec[] } = {},
  ): Qwen2Model {
    const specs = [...parameterSpecs(config), ...(options.extraParameters ?? [])]
    checkWeights(specs, (name) => tensors.get(name)?.shape, 'weights')
    const values = new Map<string, Tensor>()
    try {
      for (const spec of specs) values.set(spec.name, toInternal(spec, tensors.get(spec.name)!))
      return new Qwen2Model(config, specs, values, options.linearImpl ?? 'custom')
    } finally {
      for (const t of values.values()) t.dispose()
    }
  }

  /**
   * Streams a model from a weight source (a Hugging Face checkpoint directory): every tensor's shape is checked
   * against the config first, then tensors are read one at a time, converted to float32 (transposed where this
   * model holds them transposed) and uploaded to the backend before the next is read, so at most one tensor
   * exists outside the backend. Throws a {@link CheckpointError} (`missing-tensor`, `shape-mismatch`,
   * `unsupported-dtype`, …) before uploading anything when the weights do not fit the config.
   */
  static async load(
    config: Qwen2Config,
    source: WeightSource,
    options: {
      readonly linearImpl?: LinearImpl
      readonly extraParameters?: readonly ParameterSpec[]
      /** Tensors whose values are made up instead of read (e.g. a fresh value head): name → data (HF layout). */
      readonly provided?: ReadonlyMap<string, NamedTensor>
      /** Called after each tensor is uploaded. */
      readonly onTensor?: (info: {
        readonly name: string
        readonly index: number
        readonly count: number
      }) => void
    } = {},
  ): Promise<Qwen2Model> {
    const specs = [...parameterSpecs(config), ...(options.extraParameters ?? [])]
    const provided = options.provided ?? new Map<string, NamedTensor>()
    checkWeights(specs, (name) => provided.get(name)?.shape ?? source.shapeOf(name), source.description)
    for (const spec of specs) {
      const dtype = provided.has(spec.name) ? 'F32' : (source.dtypeOf?.(spec.name) ?? 'F32')
      if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
        throw new CheckpointError(
          'unsupported-dtype',
          `${source.description}: tensor '${spec.name}' is stored as ${dtype}; only F32, F16 and BF16 are supported ` +
            '(convert the checkpoint, e.g. with transformers: model.to(torch.bfloat16).save_pretrained(dir)).',
          { path: source.description, tensor: spec.name },
        )
      }
    }
    const values = new Map<string, Tensor>()
    try {
      for (const [index, spec] of specs.entries()) {
        const given = provided.get(spec.name)
        if (given !== undefined) {
          values.set(spec.name, toInternal(spec, given))
        } else {
          const t = await source.read(spec.name, { transpose: spec.transposed })
          values.set(spec.name, tf.tensor(t.data, [...t.shape], 'float32'))
        }
        options.onTensor?.({ name: spec.name, index, count: specs.length })
      }
      return new Qwen2Model(config, specs, values, options.linearImpl ?? 'custom')
    } finally {
      for (const t of values.values()) t.dispose()
    }
  }

  /**
   * Every parameter in the Hugging Face layout, in spec order (reads the weights back from the backend). With
   * `mergeLora`, the adapters' updates are added to their weights (the model itself is unchanged).
   */
  toTensors(options: { readonly mergeLora?: boolean } = {}): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>()
    const deltas = new Map<string, LoraPair>()
    if (options.mergeLora === true && this.#lora !== undefined) {
      this.#lora.layers.forEach((modules, l) => {
        for (const [m, pair] of modules) {
          const parent =
            m === 'q_proj' || m === 'k_proj' || m === 'v_proj' || m === 'o_proj' ? 'self_attn' : 'mlp'
          deltas.set(`model.layers.${l}.${parent}.${m}.weight`, pair)
        }
      })
    }
    const scale = this.#lora?.scale ?? 1
    for (const spec of this.specs) {
      const v = this.params.get(spec.name)!
      const pair = deltas.get(spec.name)
      const t = tf.tidy(() => {
        const w = pair === undefined ? v : tf.add(v, tf.mul(tf.matMul(pair.a, pair.b), scale))
        return spec.transposed ? tf.transpose(w) : tf.clone(w)
      })
      out.set(spec.name, { shape: spec.hfShape, data: new Float32Array(t.dataSync() as Float32Array) })
      t.dispose()
    }
    return out
  }

  /** An independent copy of this model (same weights, new variables; LoRA adapters copied too). */
  clone(): Qwen2Model {
    this.#checkAlive()
    // tf.variable shares the data (reference-counted) until either copy is assigned a new value.
    const copy = new Qwen2Model(this.config, this.specs, this.params, this.linearImpl)
    if (this.#lora !== undefined) copy.attachLora(this.#lora.clone())
    return copy
  }

  /** Bytes held by the parameters (float32), adapters included. */
  parameterBytes(): number {
    let n = 0
    for (const v of this.params.values()) n += v.size * 4
    return n + (this.#lora?.bytes() ?? 0)
  }

  /** The base model's variables in spec order. */
  variables(): Variable[] {
    return this.specs.map((s) => this.params.get(s.name)!)
  }

  /** The LoRA adapters, when attached. */
  get lora(): LoraAdapters | undefined {
    return this.#lora
  }

  /**
   * What training updates: the LoRA adapters' variables (by PEFT name) when adapters are attached, otherwise
   * every parameter (by Hugging Face name).
   */
  trainableVariables(): ReadonlyMap<string, Variable> {
    return this.#lora?.variables ?? this.params
  }

  /**
   * Attaches LoRA adapters (the model takes ownership): their layers compute `x·W + scale·(x·A)·B`, and the
   * base weights become frozen (their gradients are no longer computed).
   */
  attachLora(adapters: LoraAdapters): void {
    this.#checkAlive()
    if (this.#lora !== undefined) {
      throw new InvalidArgumentError(
        'attachLora: this model already has adapters; merge or detach them first.',
      )
    }
    if (adapters.layers.length !== this.config.num_hidden_layers) {
      throw new InvalidArgumentError(
        `attachLora: adapters for ${adapters.layers.length} layers, the model has ${this.config.num_hidden_layers}.`,
      )
    }
    this.#lora = adapters
  }

  /** Removes the adapters and returns them (the caller owns them then). */
  detachLora(): LoraAdapters | undefined {
    const adapters = this.#lora
    this.#lora = undefined
    return adapters
  }

  /**
   * Folds the adapters into the base weights (`W ← W + scale·A·B`) and disposes them: the model then computes
   * the same outputs without adapters, and all its parameters are trainable again.
   */
  mergeLora(): void {
    this.#checkAlive()
    const adapters = this.#lora
    if (adapters === undefined) return
    const weightOf = (layer: LayerParams, m: LoraTargetModule): Variable =>
      ({
        q_proj: layer.wq,
        k_proj: layer.wk,
        v_proj: layer.wv,
        o_proj: layer.wo,
        gate_proj: layer.wGate,
        up_proj: layer.wUp,
        down_proj: layer.wDown,
      })[m]
    adapters.layers.forEach((modules, l) => {
      for (const [m, pair] of modules) {
        const w = weightOf(this.#layers[l]!, m)
        tf.tidy(() => w.assign(tf.add(w, tf.mul(tf.matMul(pair.a, pair.b), adapters.scale))))
      }
    })
    this.#lora = undefined
    adapters.dispose()
  }

  /**
   * Runs the decoder over packed sequences and returns final hidden states (before the final norm): all rows
   * `[tokens, hidden]`, or with `select` only the listed rows of each segment, concatenated.
   *
   * Each segment goes through the layers on its own (no padding, no cross-segment masking), and attention is
   * computed per key/value head group from column blocks of the projection weights, so no activation is ever
   * sliced (TensorFlow.js 4.22's WebAssembly `slice` copies its whole input on every call).
   */
  forwardHidden(
    batch: PackedSequences,
    options: {
      /** Also return each layer's rotated keys and values per segment (for a KV cache). */
      readonly collectKv?: boolean
      /**
       * No gradient will be taken: free each layer's intermediates as soon as the layer is done (bounds memory
       * to one layer of one segment). Must be false inside a gradient computation.
       */
      readonly inference?: boolean
      /** Per segment, the rows (0-based within the segment) to return. */
      readonly select?: readonly Int32Array[]
    } = {},
  ): { readonly hidden: Tensor2D; readonly kv?: LayerKv[] } {
    this.#checkAlive()
    const n = batch.tokens.length
    if (batch.positions.length !== n || batch.lengths.reduce((a, b) => a + b, 0) !== n) {
      throw new InvalidArgumentError('forwardHidden: tokens, positions and segment lengths disagree.')
    }
    if (options.select !== undefined && options.select.length !== batch.lengths.length) {
      throw new InvalidArgumentError('forwardHidden: select needs one row list per segment.')
    }
    const inference = options.inference === true
    const collect = options.collectKv === true
    const c = this.config
    const kvHeads = c.num_key_value_heads
    const layers = this.#layers
    const kv: LayerKv[] = this.#layers.map(() => ({
      keysT: Array.from({ length: kvHeads }, () => []),
      values: Array.from({ length: kvHeads }, () => []),
    }))
    const outputs: Tensor2D[] = []
    let at = 0
    batch.lengths.forEach((t, s) => {
      const segment = () => {
        const ids = tf.tensor1d(batch.tokens.subarray(at, at + t), 'int32')
        const pos = tf.tensor1d(batch.positions.subarray(at, at + t), 'int32')
        const ctx: SegmentContext = {
          t,
          cos: tf.reshape(tf.gather(this.#rope.cos, pos), [t, 1, -1]),
          sin: tf.reshape(tf.gather(this.#rope.sin, pos), [t, 1, -1]),
          blocks: causalBlocks(t),
        }
        let x = this.#embedTokens(ids, inference)
        layers.forEach((_, l) => {
          // A scope per block: only what the backward pass saved (and the block's output) outlives it, which
          // bounds the live intermediates to one block even while gradients are being recorded.
          const result = tf.tidy(() => this.#block(x, l, ctx))
          x.dispose()
          x = result.out
          if (collect) {
            // Kept past the segment's scope; the caller owns (and disposes) them.
            result.keysT.forEach((k, j) => kv[l]!.keysT[j]!.push(inference ? tf.keep(k) : k))
            result.values.forEach((v, j) => kv[l]!.values[j]!.push(inference ? tf.keep(v) : v))
          } else {
            for (const k of [...result.keysT, ...result.values]) k.dispose()
          }
        })
        const rows = options.select?.[s]
        return rows === undefined ? x : embed(x, tf.tensor1d(rows, 'int32'))
      }
      outputs.push(inference ? tf.tidy(segment) : segment())
      at += t
    })
    const hidden = outputs.length === 1 ? outputs[0]! : (tf.concat(outputs) as Tensor2D)
    if (inference && outputs.length > 1) for (const o of outputs) o.dispose()
    return collect ? { hidden, kv } : { hidden }
  }

  /**
   * Output logits `[rows, vocab]` for hidden states `[rows, hidden]` (final norm, then the head). `headWeight`
   * may be a precomputed {@link Qwen2Model.headWeight}.
   */
  logits(hidden: Tensor2D, headWeight?: Tensor2D): Tensor2D {
    const normed = this.#rmsNorm(hidden, this.#finalNorm)
    return this.#lin(normed, headWeight ?? this.headWeight())
  }

  /**
   * Per-row log-probability of `options.targets` and entropy of the next-token distribution, from hidden states
   * `[rows, hidden]` (before the final norm): final norm, then the output head fused with the log-softmax and
   * computed in chunks of rows ({@link headLogProbsAndEntropy}), so the full `[rows, vocab]` logits never exist
   * at once. The head's gradient is skipped when LoRA adapters are attached.
   */
  tokenTerms(
    hidden: Tensor2D,
    options: Omit<HeadTermsOptions, 'weightGradient'>,
  ): { readonly logProbs: Tensor1D; readonly entropy: Tensor1D } {
    const normed = this.#rmsNorm(hidden, this.#finalNorm)
    return headLogProbsAndEntropy(normed, this.headWeight(), {
      ...options,
      weightGradient: this.#lora === undefined,
    })
  }

  /** The output head as `[hidden, vocab]` (a tied embedding is stored in this layout: no copy). */
  headWeight(): Tensor2D {
    return (this.#head ?? this.#embed) as Tensor2D
  }

  /** Applies the final norm only (for value heads). */
  finalNorm(hidden: Tensor2D): Tensor2D {
    return this.#rmsNorm(hidden, this.#finalNorm)
  }

  /**
   * Splits the per-layer keys/values of a {@link Qwen2Model.forwardHidden} pass (`collectKv`) into one
   * {@link SequenceKv} per segment. The tensors move into the result (nothing is copied or disposed).
   */
  static sequenceCaches(kv: readonly LayerKv[], segments: number): SequenceKv[] {
    return Array.from({ length: segments }, (_, s) => ({
      keysT: kv.map((layer) => layer.keysT.map((perSegment) => perSegment[s]!)),
      values: kv.map((layer) => layer.values.map((perSegment) => perSegment[s]!)),
    }))
  }

  /**
   * One cached decoding step for `tokens.length` sequences, each with its own cache (no padding, no mask). The
   * projections and the MLP run batched over the sequences; attention runs per sequence and key/value head as
   * two untransposed 2-D matrix products (XNNPACK on WebAssembly, which has no fast batched `matMul`). Returns
   * the new tokens' hidden states (before the final norm) and the extended caches; with `consume`, each old
   * cache tensor is disposed as soon as its extension exists (so a step never holds two full caches).
   */
  decodeStep(options: {
    /** The new token of each sequence. */
    readonly tokens: Int32Array
    /** Its position within its sequence (= the cache length). */
    readonly positions: Int32Array
    /** Per sequence, its cache. */
    readonly caches: readonly SequenceKv[]
    /** Dispose the old cache tensors while extending them. @defaultValue `false` */
    readonly consume?: boolean
  }): { readonly hidden: Tensor2D; readonly caches: SequenceKv[] } {
    const { tokens, positions, caches } = options
    this.#checkAlive()
    const b = tokens.length
    if (positions.length !== b || caches.length !== b) {
      throw new InvalidArgumentError(
        'decodeStep: tokens, positions and caches must have one entry per sequence.',
      )
    }
    const c = this.config
    const d = headDim(c)
    const kvHeads = c.num_key_value_heads
    const rep = c.num_attention_heads / kvHeads
    const pairs = b * kvHeads
    const pos = tf.tensor1d(positions, 'int32')
    const cos = tf.gather(this.#rope.cos, pos)
    const sin = tf.gather(this.#rope.sin, pos)
    let x = this.#embedTokens(tf.tensor1d(tokens, 'int32'), true)
    const next: SequenceKv[] = caches.map(() => ({ keysT: [], values: [] }))
    this.#layers.forEach((layer, l) => {
      const normed = this.#rmsNorm(x, layer.inputNorm)
      const project = (w: Variable, bias: Variable | undefined, m: LoraTargetModule, input: Tensor2D) =>
        this.#project(input, l, m, w, bias)
      const q = this.#rotate(project(layer.wq, layer.bq, 'q_proj', normed), cos, sin, {
        heads: c.num_attention_heads,
        scale: 1 / Math.sqrt(d),
      })
      const k = this.#rotate(project(layer.wk, layer.bk, 'k_proj', normed), cos, sin, {
        heads: kvHeads,
        scale: 1,
      })
      const v = project(layer.wv, layer.bv, 'v_proj', normed)
      // Row p of these is sequence ⌊p / kvHeads⌋, key/value head p mod kvHeads (query heads are grouped so).
      const qParts =
        pairs === 1 ? [tf.reshape(q, [rep, d])] : tf.split(tf.reshape(q, [pairs * rep, d]), pairs)
      const kCols =
        pairs === 1 ? [tf.reshape(k, [d, 1])] : tf.split(tf.transpose(tf.reshape(k, [pairs, d])), pairs, 1)
      const vRows = pairs === 1 ? [tf.reshape(v, [1, d])] : tf.split(tf.reshape(v, [pairs, d]), pairs)
      const outs: Tensor[] = []
      for (let s = 0; s < b; s++) {
        const keysT: Tensor2D[] = []
        const values: Tensor2D[] = []
        for (let j = 0; j < kvHeads; j++) {
          const p = s * kvHeads + j
          const oldK = caches[s]!.keysT[l]![j]!
          const oldV = caches[s]!.values[l]![j]!
          const kT = tf.concat([oldK, kCols[p]! as Tensor2D], 1) as Tensor2D
          const vv = tf.concat([oldV, vRows[p]! as Tensor2D], 0) as Tensor2D
          if (options.consume === true) {
            oldK.dispose()
            oldV.dispose()
          }
          keysT.push(kT)
          values.push(vv)
          const probs = tf.softmax(tf.matMul(qParts[p]! as Tensor2D, kT))
          outs.push(tf.matMul(probs as Tensor2D, vv))
        }
        next[s]!.keysT.push(keysT)
        next[s]!.values.push(values)
      }
      const heads = tf.reshape(outs.length === 1 ? outs[0]! : tf.concat(outs), [b, -1]) as Tensor2D
      x = tf.add(x, project(layer.wo, undefined, 'o_proj', heads)) as Tensor2D
      const post = this.#rmsNorm(x, layer.postNorm)
      const gate = project(layer.wGate, undefined, 'gate_proj', post) as Tensor2D
      const up = project(layer.wUp, undefined, 'up_proj', post) as Tensor2D
      x = tf.add(x, project(layer.wDown, undefined, 'down_proj', swiglu(gate, up))) as Tensor2D
    })
    return { hidden: x, caches: next }
  }

  /** Frees every variable and table (and the adapters). Further calls throw. */
  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (const v of this.params.values()) v.dispose()
    this.#lora?.dispose()
    this.#lora = undefined
    this.#rope.cos.dispose()
    this.#rope.sin.dispose()
    this.#rope.rotation.dispose()
  }

  get disposed(): boolean {
    return this.#disposed
  }

  #checkAlive(): void {
    if (this.#disposed) throw new InvalidArgumentError('This model was disposed; create or load a new one.')
  }

  /** Token embeddings `[n, hidden]` (gathered from the columns of a tied, transposed table). */
  #embedTokens(ids: Tensor1D, inference: boolean): Tensor2D {
    const table = this.#embed as Tensor2D
    if (this.config.tie_word_embeddings) {
      return inference ? (tf.transpose(tf.gather(table, ids, 1)) as Tensor2D) : embedTransposed(table, ids)
    }
    return inference ? (tf.gather(table, ids) as Tensor2D) : embed(table, ids)
  }

  /** A base linear layer: frozen (no weight gradient) while adapters are attached. */
  #lin(x: Tensor2D, w: Tensor2D, bias?: Tensor1D): Tensor2D {
    if (this.#lora !== undefined && this.linearImpl === 'custom') return linearFrozen(x, w, bias)
    return linear(x, w, { ...(bias === undefined ? {} : { bias }), impl: this.linearImpl })
  }

  /** `scale · (x·A)·B`. */
  #loraDelta(x: Tensor2D, a: Tensor2D, b: Tensor2D): Tensor2D {
    const scale = this.#lora!.scale
    const xa = linear(x, a, { impl: this.linearImpl })
    return linear(scale === 1 ? xa : (tf.mul(xa, scale) as Tensor2D), b, { impl: this.linearImpl })
  }

  #rmsNorm(x: Tensor2D, weight: Variable): Tensor2D {
    return rmsNorm(x, weight as Tensor1D, this.config.rms_norm_eps)
  }

  /** A base projection plus its adapter's update, if any. */
  #project(x: Tensor2D, l: number, m: LoraTargetModule, w: Variable, bias?: Variable): Tensor2D {
    const base = this.#lin(x, w as Tensor2D, bias as Tensor1D | undefined)
    const pair = this.#lora?.layers[l]?.get(m)
    return pair === undefined
      ? base
      : addSame(base, this.#loraDelta(x, pair.a as Tensor2D, pair.b as Tensor2D))
  }

  #mlp(x: Tensor2D, l: number): Tensor2D {
    const layer = this.#layers[l]!
    const gate = this.#project(x, l, 'gate_proj', layer.wGate)
    const up = this.#project(x, l, 'up_proj', layer.wUp)
    return this.#project(swiglu(gate, up), l, 'down_proj', layer.wDown)
  }

  /** Rotary embedding of `[n, heads·d]` projections (times `scale`), returned as `[n, heads·d]`. */
  #rotate(x: Tensor2D, cos: Tensor, sin: Tensor, options: { heads: number; scale: number }): Tensor2D {
    const n = x.shape[0]
    const d = headDim(this.config)
    const c = tf.reshape(options.scale === 1 ? cos : tf.mul(cos, options.scale), [n, 1, d])
    const s = tf.reshape(options.scale === 1 ? sin : tf.mul(sin, options.scale), [n, 1, d])
    return rotary(x, c, s, this.#rope.rotation, options.heads)
  }

  /**
   * The same blocked causal attention from plain ops, differentiated by TensorFlow.js's own gradients (the
   * 'builtin' comparison of the benchmark).
   */
  #attentionBuiltin(q: Tensor2D, kT: Tensor2D, v: Tensor2D, blocks: readonly CausalBlock[]): Tensor2D {
    const [rows, d] = q.shape
    const t = kT.shape[1]
    const rep = rows / t
    const outs = blocks.map((b) => {
      const n = b.end - b.start
      const qb = tf.slice(q, [b.start * rep, 0], [n * rep, d])
      const scores = tf.reshape(linear(qb, tf.slice(kT, [0, 0], [d, b.end]), { impl: 'builtin' }), [
        n,
        rep,
        b.end,
      ])
      const probs = tf.reshape(tf.softmax(tf.add(scores, b.mask)), [n * rep, b.end]) as Tensor2D
      return linear(probs, tf.slice(v, [0, 0], [b.end, d]), { impl: 'builtin' })
    })
    return outs.length === 1 ? outs[0]! : (tf.concat(outs) as Tensor2D)
  }

  /**
   * One decoder block on one segment; also returns the rotated keys (transposed) and values per key/value head.
   * The projections use whole weights (XNNPACK keeps one packed copy of each); with several key/value heads the
   * projected activations are split per group (no weight is ever copied or sliced).
   */
  #block(
    x: Tensor2D,
    l: number,
    ctx: SegmentContext,
  ): { out: Tensor2D; keysT: Tensor2D[]; values: Tensor2D[] } {
    const c = this.config
    const layer = this.#layers[l]!
    const d = headDim(c)
    const kvHeads = c.num_key_value_heads
    const rep = c.num_attention_heads / kvHeads
    const { t } = ctx
    const normed = this.#rmsNorm(x, layer.inputNorm)
    const scale = 1 / Math.sqrt(d)
    const q = rotary(
      this.#project(normed, l, 'q_proj', layer.wq, layer.bq),
      tf.mul(ctx.cos, scale),
      tf.mul(ctx.sin, scale),
      this.#rope.rotation,
      c.num_attention_heads,
    )
    const k = rotary(
      this.#project(normed, l, 'k_proj', layer.wk, layer.bk),
      ctx.cos,
      ctx.sin,
      this.#rope.rotation,
      kvHeads,
    )
    const v = this.#project(normed, l, 'v_proj', layer.wv, layer.bv)
    const qs = kvHeads === 1 ? [q] : (tf.split(q, kvHeads, 1) as Tensor2D[])
    const ks = kvHeads === 1 ? [k] : (tf.split(k, kvHeads, 1) as Tensor2D[])
    const vs = kvHeads === 1 ? [v] : (tf.split(v, kvHeads, 1) as Tensor2D[])
    const keysT: Tensor2D[] = []
    const heads: Tensor2D[] = []
    for (let j = 0; j < kvHeads; j++) {
      const kT = tf.transpose(ks[j]!)
      keysT.push(kT)
      const qRows = tf.reshape(qs[j]!, [t * rep, d]) as Tensor2D
      const core =
        this.linearImpl === 'custom'
          ? attentionCore(qRows, kT, vs[j]!, ctx.blocks)
          : this.#attentionBuiltin(qRows, kT, vs[j]!, ctx.blocks)
      heads.push(tf.reshape(core, [t, rep * d]) as Tensor2D)
    }
    const attention = heads.length === 1 ? heads[0]! : (tf.concat(heads, 1) as Tensor2D)
    const mid = addSame(x, this.#project(attention, l, 'o_proj', layer.wo))
    const out = addSame(mid, this.#mlp(this.#rmsNorm(mid, layer.postNorm), l))
    return { out, keysT, values: vs }
  }
}

/**
 * Checks that every spec has a tensor of the right shape; throws a {@link CheckpointError} listing the problems
 * (`missing-tensor` when any tensor is missing, else `shape-mismatch`).
 */
function checkWeights(
  specs: readonly ParameterSpec[],
  shapeOf: (name: string) => readonly number[] | undefined,
  where: string,
): void {
  const missing: string[] = []
  const mismatched: string[] = []
  for (const spec of specs) {
    const shape = shapeOf(spec.name)
    if (shape === undefined) {
      missing.push(`'${spec.name}' (expected shape [${spec.hfShape.join(', ')}])`)
    } else if (shape.length !== spec.hfShape.length || shape.some((n, i) => n !== spec.hfShape[i])) {
      mismatched.push(
        `'${spec.name}' has shape [${shape.join(', ')}], the config needs [${spec.hfShape.join(', ')}]`,
      )
    }
  }
  if (missing.length === 0 && mismatched.length === 0) return
  const list = (items: string[]) =>
    items.slice(0, 8).join('; ') + (items.length > 8 ? `; … (${items.length - 8} more)` : '')
  if (missing.length > 0) {
    const tiedHint = missing.some((m) => m.startsWith("'lm_head.weight'"))
      ? ' (the config says tie_word_embeddings: false, so a separate lm_head.weight is needed)'
      : ''
    throw new CheckpointError(
      'missing-tensor',
      `${where}: ${missing.length} tensor(s) the config needs are missing${tiedHint}: ${list(missing)}.` +
        (mismatched.length > 0 ? ` Also mis-shaped: ${list(mismatched)}.` : ''),
      { path: where, tensor: missing[0]!.slice(1, missing[0]!.indexOf("'", 1)) },
    )
  }
  throw new CheckpointError(
    'shape-mismatch',
    `${where}: ${mismatched.length} tensor(s) disagree with config.json (a config of another model size?): ${list(mismatched)}.`,
    { path: where, tensor: mismatched[0]!.slice(1, mismatched[0]!.indexOf("'", 1)) },
  )
}

function toInternal(spec: ParameterSpec, t: NamedTensor): Tensor {
  return tf.tidy(() => {
    const value = tf.tensor(t.data, [...t.shape], 'float32')
    return spec.transposed ? tf.transpose(value) : value
  })
}
