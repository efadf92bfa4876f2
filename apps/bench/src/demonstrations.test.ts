import { describe, expect, it } from 'vitest'
import { demonstrationResponse } from '@gigpo/trainer'
import { createScriptedSuite } from '@gigpo/trainer/testing'
import { collectPerturbedDemonstrations } from './demonstrations.js'

const respond = (action: string) => demonstrationResponse(action, { decoding: 'constrained' })

describe('collectPerturbedDemonstrations', () => {
  it('without perturbation: the expert path of every episode, one example per step', async () => {
    const suite = createScriptedSuite({ tasks: 4, length: 3, maxSteps: 8 })
    const demos = await collectPerturbedDemonstrations({
      suite,
      episodes: 4,
      split: 'train',
      baseSeed: 0,
      maxSteps: 8,
      historyLength: 2,
      response: respond,
    })
    expect(demos.successRate).toBe(1)
    expect(demos.perturbations).toBe(0)
    expect(demos.examples).toHaveLength(4 * 3)
    expect(demos.examples[0]!.response).toMatch(/^<think><\/think><action>(north|south|east|west)<\/action>$/)
    expect(demos.examples[0]!.prompt).toContain('corridor 0')
  })

  it('with perturbation: random commands are taken but not recorded, and the expert recovers', async () => {
    const suite = createScriptedSuite({ tasks: 4, length: 3, maxSteps: 12 })
    const options = {
      suite,
      episodes: 16,
      split: 'train',
      baseSeed: 0,
      maxSteps: 12,
      historyLength: 2,
      response: respond,
      perturbation: 0.5,
      maxPerturbations: 2,
      seed: 3,
    }
    const demos = await collectPerturbedDemonstrations(options)
    expect(demos.successRate).toBe(1)
    expect(demos.perturbations).toBeGreaterThan(0)
    expect(demos.perturbations).toBeLessThanOrEqual(2 * 16)
    // Every recorded response is the expert's move (3 correct moves per corridor), whatever came before.
    expect(demos.examples).toHaveLength(16 * 3)
    // Some recorded prompts show a detour in their history: a recovery state.
    expect(demos.examples.some((e) => e.prompt.includes('Nothing happens.'))).toBe(true)
    // Deterministic in its seed.
    expect(await collectPerturbedDemonstrations(options)).toEqual(demos)
  })

  it('keeps only won episodes', async () => {
    const suite = createScriptedSuite({ tasks: 4, length: 3, maxSteps: 8 })
    const demos = await collectPerturbedDemonstrations({
      suite,
      episodes: 4,
      split: 'train',
      baseSeed: 0,
      maxSteps: 2,
      historyLength: 2,
      response: respond,
    })
    expect(demos.successRate).toBe(0)
    expect(demos.examples).toEqual([])
  })

  it('needs an expert', async () => {
    const { expert: _expert, ...suite } = createScriptedSuite()
    await expect(
      collectPerturbedDemonstrations({
        suite,
        episodes: 1,
        split: 'train',
        baseSeed: 0,
        maxSteps: 4,
        historyLength: 2,
        response: respond,
      }),
    ).rejects.toThrow(/no expert/)
  })
})
