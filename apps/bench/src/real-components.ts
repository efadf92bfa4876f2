/**
 * The real building blocks: the TF.js Qwen2-style policy of `@gigpo/policy-tfjs` (word tokenizer learned from
 * the environment's text, constrained or free decoding), its value model for PPO, and the trainer's ALFWorld
 * and WebShop suites over the bundled games and catalogue.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  buildWordTokenizer,
  CheckpointError,
  countParameters,
  createPolicy,
  createValueModel,
  initBackend,
  loadPolicy,
  loadTokenizer,
  loadValueModel,
  resolveCheckpointConfig,
  SafetensorsCheckpoint,
  tf,
  wrapAction,
  type BackendInfo,
  type BackendPreference,
  type TfjsPolicy,
} from '@gigpo/policy-tfjs'
import { createWebShopWorld } from '@gigpo/envs-webshop'
import { createAlfworldSuite, createWebShopSuite, type EnvSuite } from '@gigpo/trainer'
import type { BenchComponents, BenchPolicy } from './components.js'
import { envBudget } from './presets.js'
import { benchRuntimeSpec } from './rollout-runtime.js'
import type { BenchPolicySource, EnvId, PolicySourceInfo } from './types.js'

/** Options of {@link createRealComponents}. */
export interface RealComponentsOptions {
  /** TF.js backend (`auto` picks node-gpu, node, wasm, cpu in that order). @defaultValue `'auto'` */
  readonly backend?: string
}

/** `wasm (SIMD)`, `node-gpu`, …, with the backends that could not load. */
export function describeBackend(info: BackendInfo): string {
  const details = info.name === 'wasm' ? ` (SIMD ${info.simd === true ? 'on' : 'off'})` : ''
  const skipped =
    info.skipped.length === 0 ? '' : `; not available: ${info.skipped.map((s) => s.name).join(', ')}`
  return `${info.name}${details}, chosen by ${info.source}${skipped}`
}

function asBenchPolicy(policy: TfjsPolicy): BenchPolicy {
  return policy
}

/** Text of the bundled WebShop catalogue: titles, option values, categories and queries. */
function webshopCorpus(): string[] {
  const out: string[] = []
  for (const p of createWebShopWorld().products) {
    out.push(p.title.toLowerCase(), p.title, p.query, p.category)
    for (const o of p.options) out.push(o.name, ...o.values)
  }
  return out
}

/**
 * Checks a `--policy` directory without reading its weights — `config.json` (a Qwen2 decoder), the weight files'
 * headers, the tokenizer — and describes it. Throws policy-tfjs's `CheckpointError` (reason `not-found`,
 * `malformed`, `unsupported-architecture`, …) when it cannot be loaded.
 */
export async function describePolicyDir(source: BenchPolicySource): Promise<PolicySourceInfo> {
  const { dir } = source
  const configPath = join(dir, 'config.json')
  if (!existsSync(configPath)) {
    throw new CheckpointError(
      'not-found',
      `${existsSync(dir) ? `${dir} has no config.json` : `${dir} does not exist`}: expected a Hugging Face Qwen2 ` +
        'checkpoint directory (config.json, model.safetensors or its shards, tokenizer.json + tokenizer_config.json) ' +
        'or a directory written by TfjsPolicy.save.',
      { path: configPath },
    )
  }
  let json: unknown
  try {
    json = JSON.parse(await readFile(configPath, 'utf8'))
  } catch (error) {
    throw new CheckpointError('malformed', `${configPath}: not valid JSON (${(error as Error).message}).`, {
      path: configPath,
      cause: error,
    })
  }
  const config = resolveCheckpointConfig(json, configPath)
  const checkpoint = await SafetensorsCheckpoint.open(dir)
  await checkpoint.close()
  await loadTokenizer(dir)
  const raw = json as { readonly architectures?: readonly string[]; readonly model_type?: string }
  return {
    ...source,
    architecture: raw.architectures?.[0] ?? raw.model_type ?? 'qwen2',
    hiddenSize: config.hidden_size,
    layers: config.num_hidden_layers,
    vocabSize: config.vocab_size,
    parameters: countParameters(config),
  }
}

/** Creates the real components (initialises the TF.js backend once). */
export async function createRealComponents(options: RealComponentsOptions = {}): Promise<BenchComponents> {
  const backend = (options.backend ?? 'auto') as BackendPreference
  const info = await initBackend({ backend })
  const suites = new Map<EnvId, EnvSuite>()
  return {
    backend: () => Promise.resolve(describeBackend(info)),
    suite(env) {
      let suite = suites.get(env)
      if (suite === undefined) {
        suite = (env === 'alfworld' ? createAlfworldSuite() : createWebShopSuite()) as unknown as EnvSuite
        suites.set(env, suite)
      }
      return suite
    },
    async createPolicy({ env, seed, preset, corpus }) {
      // WebShop pages list product titles the demonstrations only partly cover; with the catalogue's words in the
      // vocabulary a page is a few hundred tokens instead of thousands of characters.
      const extra = env === 'webshop' ? webshopCorpus() : []
      const tokenizer = buildWordTokenizer([...corpus, ...extra], {
        maxVocabSize: preset.vocabularySize,
        minFrequency: 1,
      })
      const policy = await createPolicy({ tokenizer, seed, model: preset.model, backend })
      return asBenchPolicy(policy)
    },
    async loadPolicy(dir, load = {}) {
      const { loraRank, onMemoryPlan, workload } = load
      return asBenchPolicy(
        await loadPolicy(dir, {
          backend,
          // Seed 0 for every method: PEFT's initialisation (B = 0) starts each one exactly at the loaded weights.
          ...(loraRank === undefined ? {} : { lora: { rank: loraRank, seed: 0 } }),
          ...(onMemoryPlan === undefined ? {} : { onMemoryPlan: (plan) => onMemoryPlan(plan.text) }),
          ...(workload === undefined
            ? {}
            : {
                memory: {
                  batch: workload.batch,
                  context: workload.context,
                  ...(workload.budgetBytes === undefined ? {} : { budgetBytes: workload.budgetBytes }),
                },
              }),
        }),
      )
    },
    describePolicy: describePolicyDir,
    async createCritic({ policy, seed }) {
      return createValueModel({ from: policy as TfjsPolicy, seed })
    },
    loadCritic: (dir) => loadValueModel(dir, { backend }),
    tensorBytes: () => tf.memory().numBytes,
    demonstrationResponse: (decoding) => (decoding === 'constrained' ? wrapAction : undefined),
    rolloutRuntime: ({ env, preset }) => {
      const subset = envBudget(preset, env).tasks
      return benchRuntimeSpec({ env, backend, ...(subset === undefined ? {} : { subset }) })
    },
  }
}
