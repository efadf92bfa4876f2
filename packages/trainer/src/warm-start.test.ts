import { describe, expect, it } from 'vitest'
import { createScriptedSuite } from './testing/scripted-suite.js'
import { collectDemonstrations, demonstrationResponse } from './warm-start.js'

const respond = (action: string) => demonstrationResponse(action, { decoding: 'constrained' })
const base = { split: 'train', baseSeed: 0, historyLength: 2, response: respond } as const

describe('collectDemonstrations', () => {
  it('plays the expert: one (prompt, response) per step of every won episode', async () => {
    const suite = createScriptedSuite({ tasks: 4, length: 3, maxSteps: 8 })
    const demos = await collectDemonstrations({ ...base, suite, episodes: 4, maxSteps: 8 })
    expect(demos).toMatchObject({ episodes: 4, successRate: 1, perturbations: 0 })
    expect(demos.examples).toHaveLength(4 * 3)
    expect(demos.examples[0]!.response).toMatch(
      /^<think><\/think><action>(north|south|east|west)<\/action>$/u,
    )
    expect(demos.examples[0]!.prompt).toContain('corridor 0')
  })

  it('with perturbation: random commands are taken but not recorded, and the expert recovers', async () => {
    const suite = createScriptedSuite({ tasks: 4, length: 3, maxSteps: 12 })
    const options = {
      ...base,
      suite,
      episodes: 16,
      maxSteps: 12,
      perturbation: { probability: 0.5, maxPerEpisode: 2, seed: 3 },
    }
    const demos = await collectDemonstrations(options)
    expect(demos.successRate).toBe(1)
    expect(demos.perturbations).toBeGreaterThan(0)
    expect(demos.perturbations).toBeLessThanOrEqual(2 * 16)
    // Every recorded response is the expert's move (3 per corridor), whatever detour came before it.
    expect(demos.examples).toHaveLength(16 * 3)
    // Some recorded prompts show the detour in their history: a recovery state.
    expect(demos.examples.some((e) => e.prompt.includes('Nothing happens.'))).toBe(true)
    // Deterministic in its seed; another seed draws other detours.
    expect(await collectDemonstrations(options)).toEqual(demos)
    const other = await collectDemonstrations({ ...options, perturbation: { probability: 0.5, seed: 4 } })
    expect(other.examples.map((e) => e.prompt)).not.toEqual(demos.examples.map((e) => e.prompt))
  })

  it('keeps only won episodes', async () => {
    const suite = createScriptedSuite({ tasks: 4, length: 3, maxSteps: 8 })
    const demos = await collectDemonstrations({ ...base, suite, episodes: 4, maxSteps: 2 })
    expect(demos.successRate).toBe(0)
    expect(demos.examples).toEqual([])
  })

  it('rejects a suite without an expert and bad perturbation settings', async () => {
    const { expert: _expert, ...noExpert } = createScriptedSuite()
    await expect(
      collectDemonstrations({ ...base, suite: noExpert, episodes: 1, maxSteps: 4 }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' })
    const suite = createScriptedSuite()
    for (const perturbation of [
      { probability: 1.5 },
      { probability: Number.NaN },
      { probability: 0.1, maxPerEpisode: -1 },
    ]) {
      await expect(
        collectDemonstrations({ ...base, suite, episodes: 1, maxSteps: 4, perturbation }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/^perturbation\./u),
      })
    }
  })
})
