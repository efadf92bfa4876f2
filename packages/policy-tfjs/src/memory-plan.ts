import { totalmem } from 'node:os'
import { GigpoError, InvalidArgumentError } from '@gigpo/protocol'
import type { BackendName } from './backend.js'
import { countParameters, headDim, type Qwen2Config } from './config.js'
import { countLoraParameters, resolveLora, type LoraSettings } from './lora.js'
import { HEAD_CHUNK_ELEMENTS } from './ops.js'

/** What will be trained: nothing (acting and scoring only), every weight, or LoRA adapters. */
export type TrainingMode = 'none' | 'full' | 'lora'

/** The workload a memory plan is made for (all optional). */
export interface MemoryPlanRequest {
  /** Sequences generated together (their KV caches are held at once). @defaultValue `8` */
  readonly batch?: number
  /** Tokens per sequence (prompt + response) the KV caches must hold. @defaultValue `min(max_position_embeddings, 4096)` */
  readonly context?: number
  /**
   * What will be trained. @defaultValue `'lora'` with adapters, `'none'` for a frozen policy, else `'full'`
   */
  readonly training?: TrainingMode
  /**
   * Bytes available to the model. @defaultValue `budgetFraction` × `os.totalmem()`, and at most the 4 GiB
   * WebAssembly heap on the `wasm` backend (on `node-gpu` pass the GPU's memory)
   */
  readonly budgetBytes?: number
  /** Share of system memory the default budget takes. @defaultValue `0.8` */
  readonly budgetFraction?: number
  /** Training keeps a frozen copy of the weights for the KL term (full fine-tuning only). @defaultValue `true` */
  readonly referenceCopy?: boolean
  /** Throw a {@link MemoryPlanError} when the plan does not fit. @defaultValue `true` */
  readonly enforce?: boolean
}

/** Everything {@link planMemory} needs. */
export interface MemoryPlanInput extends MemoryPlanRequest {
  readonly config: Qwen2Config
  readonly backend: BackendName
  /** Adapter settings when `training` is `'lora'` (rank 16 on all linear layers when absent). */
  readonly lora?: LoraSettings
  /** Packed tokens per training pass. @defaultValue `2048` */
  readonly trainTokensPerPass?: number
  /** Packed tokens per inference pass. @defaultValue `8192` */
  readonly inferenceTokensPerPass?: number
  /** Bytes per dtype in the weight files (what is on disk before conversion), for the report. */
  readonly storedBytes?: Readonly<Record<string, number>>
  /** Elements of the largest tensor (held once in host memory while it is converted). */
  readonly largestTensor?: number
  /** Parameters beyond the Qwen2 causal LM (e.g. a value head). @defaultValue `0` */
  readonly extraParameters?: number
}

/** One line of a memory plan. */
export interface MemoryPlanItem {
  readonly label: string
  readonly bytes: number
  readonly detail: string
}

/** The resolved workload of a plan. */
export interface MemoryPlanSettings {
  readonly backend: BackendName
  readonly batch: number
  readonly context: number
  readonly training: TrainingMode
  readonly trainTokensPerPass: number
  readonly inferenceTokensPerPass: number
  readonly loraRank: number | undefined
}

/** An estimate of the memory a model needs for a workload, checked against a budget. */
export interface MemoryPlan {
  readonly settings: MemoryPlanSettings
  /** Parameters of the base model (float32 after loading). */
  readonly parameters: number
  /** Trainable parameters (all, the adapters', or 0). */
  readonly trainableParameters: number
  /** What the backend holds, item by item. */
  readonly items: readonly MemoryPlanItem[]
  /** Sum of `items`. */
  readonly totalBytes: number
  /** Host memory used only while loading (one tensor being converted), outside the backend's tensors. */
  readonly loadingBytes: number
  readonly budgetBytes: number
  /** Where the budget comes from. */
  readonly budgetSource: string
  readonly fits: boolean
  /** Changes that would fit, with their totals (empty when the plan fits). */
  readonly suggestions: readonly string[]
  /** The plan as a printable table (what `loadPolicy`'s `onMemoryPlan` callers print). */
  readonly text: string
}

/** The WebAssembly backend's heap limit (the wasm32 address space, as TensorFlow.js 4.22's build sets it). */
export const WASM_HEAP_BYTES = 4294901760

const GIB = 1024 ** 3

/** Bytes as `1.23 GiB` / `45.6 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(2)} GiB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  return `${(bytes / 1024).toFixed(1)} KiB`
}

function resolveSettings(input: MemoryPlanInput): MemoryPlanSettings {
  const c = input.config
  const batch = input.batch ?? 8
  const context = input.context ?? Math.min(c.max_position_embeddings, 4096)
  const training = input.training ?? (input.lora === undefined ? 'full' : 'lora')
  const trainTokensPerPass = input.trainTokensPerPass ?? 2048
  const inferenceTokensPerPass = input.inferenceTokensPerPass ?? 8192
  for (const [name, value] of [
    ['batch', batch],
    ['context', context],
    ['trainTokensPerPass', trainTokensPerPass],
    ['inferenceTokensPerPass', inferenceTokensPerPass],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidArgumentError(`memory.${name}: must be a positive integer, got ${value}.`)
    }
  }
  if (context > c.max_position_embeddings) {
    throw new InvalidArgumentError(
      `memory.context: ${context} exceeds the model's max_position_embeddings (${c.max_position_embeddings}).`,
    )
  }
  if (training !== 'none' && training !== 'full' && training !== 'lora') {
    throw new InvalidArgumentError(
      `memory.training: must be 'none', 'full' or 'lora', got ${JSON.stringify(training)}.`,
    )
  }
  const loraRank = training === 'lora' ? (input.lora?.rank ?? 16) : undefined
  return {
    backend: input.backend,
    batch,
    context,
    training,
    trainTokensPerPass,
    inferenceTokensPerPass,
    loraRank,
  }
}

function budgetOf(input: MemoryPlanInput): { bytes: number; source: string } {
  if (input.budgetBytes !== undefined) {
    if (!(input.budgetBytes > 0)) {
      throw new InvalidArgumentError(`memory.budgetBytes: must be positive, got ${input.budgetBytes}.`)
    }
    return { bytes: input.budgetBytes, source: 'memory.budgetBytes' }
  }
  const fraction = input.budgetFraction ?? 0.8
  if (!(fraction > 0 && fraction <= 1)) {
    throw new InvalidArgumentError(`memory.budgetFraction: must be in (0, 1], got ${fraction}.`)
  }
  const system = totalmem()
  const bytes = fraction * system
  const share = `${Math.round(fraction * 100)}% of ${formatBytes(system)} system memory`
  if (input.backend === 'wasm' && bytes > WASM_HEAP_BYTES) {
    return { bytes: WASM_HEAP_BYTES, source: `the 4 GiB WebAssembly heap limit (${share} is more)` }
  }
  if (input.backend === 'node-gpu')
    return { bytes, source: `${share} (pass memory.budgetBytes with the GPU's memory)` }
  return { bytes, source: share }
}

/** The items and total of a plan, without budget or suggestions. */
function estimate(
  input: MemoryPlanInput,
  s: MemoryPlanSettings,
): {
  items: MemoryPlanItem[]
  total: number
  loading: number
  parameters: number
  trainable: number
} {
  const c = input.config
  const h = c.hidden_size
  const d = headDim(c)
  const q = c.num_attention_heads * d
  const kv = c.num_key_value_heads * d
  const I = c.intermediate_size
  const L = c.num_hidden_layers
  const V = c.vocab_size
  const rep = c.num_attention_heads / c.num_key_value_heads
  const P = countParameters(c) + (input.extraParameters ?? 0)
  const F = 4
  const items: MemoryPlanItem[] = []
  const add = (label: string, bytes: number, detail: string) => items.push({ label, bytes, detail })
  const stored = input.storedBytes
  const storedText =
    stored === undefined
      ? ''
      : ` (on disk: ${Object.entries(stored)
          .map(([dtype, b]) => `${formatBytes(b)} ${dtype}`)
          .join(', ')})`
  add('weights', P * F, `${(P / 1e6).toFixed(1)}M parameters as float32${storedText}`)
  // Weights that are the right operand of a matMul: every linear layer and the head.
  const linear = L * (h * q + 2 * h * kv + q * h + 3 * h * I) + V * h
  if (s.backend === 'wasm') {
    add(
      'matMul weight packing (wasm)',
      linear * F,
      'XNNPACK caches a packed copy of each weight matrix it multiplies by',
    )
  }
  const kvCache = L * s.batch * s.context * 2 * kv * F
  add('KV cache', kvCache, `${s.batch} sequences × ${s.context} tokens × ${L} layers × 2 × ${kv}`)
  const t = Math.min(s.context, s.inferenceTokensPerPass)
  const block = Math.min(t, 256)
  const prefill = (t * (4 * h + 2 * kv + 3 * I) + 2 * block * rep * t) * F + 3 * s.batch * V * F
  add('inference activations', prefill, `one ${t}-token segment through a layer, logits of ${s.batch} rows`)
  const lora = s.training === 'lora' ? (input.lora ?? resolveLora({ rank: s.loraRank ?? 16 })) : undefined
  let trainable = 0
  if (s.training !== 'none') {
    const T = s.trainTokensPerPass
    const seg = Math.min(s.context, T)
    // Saved per token and layer: the norms' inputs and outputs, each projection's input (q, k and v each keep their
    // own copy on WebAssembly), queries/keys/values, attention output, SwiGLU's gate, up, σ(gate) and output, and
    // the attention probabilities of the token's query block.
    const perToken = 7 * h + 2 * q + 2 * kv + 4 * I + (c.num_attention_heads * (seg + 256)) / 2
    const saved = L * T * perToken * F
    const chunkRows = Math.max(1, Math.floor(HEAD_CHUNK_ELEMENTS / V))
    // One layer's activation gradients, the head's chunk temporaries, a transposed weight and its packed copy.
    const backward = (T * (6 * h + 4 * I) + 8 * chunkRows * V + 2 * h * Math.max(I, q)) * F
    add(
      'training activations',
      saved + backward,
      `${T} tokens per pass × ${L} layers saved for the backward pass, plus one layer's gradients`,
    )
    trainable = lora === undefined ? P : countLoraParameters(c, lora)
    if (lora !== undefined) {
      add(
        'LoRA adapters',
        trainable * F,
        `rank ${lora.rank} on ${lora.targetModules.join(', ')}: ${(trainable / 1e6).toFixed(2)}M parameters`,
      )
    }
    add('gradients', 2 * trainable * F, 'accumulated sum + one pass (float32)')
    add('AdamW state', 2 * trainable * F, 'first and second moments (float32)')
    if (lora === undefined) {
      add(
        'optimizer step temporaries',
        3 * V * h * F,
        'three copies of the largest tensor (the embedding) while it is updated',
      )
    }
    if (lora === undefined && (input.referenceCopy ?? true)) {
      const copy = P * F + (s.backend === 'wasm' ? linear * F : 0)
      add(
        'reference policy copy',
        copy,
        'the frozen weights of the KL term once training has moved the policy',
      )
    }
  }
  if (s.backend === 'wasm') {
    const sum = items.reduce((acc, i) => acc + i.bytes, 0)
    add(
      'WebAssembly heap headroom',
      0.25 * sum,
      'the heap grows in 20% steps and never shrinks (fragmentation)',
    )
  }
  const total = items.reduce((sum, i) => sum + i.bytes, 0)
  const largest = input.largestTensor ?? V * h
  const loading = largest * F + 16 * 1024 ** 2
  return { items, total: total + (s.backend === 'cpu' ? loading : 0), loading, parameters: P, trainable }
}

/**
 * Estimates the memory a Qwen2 model needs on a backend for a workload — float32 weights (converted from the
 * checkpoint's BF16/F16), WebAssembly's packed weight copies, KV caches for `batch × context`, activations of an
 * inference pass and of a training pass, gradients and AdamW state for full fine-tuning or LoRA, the frozen
 * reference copy — and checks it against a budget. When it does not fit, `suggestions` lists changes that would
 * (LoRA, fewer training tokens per pass, a smaller batch or context, another backend).
 *
 * @example
 * ```ts
 * const plan = planMemory({ config, backend: 'wasm', batch: 8, context: 2048, training: 'lora' })
 * console.log(plan.text)
 * ```
 */
export function planMemory(input: MemoryPlanInput): MemoryPlan {
  const settings = resolveSettings(input)
  const budget = budgetOf(input)
  const est = estimate(input, settings)
  const fits = est.total <= budget.bytes
  const suggestions = fits ? [] : suggest(input, settings)
  const c = input.config
  const width = Math.max(...est.items.map((i) => i.label.length))
  const lines = [
    `Memory plan: Qwen2 ${c.num_hidden_layers} layers × ${c.hidden_size} (${(est.parameters / 1e6).toFixed(1)}M parameters, vocab ${c.vocab_size}) on ${settings.backend}; ` +
      `batch ${settings.batch} × ${settings.context} tokens; training: ${settings.training}` +
      (settings.loraRank === undefined ? '' : ` (rank ${settings.loraRank})`),
    ...est.items.map((i) => `  ${i.label.padEnd(width)}  ${formatBytes(i.bytes).padStart(10)}  ${i.detail}`),
    `  ${'total'.padEnd(width)}  ${formatBytes(est.total).padStart(10)}  budget ${formatBytes(budget.bytes)} (${budget.source}): ${fits ? 'fits' : 'DOES NOT FIT'}`,
    `  ${'while loading'.padEnd(width)}  ${formatBytes(est.loading).padStart(10)}  host memory for the tensor being converted`,
    ...(suggestions.length === 0 ? [] : ['  would fit:', ...suggestions.map((x) => `    - ${x}`)]),
  ]
  return {
    settings,
    parameters: est.parameters,
    trainableParameters: est.trainable,
    items: est.items,
    totalBytes: est.total,
    loadingBytes: est.loading,
    budgetBytes: budget.bytes,
    budgetSource: budget.source,
    fits,
    suggestions,
    text: lines.join('\n'),
  }
}

/** Settings changes that would fit: single changes first, then the first combination found that fits. */
function suggest(input: MemoryPlanInput, settings: MemoryPlanSettings): string[] {
  const totalOf = (change: Partial<MemoryPlanInput>): { total: number; fits: boolean } => {
    const next = { ...input, ...change }
    const total = estimate(next, resolveSettings(next)).total
    return { total, fits: total <= budgetOf(next).bytes }
  }
  const out: string[] = []
  const describe: Record<string, (value: unknown) => string> = {
    training: (v) =>
      v === 'lora' ? 'train LoRA adapters (lora: { rank: 16 })' : "inference only (training: 'none')",
    backend: () => "a backend without the 4 GiB WebAssembly heap (tfjs-node / tfjs-node-gpu, or 'cpu')",
    trainTokensPerPass: (v) => `trainTokensPerPass: ${String(v)}`,
    batch: (v) => `batch ${String(v)}`,
    context: (v) => `context ${String(v)} tokens`,
  }
  const text = (change: Partial<MemoryPlanInput>) =>
    Object.entries(change)
      .map(([k, v]) => describe[k]!(v))
      .join(' + ')
  // Each step lists the values to try for one setting, most generous first.
  const steps: Partial<MemoryPlanInput>[][] = []
  if (settings.training === 'full') steps.push([{ training: 'lora' }])
  if (settings.backend === 'wasm' && input.budgetBytes === undefined) steps.push([{ backend: 'node' }])
  if (settings.training !== 'none') {
    const tokens: Partial<MemoryPlanInput>[] = []
    for (let t = Math.min(settings.trainTokensPerPass, 4096) / 2; t >= 128; t /= 2)
      tokens.push({ trainTokensPerPass: t })
    steps.push(tokens)
  }
  const batches: Partial<MemoryPlanInput>[] = []
  for (let b = Math.floor(settings.batch / 2); b >= 1; b = Math.floor(b / 2)) batches.push({ batch: b })
  steps.push(batches)
  const contexts: Partial<MemoryPlanInput>[] = []
  for (let c = Math.floor(settings.context / 2); c >= 512; c = Math.floor(c / 2))
    contexts.push({ context: c })
  steps.push(contexts)
  // Single changes.
  for (const step of steps) {
    const found = step.find((change) => totalOf(change).fits)
    if (found !== undefined) out.push(`${text(found)}: ${formatBytes(totalOf(found).total)}`)
  }
  // Combined: apply the steps in order, keeping the first value that fits or else the most frugal one.
  if (out.length === 0) {
    let change: Partial<MemoryPlanInput> = {}
    for (const step of steps) {
      if (step.length === 0) continue
      const found = step.find((c) => totalOf({ ...change, ...c }).fits)
      change = { ...change, ...(found ?? step.at(-1)!) }
      if (found !== undefined) {
        out.push(`${text(change)}: ${formatBytes(totalOf(change).total)}`)
        break
      }
    }
  }
  if (settings.training !== 'none') {
    const none = totalOf({ training: 'none' })
    if (none.fits && !out.some((x) => x.startsWith('inference only'))) {
      out.push(`inference only (training: 'none'): ${formatBytes(none.total)}`)
    }
  }
  return out
}

/** A model and workload that do not fit the memory budget; `plan` has the breakdown and suggestions. */
export class MemoryPlanError extends GigpoError {
  readonly plan: MemoryPlan

  constructor(plan: MemoryPlan) {
    super(
      'RESOURCE_EXHAUSTED',
      `The model does not fit: it needs about ${formatBytes(plan.totalBytes)} but the budget is ` +
        `${formatBytes(plan.budgetBytes)} (${plan.budgetSource}).\n${plan.text}\n` +
        (plan.suggestions.length === 0
          ? 'No smaller setting fits either: use a machine with more memory or a smaller model. '
          : 'Apply one of the changes listed under "would fit". ') +
        'Pass memory: { budgetBytes } if the budget is wrong for your machine, or memory: { enforce: false } to load anyway.',
    )
    this.name = 'MemoryPlanError'
    this.plan = plan
  }
}
