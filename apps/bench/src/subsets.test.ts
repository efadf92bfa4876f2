/**
 * The quick preset's task subsets follow their stated rules, and the expert solves every task within the
 * preset's step cap (so every task is winnable in training and evaluation).
 */
import { describe, expect, it } from 'vitest'
import { createAlfworldEnv, gameOrder } from '@gigpo/envs-alfworld'
import { planOracle, type WebShopEnv } from '@gigpo/envs-webshop'
import { slotWordsFromPrompt } from '@gigpo/policy-tfjs'
import { createWebShopSuite } from '@gigpo/trainer'
import { PRESETS } from './presets.js'
import { QUICK_ALFWORLD_GAMES, QUICK_WEBSHOP_GOALS } from './subsets.js'
import { checkTaskSubset } from './task-subset.js'

describe('quick task subsets', () => {
  it(
    'ALFWorld: the first two games of each task type in the seed-42 train order',
    { timeout: 120_000 },
    async () => {
      checkTaskSubset(QUICK_ALFWORLD_GAMES)
      const env = createAlfworldEnv({ split: 'train' })
      const maxSteps = PRESETS.quick.alfworld.trainer.env?.maxSteps ?? 50
      const firstTwo = new Map<string, string[]>()
      try {
        for (const id of gameOrder('train', { seed: 42, count: 200 })) {
          const type = /^train\/([a-z_]+?)(?:_simple)?-/.exec(id)?.[1] ?? ''
          const list = firstTwo.get(type) ?? []
          if (list.length < 2) list.push(id)
          firstTwo.set(type, list)
        }
        expect([...firstTwo.values()].flat().sort()).toEqual([...QUICK_ALFWORLD_GAMES.ids].sort())
        for (const [i, id] of QUICK_ALFWORLD_GAMES.ids.entries()) {
          const observation = await env.reset({ taskId: id })
          expect(observation.info.taskType).toBe(QUICK_ALFWORLD_GAMES.types?.[i])
          const plan = env.expertPlan()
          expect(plan.length).toBeGreaterThanOrEqual(4)
          expect(plan.length).toBeLessThanOrEqual(9)
          expect(plan.length).toBeLessThan(maxSteps)
        }
      } finally {
        await env.close()
      }
      expect(new Set(QUICK_ALFWORLD_GAMES.types).size).toBe(6)
    },
  )

  it('WebShop: the first 8 train goals the oracle wins in ≤ 5 steps with an instruction-word query', async () => {
    checkTaskSubset(QUICK_WEBSHOP_GOALS)
    const suite = createWebShopSuite()
    const env = (await suite.createEnv({ split: 'train', seed: QUICK_WEBSHOP_GOALS.envSeed })) as WebShopEnv
    const format = suite.format({ historyLength: 2 })
    const picked: string[] = []
    try {
      for (let index = 500; picked.length < 8; index++) {
        const observation = await env.reset({ taskId: String(index) })
        const plan = planOracle(env.world, env.goal)
        const words = new Set(slotWordsFromPrompt(format.start(observation).prompt()))
        const writable = plan.query.split(' ').every((w) => words.has(w))
        if (!writable || plan.actions.includes('click[next >]') || plan.actions.length > 5) continue
        let won = false
        for (const action of plan.actions) {
          const result = await env.step(action)
          won = result.info.won === true
          if (result.terminated || result.truncated) break
        }
        if (won) picked.push(String(index))
      }
    } finally {
      await env.close()
    }
    expect(picked).toEqual(QUICK_WEBSHOP_GOALS.ids)
  })
})
