/**
 * Fixed task subsets: a suite restricted to a documented list of tasks (ALFWorld game ids, WebShop goal indices),
 * for presets that train and evaluate on the same few tasks (an in-distribution check at memorisation scale, like
 * the paper's `valid_seen` evaluation but on training tasks).
 *
 * Training draws `groups` distinct tasks per rollout at random (seeded by the base seed and the rollout index, so a
 * resumed run draws the same tasks); the evaluation and the demonstrations cycle through the list in order, so
 * every task gets the same number of episodes and the per-type columns are balanced.
 */
import { InvalidArgumentError } from '@gigpo/protocol'
import { createRng } from '@gigpo/random'
import type { EnvSuite, TaskAssignment } from '@gigpo/trainer'

/** A fixed task subset of one environment. */
export interface TaskSubset {
  /** The split the tasks belong to (ALFWorld `train`; WebShop `train` or `test`). */
  readonly split: string
  /** Task ids: ALFWorld game ids (`train/<task>/<trial>`), WebShop goal indices in decimal. */
  readonly ids: readonly string[]
  /**
   * The seed every env is built with (WebShop: the worker seed whose goal shuffle decides which goal an index
   * names, so an index always names the same goal); omitted for environments whose task ids are global.
   */
  readonly envSeed?: number
  /** How the list was chosen, in one sentence (for the report). */
  readonly rule: string
  /** Task type of each id, in order, when the environment has types (ALFWorld), for the report. */
  readonly types?: readonly string[]
}

/** How {@link restrictSuite} draws tasks. */
export type SubsetDraw = 'random' | 'cycle'

/** Options of {@link restrictSuite}. */
export interface RestrictSuiteOptions {
  readonly subset: TaskSubset
  /**
   * `random`: `groups` distinct tasks per rollout (with repeats only when more groups than tasks), seeded by
   * (base seed, rollout index); `cycle`: slot i plays task `(episode · groups + i) mod n`, in list order.
   * @defaultValue `'random'`
   */
  readonly draw?: SubsetDraw
}

/** Checks a subset: a split, at least one id, no duplicates, types (if any) aligned with the ids. */
export function checkTaskSubset(subset: TaskSubset): void {
  if (subset.split.length === 0) throw new InvalidArgumentError('task subset: split must be non-empty.')
  if (subset.ids.length === 0) {
    throw new InvalidArgumentError('task subset: ids is empty; list at least one task or drop the subset.')
  }
  const seen = new Set<string>()
  for (const id of subset.ids) {
    if (seen.has(id))
      throw new InvalidArgumentError(`task subset: task ${JSON.stringify(id)} is listed twice.`)
    seen.add(id)
  }
  if (subset.types !== undefined && subset.types.length !== subset.ids.length) {
    throw new InvalidArgumentError(
      `task subset: ${subset.types.length} types for ${subset.ids.length} ids; give one type per id or none.`,
    )
  }
}

/**
 * The suite `suite` restricted to `subset`: every env is built on the subset's split (and env seed), whatever
 * split the trainer asks for, and every task comes from the subset.
 *
 * @example
 * ```ts
 * const train = restrictSuite(createAlfworldSuite(), { subset: QUICK_ALFWORLD_GAMES })
 * const evaluation = restrictSuite(createAlfworldSuite(), { subset: QUICK_ALFWORLD_GAMES, draw: 'cycle' })
 * ```
 */
export function restrictSuite(suite: EnvSuite, options: RestrictSuiteOptions): EnvSuite {
  const { subset } = options
  checkTaskSubset(subset)
  const draw = options.draw ?? 'random'
  const ids = [...subset.ids]
  const assign = (taskId: string): TaskAssignment => ({
    reset: { taskId },
    ...(subset.envSeed === undefined ? {} : { envSeed: subset.envSeed }),
  })
  const restricted: EnvSuite = {
    name: suite.name,
    createEnv: ({ seed }) => {
      const envSeed = subset.envSeed ?? seed
      return suite.createEnv({ split: subset.split, ...(envSeed === undefined ? {} : { seed: envSeed }) })
    },
    format: (o) => suite.format(o),
    tasks: ({ baseSeed, groups, episode }) => {
      if (draw === 'cycle') {
        return Array.from({ length: groups }, (_, i) => assign(ids[(episode * groups + i) % ids.length]!))
      }
      const rng = createRng(`subset:${baseSeed}:${episode}`)
      const out: TaskAssignment[] = []
      let pool: string[] = []
      for (let g = 0; g < groups; g++) {
        if (pool.length === 0) pool = [...ids]
        const [taskId] = pool.splice(rng.intBelow(pool.length), 1)
        out.push(assign(taskId!))
      }
      return out
    },
  }
  return {
    ...restricted,
    ...(suite.expert === undefined ? {} : { expert: (context) => suite.expert!(context) }),
    ...(suite.summarize === undefined ? {} : { summarize: (t) => suite.summarize!(t) }),
  }
}
