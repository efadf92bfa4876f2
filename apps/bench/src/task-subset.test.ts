import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '@gigpo/protocol'
import { createScriptedSuite } from '@gigpo/trainer/testing'
import { checkTaskSubset, restrictSuite, type TaskSubset } from './task-subset.js'

const SUBSET: TaskSubset = {
  split: 'train',
  ids: ['corridor-1', 'corridor-3', 'corridor-4'],
  rule: 'three corridors',
}

describe('restrictSuite', () => {
  it('random: distinct subset tasks per rollout, a pure function of (base seed, rollout index)', () => {
    const suite = restrictSuite(createScriptedSuite({ tasks: 6 }), { subset: SUBSET })
    const seen = new Set<string>()
    for (let episode = 0; episode < 20; episode++) {
      const tasks = suite.tasks({ split: 'train', baseSeed: 5, groups: 3, episode })
      const ids = tasks.map((t) => String(t.reset.taskId))
      expect(new Set(ids).size).toBe(3) // without replacement while the subset lasts
      for (const id of ids) {
        expect(SUBSET.ids).toContain(id)
        seen.add(id)
      }
      expect(suite.tasks({ split: 'train', baseSeed: 5, groups: 3, episode })).toEqual(tasks)
    }
    expect(seen.size).toBe(3)
    const orders = new Set(
      Array.from({ length: 10 }, (_, e) =>
        suite
          .tasks({ split: 'x', baseSeed: 1, groups: 2, episode: e })
          .map((t) => t.reset.taskId)
          .join(),
      ),
    )
    expect(orders.size).toBeGreaterThan(1) // draws differ between rollouts
  })

  it('random: more groups than tasks repeats tasks only after using each once', () => {
    const suite = restrictSuite(createScriptedSuite({ tasks: 6 }), { subset: SUBSET })
    const ids = suite.tasks({ split: 'train', baseSeed: 0, groups: 5, episode: 0 }).map((t) => t.reset.taskId)
    expect(new Set(ids.slice(0, 3)).size).toBe(3)
    expect(ids).toHaveLength(5)
  })

  it('cycle: slot i plays task (episode · groups + i) mod n, whatever the seed', () => {
    const suite = restrictSuite(createScriptedSuite({ tasks: 6 }), { subset: SUBSET, draw: 'cycle' })
    const ids = (baseSeed: number, episode: number) =>
      suite.tasks({ split: 'valid', baseSeed, groups: 4, episode }).map((t) => t.reset.taskId)
    expect(ids(0, 0)).toEqual(['corridor-1', 'corridor-3', 'corridor-4', 'corridor-1'])
    expect(ids(99, 0)).toEqual(ids(0, 0))
    expect(ids(0, 1)).toEqual(['corridor-3', 'corridor-4', 'corridor-1', 'corridor-3'])
  })

  it('builds every env on the subset split with the subset env seed', async () => {
    const calls: unknown[] = []
    const inner = createScriptedSuite({ tasks: 6 })
    const spy = { ...inner, createEnv: (o: unknown) => (calls.push(o), inner.createEnv({ split: 'train' })) }
    const suite = restrictSuite(spy, { subset: { ...SUBSET, envSeed: 7 } })
    expect(suite.tasks({ split: 'test', baseSeed: 0, groups: 1, episode: 0 })[0]!.envSeed).toBe(7)
    const env = await suite.createEnv({ split: 'test', seed: 3 })
    await env.close()
    expect(calls).toEqual([{ split: 'train', seed: 7 }])
    expect(suite.expert).toBeDefined()
    expect(suite.summarize).toBeDefined()
  })

  it('plays the subset tasks for real', async () => {
    const suite = restrictSuite(createScriptedSuite({ tasks: 6 }), { subset: SUBSET, draw: 'cycle' })
    const env = await suite.createEnv({ split: 'train' })
    const [task] = suite.tasks({ split: 'train', baseSeed: 0, groups: 1, episode: 0 })
    const observation = await env.reset(task!.reset)
    expect(observation.info.taskId).toBe('corridor-1')
    await env.close()
  })
})

describe('checkTaskSubset', () => {
  it('rejects empty, duplicated and misaligned subsets with a typed error naming the problem', () => {
    expect(() => checkTaskSubset({ ...SUBSET, ids: [] })).toThrow(InvalidArgumentError)
    expect(() => checkTaskSubset({ ...SUBSET, ids: ['a', 'a'] })).toThrow(/"a" is listed twice/)
    expect(() => checkTaskSubset({ ...SUBSET, types: ['x'] })).toThrow(/1 types for 3 ids/)
    expect(() => checkTaskSubset({ ...SUBSET, split: '' })).toThrow(/split/)
    expect(() => checkTaskSubset(SUBSET)).not.toThrow()
  })
})
