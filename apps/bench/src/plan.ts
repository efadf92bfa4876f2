/**
 * The plan of an invocation: which experiments, which runs (deduplicated across experiments), which SFT bases,
 * and which of those are already complete (the resume logic: complete runs are skipped; partial runs continue
 * from the trainer's latest checkpoint).
 */
import { InvalidArgumentError } from '@gigpo/protocol'
import { runId } from './experiment.js'
import { envBudget } from './presets.js'
import { isRunComplete, readJsonIfExists, type PresetLayout } from './results.js'
import type { EnvId, Evaluation, Experiment, PlanContext, RunSpec } from './types.js'

/** Picks experiments by id (`undefined` = the preset's defaults); unknown ids are an error listing the valid ones. */
export function selectExperiments(
  all: readonly Experiment[],
  ids: readonly string[] | undefined,
  defaults: readonly string[],
): Experiment[] {
  const wanted = ids ?? defaults
  const unknown = wanted.filter((id) => !all.some((e) => e.id === id))
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `Unknown experiment(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}: choose from ${all.map((e) => e.id).join(', ')}.`,
    )
  }
  return all.filter((e) => wanted.includes(e.id))
}

/**
 * The runs of the selected experiments, each once, in a stable order (environment, then first appearance). Two
 * experiments that name the same run id must mean the same variant; anything else is a bug in an experiment.
 */
export function planRuns(experiments: readonly Experiment[], context: PlanContext): RunSpec[] {
  const byId = new Map<string, RunSpec>()
  for (const experiment of experiments) {
    for (const spec of experiment.runs(context)) {
      const id = runId(spec)
      const previous = byId.get(id)
      if (previous === undefined) byId.set(id, spec)
      else if (JSON.stringify(previous.variant) !== JSON.stringify(spec.variant)) {
        throw new Error(`Run ${id} is declared with two different variants (experiment ${experiment.id}).`)
      }
    }
  }
  const order = context.envs
  return [...byId.values()].sort((a, b) => order.indexOf(a.env) - order.indexOf(b.env) || a.seed - b.seed)
}

/** The (env, seed) pairs whose SFT base the runs need. */
export function planBases(runs: readonly RunSpec[]): { env: EnvId; seed: number }[] {
  const seen = new Map<string, { env: EnvId; seed: number }>()
  for (const r of runs) seen.set(`${r.env}/${r.seed}`, { env: r.env, seed: r.seed })
  return [...seen.values()]
}

/** A planned unit of work and whether it is already done. */
export interface PlannedWork {
  readonly bases: readonly { env: EnvId; seed: number; done: boolean }[]
  readonly runs: readonly { spec: RunSpec; done: boolean }[]
}

/** Marks which bases and runs are complete already (their `eval.json` exists). */
export async function checkDone(layout: PresetLayout, runs: readonly RunSpec[]): Promise<PlannedWork> {
  const bases = await Promise.all(
    planBases(runs).map(async (b) => ({
      ...b,
      done: (await readJsonIfExists<Evaluation>(layout.base(b.env, b.seed).evaluation)) !== undefined,
    })),
  )
  const done = await Promise.all(
    runs.map(async (spec) => ({ spec, done: await isRunComplete(layout, spec) })),
  )
  return { bases, runs: done }
}

/**
 * Work units for the progress bar: one per training iteration, plus the SFT and the evaluations counted in
 * iteration-equivalents (a rough but stable weighting; the ETA corrects itself as work completes).
 */
export function workUnits(options: { readonly context: PlanContext; readonly work: PlannedWork }): {
  readonly total: number
  readonly done: number
} {
  let total = 0
  let done = 0
  for (const base of options.work.bases) {
    const units = baseUnits(options.context, base.env)
    total += units
    if (base.done) done += units
  }
  for (const run of options.work.runs) {
    const units = runUnits(options.context, run.spec)
    total += units
    if (run.done) done += units
  }
  return { total, done }
}

/**
 * Units of an SFT base (demonstrations + SFT with its early-stop probes + its evaluation), in
 * iteration-equivalents: measured on `quick`, making a base (10–12 SFT epochs and their probes) takes about as long
 * as eight training iterations.
 */
export function baseUnits(context: PlanContext, env: EnvId): number {
  return 8 + evalUnits(context, env)
}

/** Units of a run: its iterations plus the final evaluation. */
export function runUnits(context: PlanContext, spec: RunSpec): number {
  const budget = envBudget(context.preset, spec.env)
  return (budget.trainer.trainer?.iterations ?? 150) + evalUnits(context, spec.env)
}

/** An evaluation of E episodes counted against a training rollout of G × N trajectories (≈ 1/2 of an iteration each). */
export function evalUnits(context: PlanContext, env: EnvId): number {
  const budget = envBudget(context.preset, env)
  const trajectories =
    (budget.trainer.rollout?.groupsPerIteration ?? 16) * (budget.trainer.rollout?.groupSize ?? 8)
  return (0.5 * budget.finalEval.episodes * budget.finalEval.rollouts) / Math.max(1, trajectories)
}
