/**
 * Expert demonstrations for the SFT base, optionally from perturbed expert rollouts: at each step, with a small
 * probability, a random admissible command replaces the expert's (and is not recorded); the expert then acts from
 * the state that command led to. The policy thereby sees recovery states ("Nothing happens.", a wrong room, a
 * detour) with the expert's answer, not only the expert's own path (DART-style noise injection). Only episodes
 * the expert still wins within the step cap are kept.
 */
import type { Env } from '@gigpo/protocol'
import { createRng } from '@gigpo/random'
import type { EnvSuite, SftExample } from '@gigpo/trainer'

/** Options of {@link collectPerturbedDemonstrations}. */
export interface PerturbedDemonstrationOptions {
  readonly suite: EnvSuite
  /** Expert episodes to play (task i is the suite's draw for slot i). */
  readonly episodes: number
  readonly split: string
  readonly baseSeed: number
  /** Step cap of one demonstration episode. */
  readonly maxSteps: number
  readonly historyLength: number
  /** The response the policy learns for an expert command (the decoding's format). */
  readonly response: (action: string) => string
  /**
   * Probability that a step takes a random admissible command instead of the expert's (not recorded). 0 plays
   * the plain expert. Needs an expert that acts from any state (ALFWorld's does). @defaultValue `0`
   */
  readonly perturbation?: number
  /** Most random commands in one episode. @defaultValue `2` */
  readonly maxPerturbations?: number
  /** Seed of the perturbation draws. @defaultValue `0` */
  readonly seed?: number
}

/** What {@link collectPerturbedDemonstrations} returns. */
export interface PerturbedDemonstrations {
  /** One (prompt, expert response) pair per expert step of every won episode. */
  readonly examples: readonly SftExample[]
  readonly episodes: number
  /** Share of episodes the expert won (only those become examples). */
  readonly successRate: number
  /** Random commands taken in the won episodes. */
  readonly perturbations: number
}

/** Plays (perturbed) expert episodes and records the prompts the policy would see with the expert's responses. */
export async function collectPerturbedDemonstrations(
  options: PerturbedDemonstrationOptions,
): Promise<PerturbedDemonstrations> {
  const { suite } = options
  const expert = suite.expert
  if (expert === undefined) throw new Error(`The ${suite.name} suite has no expert; no demonstrations.`)
  const p = options.perturbation ?? 0
  const maxPerturbations = options.maxPerturbations ?? 2
  const rng = createRng(`demonstrations:${options.seed ?? 0}`)
  const format = suite.format({ historyLength: options.historyLength })
  const tasks = suite.tasks({
    split: options.split,
    baseSeed: options.baseSeed,
    groups: options.episodes,
    episode: 0,
  })
  const envs = new Map<number | undefined, Env>()
  const examples: SftExample[] = []
  let won = 0
  let perturbations = 0
  try {
    for (const task of tasks) {
      let env = envs.get(task.envSeed)
      if (env === undefined) {
        env = await suite.createEnv({
          split: options.split,
          ...(task.envSeed === undefined ? {} : { seed: task.envSeed }),
        })
        envs.set(task.envSeed, env)
      }
      let observation = await env.reset(task.reset)
      const session = format.start(observation)
      const episode: SftExample[] = []
      let taken = 0
      let success = false
      for (let t = 0; t < options.maxSteps; t++) {
        const action = await expert.call(suite, { env, observation, step: t })
        if (action === undefined) break
        const others = observation.admissibleActions.filter((a) => a !== action)
        let response: string
        if (p > 0 && taken < maxPerturbations && others.length > 0 && rng.nextFloat() < p) {
          response = options.response(others[rng.intBelow(others.length)]!)
          taken += 1
        } else {
          response = options.response(action)
          episode.push({ prompt: session.prompt(), response })
        }
        // Step with the projected action, exactly as a rollout would send this response.
        const projected = format.project(response).action
        const next = await env.step(projected)
        session.observe(projected, next)
        observation = next
        if (next.terminated || next.truncated) {
          success = next.info.won === true
          break
        }
      }
      if (success) {
        won += 1
        perturbations += taken
        examples.push(...episode)
      }
    }
  } finally {
    await Promise.all([...envs.values()].map((env) => env.close()))
  }
  return {
    examples,
    episodes: tasks.length,
    successRate: tasks.length === 0 ? 0 : won / tasks.length,
    perturbations,
  }
}
