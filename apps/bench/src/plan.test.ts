import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '@gigpo/protocol'
import { EXPERIMENTS } from '../experiments/index.js'
import { defineExperiment, runId, VARIANTS } from './experiment.js'
import { planBases, planRuns, runUnits, selectExperiments, workUnits } from './plan.js'
import { PRESETS } from './presets.js'
import type { PlanContext } from './types.js'

const context: PlanContext = { preset: PRESETS.standard, seeds: [0, 1], envs: ['alfworld', 'webshop'] }

describe('selectExperiments', () => {
  it("takes the preset's defaults or the given ids, in report order", () => {
    expect(selectExperiments(EXPERIMENTS, undefined, ['claim', 'table1']).map((e) => e.id)).toEqual([
      'table1',
      'claim',
    ])
    expect(selectExperiments(EXPERIMENTS, ['ablations'], ['table1']).map((e) => e.id)).toEqual(['ablations'])
  })
  it('lists the valid ids when one is unknown', () => {
    expect(() => selectExperiments(EXPERIMENTS, ['table9'], [])).toThrow(InvalidArgumentError)
    expect(() => selectExperiments(EXPERIMENTS, ['table9'], [])).toThrow(/table1, claim, compute-cost/)
  })
})

describe('planRuns', () => {
  it('deduplicates runs shared between experiments', () => {
    const all = planRuns(EXPERIMENTS, context)
    const ids = all.map(runId)
    expect(new Set(ids).size).toBe(ids.length)
    // Table 1 (5 variants with PPO) + the ablations' ω ∉ {1}: 3 per env; × 2 envs × 2 seeds.
    expect(all).toHaveLength((5 + PRESETS.standard.ablationOmegas.length) * 2 * 2)
    expect(ids).toContain('alfworld/gigpo-std-w0/seed-1')
    expect(ids).toContain('webshop/gigpo-nostd-w0.5/seed-0')
    // Environment order first.
    expect(all.findIndex((r) => r.env === 'webshop')).toBe(all.length / 2)
  })

  it('the derived experiments need no runs of their own', () => {
    const table1 = planRuns(
      EXPERIMENTS.filter((e) => e.id === 'table1'),
      context,
    )
      .map(runId)
      .sort()
    const derived = planRuns(
      EXPERIMENTS.filter((e) =>
        ['table1', 'claim', 'compute-cost', 'step-groups', 'micro-benchmarks'].includes(e.id),
      ),
      context,
    )
      .map(runId)
      .sort()
    expect(derived).toEqual(table1)
  })

  it('rejects one run id declared with two different variants', () => {
    const a = defineExperiment({
      id: 'a',
      title: 'a',
      paperRef: '-',
      summary: '',
      runs: () => [{ env: 'alfworld', variant: VARIANTS.grpo, seed: 0 }],
      report: () => '',
    })
    const b = defineExperiment({
      ...a,
      id: 'b',
      runs: () => [{ env: 'alfworld', variant: { ...VARIANTS.grpo, grpoNormalizeByStd: false }, seed: 0 }],
    })
    expect(() => planRuns([a, b], context)).toThrow(/two different variants/)
    expect(() => defineExperiment({ ...a, id: 'Bad Id' })).toThrow(/kebab-case/)
  })
})

describe('work units', () => {
  it('count iterations plus evaluation equivalents, done units from complete runs', () => {
    const runs = planRuns(
      EXPERIMENTS.filter((e) => e.id === 'table1'),
      context,
    )
    const bases = planBases(runs).map((b) => ({ ...b, done: b.seed === 0 }))
    expect(bases).toHaveLength(4)
    const work = { bases, runs: runs.map((spec) => ({ spec, done: spec.env === 'webshop' })) }
    const units = workUnits({ context, work })
    const iterations = PRESETS.standard.alfworld.trainer.trainer?.iterations ?? 0
    expect(runUnits(context, runs[0]!)).toBeGreaterThan(iterations)
    expect(units.done).toBeGreaterThan(0)
    expect(units.done).toBeLessThan(units.total)
  })
})
