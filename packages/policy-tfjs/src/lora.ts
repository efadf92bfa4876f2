import { InvalidArgumentError } from '@gigpo/protocol'
import { createRng } from '@gigpo/random'
import { headDim, type Qwen2Config } from './config.js'
import { CheckpointError } from './errors.js'
import type { NamedTensor } from './named-tensor.js'
import { tf, type Tensor, type Variable } from './tf.js'

/** The linear layers of a Qwen2 block that can carry a LoRA adapter (PEFT `target_modules` names). */
export const LORA_TARGET_MODULES = [
  'q_proj',
  'k_proj',
  'v_proj',
  'o_proj',
  'gate_proj',
  'up_proj',
  'down_proj',
] as const

/** One of {@link LORA_TARGET_MODULES}. */
export type LoraTargetModule = (typeof LORA_TARGET_MODULES)[number]

/** LoRA settings (PEFT `LoraConfig` names in parentheses). */
export interface LoraOptions {
  /** Adapter rank (`r`). */
  readonly rank: number
  /** Scaling numerator (`lora_alpha`): the update is `alpha / rank · B·A`. @defaultValue `2 · rank` */
  readonly alpha?: number
  /** Layers that get an adapter (`target_modules`). @defaultValue all seven linear layers (PEFT's `all-linear`) */
  readonly targetModules?: readonly LoraTargetModule[]
  /** Dropout on the adapter input (`lora_dropout`); only 0 is implemented. @defaultValue `0` */
  readonly dropout?: number
  /** Scale by `alpha / √rank` instead of `alpha / rank` (`use_rslora`). @defaultValue `false` */
  readonly rslora?: boolean
}

/** Resolved {@link LoraOptions}. */
export interface LoraSettings {
  readonly rank: number
  readonly alpha: number
  readonly targetModules: readonly LoraTargetModule[]
  readonly dropout: 0
  readonly rslora: boolean
}

/** Checks and fills in LoRA options. */
export function resolveLora(options: LoraOptions): LoraSettings {
  const { rank } = options
  if (!Number.isInteger(rank) || rank < 1) {
    throw new InvalidArgumentError(`lora.rank: must be a positive integer, got ${rank}.`)
  }
  const alpha = options.alpha ?? 2 * rank
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new InvalidArgumentError(`lora.alpha: must be a positive number, got ${alpha}.`)
  }
  const dropout = options.dropout ?? 0
  if (dropout !== 0) {
    throw new InvalidArgumentError(
      `lora.dropout: only 0 is implemented, got ${dropout} (the reference trains without dropout).`,
    )
  }
  const targets = options.targetModules ?? LORA_TARGET_MODULES
  if (targets.length === 0)
    throw new InvalidArgumentError('lora.targetModules: must name at least one layer.')
  for (const t of targets) {
    if (!(LORA_TARGET_MODULES as readonly string[]).includes(t)) {
      throw new InvalidArgumentError(
        `lora.targetModules: unknown module ${JSON.stringify(t)}; use any of ${LORA_TARGET_MODULES.join(', ')}.`,
      )
    }
  }
  // Canonical order, no duplicates.
  const targetModules = LORA_TARGET_MODULES.filter((m) => targets.includes(m))
  return { rank, alpha, targetModules, dropout: 0, rslora: options.rslora === true }
}

/** The factor applied to `B·A`: `alpha / rank` (or `alpha / √rank` with rsLoRA). */
export function loraScale(settings: LoraSettings): number {
  return settings.alpha / (settings.rslora ? Math.sqrt(settings.rank) : settings.rank)
}

/** `[in, out]` features of a target module. */
export function moduleShape(config: Qwen2Config, module: LoraTargetModule): readonly [number, number] {
  const h = config.hidden_size
  const q = config.num_attention_heads * headDim(config)
  const kv = config.num_key_value_heads * headDim(config)
  const mlp = config.intermediate_size
  switch (module) {
    case 'q_proj':
      return [h, q]
    case 'k_proj':
    case 'v_proj':
      return [h, kv]
    case 'o_proj':
      return [q, h]
    case 'gate_proj':
    case 'up_proj':
      return [h, mlp]
    case 'down_proj':
      return [mlp, h]
  }
}

/** `self_attn` or `mlp`. */
function parentOf(module: LoraTargetModule): string {
  return module === 'q_proj' || module === 'k_proj' || module === 'v_proj' || module === 'o_proj'
    ? 'self_attn'
    : 'mlp'
}

/** Number of adapter parameters for a config. */
export function countLoraParameters(config: Qwen2Config, settings: LoraSettings): number {
  let perLayer = 0
  for (const m of settings.targetModules) {
    const [i, o] = moduleShape(config, m)
    perLayer += settings.rank * (i + o)
  }
  return perLayer * config.num_hidden_layers
}

/** The adapter of one linear layer: `y = x·W + scale · (x·A)·B` with `A` `[in, r]` and `B` `[r, out]`. */
export interface LoraPair {
  /** `[in, rank]`, PEFT's `lora_A.weight` transposed. */
  readonly a: Variable
  /** `[rank, out]`, PEFT's `lora_B.weight` transposed. */
  readonly b: Variable
}

/** The PEFT tensor name of an adapter matrix, e.g. `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`. */
export function peftName(layer: number, module: LoraTargetModule, which: 'A' | 'B'): string {
  return `base_model.model.model.layers.${layer}.${parentOf(module)}.${module}.lora_${which}.weight`
}

let adapterCounter = 0

/**
 * LoRA adapters for every target module of every layer (trainable variables; the base weights stay frozen).
 * Saved and loaded in the PEFT layout: `adapter_config.json` + `adapter_model.safetensors` with tensors named
 * `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` (`[r, in]`) and `…lora_B.weight` (`[out, r]`).
 */
export class LoraAdapters {
  readonly settings: LoraSettings
  /** `alpha / rank` (or `alpha / √rank`). */
  readonly scale: number
  /** Per layer, the adapter of each target module. */
  readonly layers: readonly ReadonlyMap<LoraTargetModule, LoraPair>[]
  /** The trainable variables by PEFT name (A and B of every adapter). */
  readonly variables: ReadonlyMap<string, Variable>
  #disposed = false

  private constructor(settings: LoraSettings, layers: Map<LoraTargetModule, LoraPair>[]) {
    this.settings = settings
    this.scale = loraScale(settings)
    this.layers = layers
    const variables = new Map<string, Variable>()
    layers.forEach((modules, l) => {
      for (const [m, pair] of modules) {
        variables.set(peftName(l, m, 'A'), pair.a)
        variables.set(peftName(l, m, 'B'), pair.b)
      }
    })
    this.variables = variables
  }

  /**
   * Fresh adapters as PEFT initialises them: `A` uniform in ±1/√in (Kaiming-uniform with a = √5), `B` zero, so
   * the adapted model starts exactly at the base model.
   */
  static create(
    config: Qwen2Config,
    settings: LoraSettings,
    options: { readonly seed: number },
  ): LoraAdapters {
    const rng = createRng(options.seed).fork('lora-init')
    const id = adapterCounter++
    const layers: Map<LoraTargetModule, LoraPair>[] = []
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const modules = new Map<LoraTargetModule, LoraPair>()
      for (const m of settings.targetModules) {
        const [inF, outF] = moduleShape(config, m)
        const bound = 1 / Math.sqrt(inF)
        const a = new Float32Array(inF * settings.rank)
        // Drawn in PEFT's [r, in] order, stored transposed.
        for (let r = 0; r < settings.rank; r++) {
          for (let i = 0; i < inF; i++) a[i * settings.rank + r] = (rng.nextFloat() * 2 - 1) * bound
        }
        modules.set(m, {
          a: owned(tf.tensor2d(a, [inF, settings.rank]), `lora_${id}/${peftName(l, m, 'A')}`),
          b: owned(tf.zeros([settings.rank, outF]), `lora_${id}/${peftName(l, m, 'B')}`),
        })
      }
      layers.push(modules)
    }
    return new LoraAdapters(settings, layers)
  }

  /**
   * Adapters from PEFT tensors (`adapter_model.safetensors`, names with or without the `base_model.model.`
   * prefix). Every target module of every layer must be present with the right shape.
   */
  static fromPeftTensors(
    config: Qwen2Config,
    settings: LoraSettings,
    tensors: ReadonlyMap<string, NamedTensor>,
    options: { readonly source?: string } = {},
  ): LoraAdapters {
    const source = options.source ?? 'adapter_model.safetensors'
    const id = adapterCounter++
    const created: Variable[] = []
    try {
      const layers: Map<LoraTargetModule, LoraPair>[] = []
      for (let l = 0; l < config.num_hidden_layers; l++) {
        const modules = new Map<LoraTargetModule, LoraPair>()
        for (const m of settings.targetModules) {
          const [inF, outF] = moduleShape(config, m)
          const get = (which: 'A' | 'B', shape: readonly [number, number]) => {
            const name = peftName(l, m, which)
            const t = tensors.get(name) ?? tensors.get(name.replace(/^base_model\.model\./u, ''))
            if (t === undefined) {
              throw new CheckpointError('missing-tensor', `${source}: adapter tensor '${name}' is missing.`, {
                path: source,
                tensor: name,
              })
            }
            if (t.shape.length !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
              throw new CheckpointError(
                'shape-mismatch',
                `${source}: adapter tensor '${name}' has shape [${t.shape.join(', ')}], rank ${settings.rank} ` +
                  `and the base config need [${shape.join(', ')}].`,
                { path: source, tensor: name },
              )
            }
            const v = owned(
              tf.tidy(() => tf.transpose(tf.tensor2d(t.data, [shape[0], shape[1]]))),
              `lora_${id}/${name}`,
            )
            created.push(v)
            return v
          }
          modules.set(m, { a: get('A', [settings.rank, inF]), b: get('B', [outF, settings.rank]) })
        }
        layers.push(modules)
      }
      return new LoraAdapters(settings, layers)
    } catch (error) {
      for (const v of created) v.dispose()
      throw error
    }
  }

  /** The adapters in the PEFT layout (`lora_A.weight` `[r, in]`, `lora_B.weight` `[out, r]`), by PEFT name. */
  toPeftTensors(): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>()
    for (const [name, v] of this.variables) {
      const t = tf.tidy(() => tf.transpose(v))
      out.set(name, { shape: t.shape, data: new Float32Array(t.dataSync() as Float32Array) })
      t.dispose()
    }
    return out
  }

  /** PEFT's `adapter_config.json` for these adapters. */
  adapterConfig(options: { readonly baseModel: string | null }): Record<string, unknown> {
    const s = this.settings
    return {
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: options.baseModel,
      revision: null,
      r: s.rank,
      lora_alpha: s.alpha,
      lora_dropout: s.dropout,
      target_modules: [...s.targetModules],
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      use_rslora: s.rslora,
      use_dora: false,
      modules_to_save: null,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
    }
  }

  /** An independent copy (new variables). */
  clone(): LoraAdapters {
    const id = adapterCounter++
    const layers = this.layers.map((modules, l) => {
      const copy = new Map<LoraTargetModule, LoraPair>()
      for (const [m, pair] of modules) {
        copy.set(m, {
          a: owned(tf.clone(pair.a), `lora_${id}/${peftName(l, m, 'A')}`),
          b: owned(tf.clone(pair.b), `lora_${id}/${peftName(l, m, 'B')}`),
        })
      }
      return copy
    })
    return new LoraAdapters(this.settings, layers)
  }

  /** Bytes held by the adapters (float32). */
  bytes(): number {
    let n = 0
    for (const v of this.variables.values()) n += v.size * 4
    return n
  }

  /** Number of adapter parameters. */
  get parameterCount(): number {
    let n = 0
    for (const v of this.variables.values()) n += v.size
    return n
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (const v of this.variables.values()) v.dispose()
  }
}

/**
 * Reads PEFT's `adapter_config.json`: a LoRA adapter (`peft_type` `LORA`) on this package's target modules, with
 * `bias` `none` and no per-layer rank/alpha patterns, DoRA or `modules_to_save`. `target_modules` may be a list
 * of module names or `all-linear`. Dropout is a training-time setting and is not applied here.
 */
export function parseAdapterConfig(
  json: unknown,
  path = 'adapter_config.json',
): {
  readonly settings: LoraSettings
  readonly baseModel: string | undefined
} {
  const fail = (message: string): never => {
    throw new CheckpointError('unsupported-architecture', `${path}: ${message}`, { path })
  }
  if (json === null || typeof json !== 'object') {
    throw new CheckpointError('malformed', `${path}: not a JSON object.`, { path })
  }
  const c = json as Record<string, unknown>
  if (c['peft_type'] !== undefined && c['peft_type'] !== 'LORA')
    fail(`peft_type ${JSON.stringify(c['peft_type'])} is not LORA.`)
  if (c['use_dora'] === true) fail('DoRA adapters (use_dora) are not implemented.')
  if (c['bias'] !== undefined && c['bias'] !== 'none')
    fail(`bias ${JSON.stringify(c['bias'])}: only "none" is implemented.`)
  if (c['fan_in_fan_out'] === true) fail('fan_in_fan_out adapters are not Qwen2 adapters.')
  for (const key of ['modules_to_save', 'layers_to_transform']) {
    const v = c[key]
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
      fail(`${key} is not supported.`)
  }
  for (const key of ['rank_pattern', 'alpha_pattern']) {
    const v = c[key]
    if (v !== undefined && v !== null && Object.keys(v as object).length > 0) fail(`${key} is not supported.`)
  }
  const raw = c['target_modules']
  let targets: readonly string[]
  if (raw === 'all-linear') targets = LORA_TARGET_MODULES
  else if (Array.isArray(raw) && raw.every((t) => typeof t === 'string')) targets = raw as string[]
  else {
    return fail(
      `target_modules ${JSON.stringify(raw)}: expected a list of ${LORA_TARGET_MODULES.join(', ')} or "all-linear".`,
    )
  }
  const unknown = targets.filter((t) => !(LORA_TARGET_MODULES as readonly string[]).includes(t))
  if (unknown.length > 0)
    fail(`target_modules ${JSON.stringify(unknown)} are not Qwen2 linear layers with adapters here.`)
  const rank = c['r']
  const alpha = c['lora_alpha'] ?? 8
  let settings: LoraSettings
  try {
    settings = resolveLora({
      rank: rank as number,
      alpha: alpha as number,
      targetModules: targets as LoraTargetModule[],
      rslora: c['use_rslora'] === true,
    })
  } catch (error) {
    throw new CheckpointError('malformed', `${path}: ${(error as Error).message}`, { path, cause: error })
  }
  const base = c['base_model_name_or_path']
  return { settings, baseModel: typeof base === 'string' && base !== '' ? base : undefined }
}

function owned(t: Tensor, name: string): Variable {
  const v = tf.variable(t, true, name)
  t.dispose()
  return v
}
