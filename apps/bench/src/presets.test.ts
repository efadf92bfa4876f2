import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '@gigpo/protocol'
import { resolveTrainerConfig } from '@gigpo/trainer'
import { EXPERIMENTS } from '../experiments/index.js'
import { ENV_IDS, gigpoVariant, VARIANTS } from './experiment.js'
import { planRuns } from './plan.js'
import { envBudget, getPreset, PRESET_NAMES, PRESETS } from './presets.js'
import { deepMerge, trainerConfigFor } from './run-config.js'
import type { Variant } from './types.js'

const ALL_VARIANTS: Variant[] = [
  ...Object.values(VARIANTS),
  gigpoVariant('mean_std_norm', 0),
  gigpoVariant('mean_norm', 0.5),
]

describe('presets', () => {
  it('names every preset and rejects unknown ones with the list', () => {
    expect(PRESET_NAMES).toEqual(Object.keys(PRESETS))
    expect(getPreset('quick')).toBe(PRESETS.quick)
    expect(() => getPreset('huge')).toThrow(InvalidArgumentError)
    expect(() => getPreset('huge')).toThrow(/quick, standard, paper, smoke/)
  })

  it('standard and paper run at least 3 seeds; quick one', () => {
    expect(PRESETS.standard.seeds.length).toBeGreaterThanOrEqual(3)
    expect(PRESETS.paper.seeds.length).toBeGreaterThanOrEqual(3)
    expect(PRESETS.quick.seeds).toEqual([0])
  })

  it('default experiments exist', () => {
    for (const preset of Object.values(PRESETS)) {
      for (const id of preset.experiments) expect(EXPERIMENTS.map((e) => e.id)).toContain(id)
    }
  })

  it.each(PRESET_NAMES.flatMap((p) => ENV_IDS.map((env) => [p, env] as const)))(
    '%s / %s: every variant resolves, with the same rollout budget and optimiser',
    (presetName, env) => {
      const preset = PRESETS[presetName]
      const configs = ALL_VARIANTS.map((variant) =>
        resolveTrainerConfig(trainerConfigFor(preset, { env, variant, seed: 1 })),
      )
      const budget = (c: (typeof configs)[number]) => ({
        trajectories: c.rollout.groupsPerIteration * c.rollout.groupSize,
        iterations: c.trainer.iterations,
        maxSteps: c.env.maxSteps,
        lr: c.actor.lr,
        miniBatch: c.actor.miniBatchSize,
        kl: c.actor.klLossCoef,
        warmStart: c.warmStart.demonstrations,
        evalSplit: c.env.evalSplit,
      })
      for (const c of configs) expect(budget(c)).toEqual(budget(configs[0]!))
      expect(configs[0]!.warmStart.demonstrations).toBe(0) // the bench makes the SFT base itself
      const ppo = configs[ALL_VARIANTS.indexOf(VARIANTS.ppo)]!
      expect(ppo.rollout.groupSize).toBe(1)
      const omega = configs[ALL_VARIANTS.length - 1]!
      expect(omega.algorithm.gigpo).toMatchObject({ mode: 'mean_norm', stepAdvantageWeight: 0.5 })
    },
  )

  it("paper preset: the reference scripts' hyper-parameters", () => {
    const alf = resolveTrainerConfig(
      trainerConfigFor(PRESETS.paper, { env: 'alfworld', variant: VARIANTS.gigpoStd, seed: 0 }),
    )
    expect(alf.rollout).toMatchObject({ groupsPerIteration: 16, groupSize: 8, decoding: 'free' })
    expect(alf.env.maxSteps).toBe(50)
    expect(alf.trainer.iterations).toBe(150)
    expect(alf.actor).toMatchObject({ lr: 1e-6, miniBatchSize: 256, klLossCoef: 0.01 })
    const ws = resolveTrainerConfig(
      trainerConfigFor(PRESETS.paper, { env: 'webshop', variant: VARIANTS.gigpoNoStd, seed: 0 }),
    )
    expect(ws.env.maxSteps).toBe(15)
    expect(ws.actor.miniBatchSize).toBe(64)
  })

  it('seeds change the task draw and the trainer seed only', () => {
    const a = trainerConfigFor(PRESETS.quick, { env: 'alfworld', variant: VARIANTS.grpo, seed: 0 })
    const b = trainerConfigFor(PRESETS.quick, { env: 'alfworld', variant: VARIANTS.grpo, seed: 2 })
    expect(a.env?.seed).not.toBe(b.env?.seed)
    expect(a.trainer?.seed).toBe(0)
    expect(b.trainer?.seed).toBe(2)
    expect({ ...a, env: {}, trainer: {} }).toEqual({ ...b, env: {}, trainer: {} })
  })

  it('quick plans a budget of runs: Table 1 variants per environment, shared by the other experiments', () => {
    const preset = PRESETS.quick
    const experiments = EXPERIMENTS.filter((e) => preset.experiments.includes(e.id))
    const runs = planRuns(experiments, { preset, seeds: preset.seeds, envs: preset.envs })
    const variants =
      (preset.ppo ? 5 : 4) + (preset.experiments.includes('ablations') ? preset.ablationOmegas.length : 0)
    expect(runs).toHaveLength(preset.envs.length * preset.seeds.length * variants)
    expect(envBudget(preset, 'webshop')).toBe(preset.webshop)
  })
})

describe('deepMerge', () => {
  it('merges nested objects without touching the inputs', () => {
    const a = { x: { y: 1, z: 2 }, k: [1] }
    const b = { x: { z: 3 }, k: [2] }
    expect(deepMerge<Record<string, unknown>>(a, b)).toEqual({ x: { y: 1, z: 3 }, k: [2] })
    expect(a).toEqual({ x: { y: 1, z: 2 }, k: [1] })
  })
})
