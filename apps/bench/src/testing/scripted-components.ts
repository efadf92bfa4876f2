/**
 * Bench components over the trainer's scripted corridor suite and tabular policy: the whole bench pipeline
 * (bases, training, resume, evaluation, report) in well under a second per run, for tests.
 */
import type { TrainablePolicy } from '@gigpo/trainer'
import { createScriptedSuite, createTabularPolicy } from '@gigpo/trainer/testing'
import type { BenchComponents, BenchPolicy } from '../components.js'
import { PRESETS } from '../presets.js'
import type { BenchPreset, EnvBudget } from '../types.js'

/** Counters of what the components were asked to do (to check that complete runs are skipped). */
export interface ScriptedCalls {
  createPolicy: number
  /** Directories policies were loaded from. */
  loaded: string[]
  updates: number
}

/** Options of {@link createScriptedComponents}. */
export interface ScriptedComponentsOptions {
  /** Throw on the n-th `update` call (1-based) over all policies, to simulate a crash mid-run. */
  readonly failOnUpdate?: number
}

function wrap(
  policy: TrainablePolicy,
  calls: ScriptedCalls,
  options: ScriptedComponentsOptions,
): BenchPolicy {
  const update: TrainablePolicy['update'] = async (...args) => {
    calls.updates += 1
    if (options.failOnUpdate !== undefined && calls.updates === options.failOnUpdate) {
      throw new Error(`simulated crash in update #${calls.updates}`)
    }
    return policy.update(...args)
  }
  // A proxy, not a subclass: the tabular policy keeps its state in private fields, so methods must run on it.
  return new Proxy(policy, {
    get(target, property) {
      if (property === 'update') return update
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  }) as BenchPolicy
}

/** Components whose every env is the scripted corridor and whose policy is the tabular one. */
export function createScriptedComponents(options: ScriptedComponentsOptions = {}): {
  components: BenchComponents
  calls: ScriptedCalls
} {
  const calls: ScriptedCalls = { createPolicy: 0, loaded: [], updates: 0 }
  const components: BenchComponents = {
    backend: () => Promise.resolve('scripted (tabular policy)'),
    suite: () => createScriptedSuite({ tasks: 6, length: 3, maxSteps: 6 }),
    createPolicy() {
      calls.createPolicy += 1
      return Promise.resolve(wrap(createTabularPolicy(), calls, options))
    },
    async loadPolicy(dir) {
      calls.loaded.push(dir)
      const policy = createTabularPolicy()
      await policy.load?.(dir)
      return wrap(policy, calls, options)
    },
  }
  return { components, calls }
}

const TINY_BUDGET: EnvBudget = {
  trainer: {
    env: { maxSteps: 6 },
    rollout: { groupsPerIteration: 3, groupSize: 3 },
    actor: { lr: 0.3, miniBatchSize: 16, microBatchSize: 8, logProbMicroBatchSize: 16 },
    validation: { every: 0, beforeTrain: false, episodes: 4, rollouts: 1 },
    trainer: { iterations: 3, checkpointEvery: 1 },
  },
  finalEval: { episodes: 6, rollouts: 2 },
  sft: { demonstrations: 3, epochs: 1, batchSize: 8, lr: 0.5 },
}

/** A preset for the scripted components: the smoke preset's experiments with a tabular-sized budget. */
export const SCRIPTED_PRESET: BenchPreset = {
  ...PRESETS.smoke,
  envs: ['alfworld'],
  alfworld: TINY_BUDGET,
  webshop: TINY_BUDGET,
}
