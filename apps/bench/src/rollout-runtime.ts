/**
 * The rollout runtime of the bench's distributed rollouts (`--rollouts threads|queue`): what a trainer worker
 * thread, or a `gigpo worker` process on another machine, builds to run the bench's rollout jobs — the trainer's
 * ALFWorld or WebShop suite, restricted to the preset's task subset when it has one (so an env is built on the
 * subset's split and env seed, as in-process), and the TF.js policy loader.
 */
import { fileURLToPath } from 'node:url'
import { InvalidArgumentError } from '@gigpo/protocol'
import { loadPolicy, type BackendPreference } from '@gigpo/policy-tfjs'
import {
  createAlfworldSuite,
  createWebShopSuite,
  type EnvSuite,
  type RolloutRuntime,
  type RolloutRuntimeSpec,
} from '@gigpo/trainer'
import { restrictSuite, type TaskSubset } from './task-subset.js'
import type { EnvId } from './types.js'

/** Options of {@link createRolloutRuntime} (JSON: they travel to threads and inside queue jobs). */
export interface BenchRuntimeOptions {
  readonly env: EnvId
  /** The preset's task subset of `env`, if it has one. */
  readonly subset?: TaskSubset
  /** TF.js backend of the worker (each thread or process runs its own). @defaultValue `'auto'` */
  readonly backend?: string
}

/**
 * Builds the runtime (the trainer's workers call it through {@link benchRuntimeSpec}).
 *
 * @example
 * ```ts
 * const runtime = await createRolloutRuntime({ env: 'alfworld', subset: QUICK_ALFWORLD_GAMES, backend: 'wasm' })
 * const policy = await runtime.loadPolicy(dir)
 * ```
 */
export async function createRolloutRuntime(options: BenchRuntimeOptions): Promise<RolloutRuntime> {
  const env = (options as Partial<BenchRuntimeOptions> | null)?.env
  if (env !== 'alfworld' && env !== 'webshop') {
    throw new InvalidArgumentError(
      `bench rollout runtime: options.env must be 'alfworld' or 'webshop', got ${JSON.stringify(env)}.`,
    )
  }
  const inner = (env === 'alfworld' ? createAlfworldSuite() : createWebShopSuite()) as unknown as EnvSuite
  const suite = options.subset === undefined ? inner : restrictSuite(inner, { subset: options.subset })
  const backend = (options.backend ?? 'auto') as BackendPreference
  return { suite, loadPolicy: (dir: string) => loadPolicy(dir, { backend }) }
}

/** The spec that names {@link createRolloutRuntime} by this file's absolute path, for `createTrainer`'s `rollouts`. */
export function benchRuntimeSpec(options: BenchRuntimeOptions): RolloutRuntimeSpec {
  return {
    module: fileURLToPath(new URL('./rollout-runtime.ts', import.meta.url)),
    export: 'createRolloutRuntime',
    options,
  }
}
