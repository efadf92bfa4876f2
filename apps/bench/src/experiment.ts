/**
 * What an experiment is: a named set of training runs (environment × algorithm variant × seed) plus the section
 * of RESULTS.md it writes from their metrics. Experiments live in `experiments/*.ts`, one per paper table or
 * figure, each built with {@link defineExperiment}.
 */
import type { GigpoMode } from '@gigpo/trainer'
import type { EnvId, Experiment, RunSpec, Variant } from './types.js'

/** All environments, in the paper's column order. */
export const ENV_IDS: readonly EnvId[] = ['alfworld', 'webshop']

/** The run's directory below the preset's output directory, e.g. `alfworld/gigpo-std/seed-0`. */
export function runId(spec: RunSpec): string {
  return `${spec.env}/${spec.variant.id}/seed-${spec.seed}`
}

/**
 * Declares an experiment (typed literal, frozen).
 *
 * @example
 * ```ts
 * export const table1 = defineExperiment({
 *   id: 'table1',
 *   title: 'Table 1: ALFWorld and WebShop',
 *   paperRef: 'Table 1',
 *   summary: 'GRPO, RLOO, GiGPO w/ and w/o std from the same SFT base',
 *   runs: ({ envs, seeds }) => envs.flatMap((env) => seeds.map((seed) => ({ env, variant: VARIANTS.grpo, seed }))),
 *   report: (ctx) => '...',
 * })
 * ```
 */
export function defineExperiment<T extends Experiment>(experiment: T): Readonly<T> {
  if (!/^[a-z][a-z0-9-]*$/.test(experiment.id)) {
    throw new RangeError(
      `experiment id must be kebab-case (a-z, 0-9, -), got ${JSON.stringify(experiment.id)}`,
    )
  }
  return Object.freeze(experiment)
}

/** The Table 1 variants and the ablation variants. */
export const VARIANTS = {
  grpo: { id: 'grpo', label: 'GRPO', estimator: 'grpo', paperMethod: 'grpo' },
  rloo: { id: 'rloo', label: 'RLOO', estimator: 'rloo', paperMethod: 'rloo' },
  ppo: { id: 'ppo', label: 'PPO (with critic)', estimator: 'ppo', paperMethod: 'ppo' },
  gigpoStd: {
    id: 'gigpo-std',
    label: 'GiGPO w/ std',
    estimator: 'gigpo',
    mode: 'mean_std_norm',
    stepAdvantageWeight: 1,
    paperMethod: 'gigpo-std',
  },
  gigpoNoStd: {
    id: 'gigpo-nostd',
    label: 'GiGPO w/o std',
    estimator: 'gigpo',
    mode: 'mean_norm',
    stepAdvantageWeight: 1,
    paperMethod: 'gigpo-nostd',
  },
} as const satisfies Record<string, Variant>

/** GiGPO with F_norm `mode` and ω = `omega` (ω 1 is the Table 1 variant itself, so it shares its runs). */
export function gigpoVariant(mode: GigpoMode, omega: number): Variant {
  const base = mode === 'mean_std_norm' ? VARIANTS.gigpoStd : VARIANTS.gigpoNoStd
  if (omega === 1) return base
  if (!(omega >= 0) || !Number.isFinite(omega)) throw new RangeError(`ω must be ≥ 0, got ${omega}`)
  return {
    id: `${base.id}-w${omega}`,
    label: omega === 0 ? `${base.label}, ω = 0 (w/o step term)` : `${base.label}, ω = ${omega}`,
    estimator: 'gigpo',
    mode,
    stepAdvantageWeight: omega,
  }
}

/** The GiGPO mode of the reference run script of an environment (ALFWorld `mean_std_norm`, WebShop `mean_norm`). */
export function scriptMode(env: EnvId): GigpoMode {
  return env === 'alfworld' ? 'mean_std_norm' : 'mean_norm'
}
