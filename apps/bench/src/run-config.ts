/**
 * The trainer configuration of one run: the preset's budget for the environment, the variant's algorithm
 * section and the seed. Every variant of a preset gets the same rollout budget; PPO, which has no groups,
 * gets the same number of trajectories as single-member groups (the reference's PPO script does the same).
 */
import type { TrainerConfigInput } from '@gigpo/trainer'
import { envBudget } from './presets.js'
import type { BenchPreset, RunSpec } from './types.js'

type Plain = Record<string, unknown>

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Deep merge of plain objects (later wins); arrays and other values are replaced. Inputs are not changed. */
export function deepMerge<T extends object>(...layers: readonly Partial<T>[]): T {
  const out: Plain = {}
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue
      const previous = out[key]
      out[key] =
        isPlain(previous) && isPlain(value)
          ? deepMerge(previous, value)
          : isPlain(value)
            ? deepMerge(value)
            : value
    }
  }
  return out as T
}

/**
 * Seeds of a run: task draws and trainer draws differ per seed; the bench's own evaluation uses a fixed task
 * set for every seed and variant, so results are paired.
 */
export function runSeeds(seed: number): { readonly envSeed: number; readonly trainerSeed: number } {
  return { envSeed: 10_000 * seed, trainerSeed: seed }
}

/** The trainer config input of a run (validated later by the trainer). */
export function trainerConfigFor(preset: BenchPreset, spec: RunSpec): TrainerConfigInput {
  const budget = envBudget(preset, spec.env)
  const { envSeed, trainerSeed } = runSeeds(spec.seed)
  const variant = spec.variant
  const algorithm: NonNullable<TrainerConfigInput['algorithm']> = {
    estimator: variant.estimator,
    ...(variant.estimator === 'gigpo'
      ? {
          gigpo: {
            ...(variant.mode === undefined ? {} : { mode: variant.mode }),
            stepAdvantageWeight: variant.stepAdvantageWeight ?? 1,
          },
        }
      : {}),
    ...(variant.grpoNormalizeByStd === undefined ? {} : { grpoNormalizeByStd: variant.grpoNormalizeByStd }),
  }
  const config = deepMerge<TrainerConfigInput>({ preset: spec.env }, budget.trainer, {
    algorithm,
    env: { seed: envSeed },
    trainer: { seed: trainerSeed },
    // The SFT base is made once per (environment, seed) by the bench and shared by every variant.
    warmStart: { demonstrations: 0 },
  })
  if (variant.estimator === 'ppo') {
    const rollout = config.rollout ?? {}
    const groups = rollout.groupsPerIteration ?? 16
    const size = rollout.groupSize ?? 8
    return deepMerge<TrainerConfigInput>(config, {
      rollout: { groupsPerIteration: groups * size, groupSize: 1 },
    })
  }
  return config
}
