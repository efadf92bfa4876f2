import { GigpoError, InvalidArgumentError, type Env, type EnvInfo } from '@gigpo/protocol'
import { createRng } from '@gigpo/random'
import type { SftExample } from './policy.js'
import type { EnvSuite } from './suite.js'

/** Options of {@link collectDemonstrations}. */
export interface CollectDemonstrationsOptions<TInfo extends EnvInfo> {
  readonly suite: EnvSuite<TInfo>
  /** Expert episodes to play. */
  readonly episodes: number
  readonly split: string
  /** Base seed of the task draw (the trainer uses `env.seed + 100000`, away from training and eval seeds). */
  readonly baseSeed: number
  readonly maxSteps: number
  readonly historyLength: number
  /**
   * The decoding the policy will use, which fixes the demonstrated response (see {@link demonstrationResponse}).
   * @defaultValue `'free'`
   */
  readonly decoding?: 'free' | 'constrained'
  /** The response the policy should learn for an expert action. @defaultValue {@link demonstrationResponse} */
  readonly response?: (action: string) => string
  /**
   * DART-style noise injection: at each step, with this probability, a random other admissible command replaces
   * the expert's and is not recorded; the expert then acts from the state it led to, so the examples include
   * recovery states ("Nothing happens.", a detour) with the expert's answer. Needs an expert that acts from any
   * state (ALFWorld's does). Omitted: the plain expert.
   */
  readonly perturbation?: DemonstrationPerturbation
}

/** Settings of {@link CollectDemonstrationsOptions.perturbation}. */
export interface DemonstrationPerturbation {
  /** Probability in [0, 1] that a step takes a random admissible command instead of the expert's. */
  readonly probability: number
  /** Most random commands in one episode. @defaultValue `2` */
  readonly maxPerEpisode?: number
  /** Seed of the perturbation draws. @defaultValue `0` */
  readonly seed?: number
}

/** What {@link collectDemonstrations} returns. */
export interface Demonstrations {
  /** One (prompt, response) pair per step of every won expert episode. */
  readonly examples: readonly SftExample[]
  /** Expert episodes played. */
  readonly episodes: number
  /** Share of them the expert won (only won episodes become examples). */
  readonly successRate: number
  /** Random commands taken in the won episodes (0 without {@link CollectDemonstrationsOptions.perturbation}). */
  readonly perturbations: number
}

/**
 * The demonstrated response for an expert command, in the reference's output format. For free decoding it has
 * a one-line rationale; for constrained decoding it is exactly what a constrained policy writes
 * (`<think></think><action>…</action>`, policy-tfjs's forced prefix and suffix), so SFT trains the action
 * tokens in the context they are sampled in.
 *
 * @example
 * ```ts
 * demonstrationResponse('go to desk 1', { decoding: 'constrained' }) // '<think></think><action>go to desk 1</action>'
 * ```
 */
export function demonstrationResponse(
  action: string,
  options: { readonly decoding?: 'free' | 'constrained' } = {},
): string {
  if (options.decoding === 'constrained') return `<think></think><action>${action}</action>`
  return `<think>To make progress on the task, the next step is to ${action}.</think><action>${action}</action>`
}

/**
 * Plays expert episodes (the env package's oracle through `suite.expert`) and records, for every step, the
 * prompt the policy would see (the suite's agent format, same history window) and the response that carries
 * the expert's command. The examples warm-start the policy by SFT, a stand-in for the instruct model the
 * paper starts from.
 */
export async function collectDemonstrations<TInfo extends EnvInfo>(
  options: CollectDemonstrationsOptions<TInfo>,
): Promise<Demonstrations> {
  const { suite } = options
  const expert = suite.expert
  if (expert === undefined) {
    throw new GigpoError(
      'UNSUPPORTED',
      `The ${suite.name} suite has no expert, so warmStart.demonstrations must be 0 (or give the suite an expert).`,
    )
  }
  const respond =
    options.response ??
    ((action: string) => demonstrationResponse(action, { decoding: options.decoding ?? 'free' }))
  const probability = options.perturbation?.probability ?? 0
  const maxPerEpisode = options.perturbation?.maxPerEpisode ?? 2
  if (!(probability >= 0 && probability <= 1)) {
    throw new InvalidArgumentError(`perturbation.probability: must be in [0, 1], got ${probability}.`)
  }
  if (!Number.isInteger(maxPerEpisode) || maxPerEpisode < 0) {
    throw new InvalidArgumentError(
      `perturbation.maxPerEpisode: must be a non-negative integer, got ${maxPerEpisode}.`,
    )
  }
  const rng = createRng(`demonstrations:${options.perturbation?.seed ?? 0}`)
  const format = suite.format({ historyLength: options.historyLength })
  const tasks = suite.tasks({
    split: options.split,
    baseSeed: options.baseSeed,
    groups: options.episodes,
    episode: 0,
  })
  const envs = new Map<number | undefined, Env<TInfo>>()
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
        if (probability > 0 && taken < maxPerEpisode && others.length > 0 && rng.nextFloat() < probability) {
          response = respond(others[rng.intBelow(others.length)]!)
          taken += 1
        } else {
          response = respond(action)
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
