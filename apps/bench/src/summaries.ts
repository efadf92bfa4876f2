/**
 * Turning run files into the numbers of the tables: Table 1 columns from an evaluation, mean ± std over seeds,
 * mean seconds per stage, learning curves and step-group size shares from `metrics.jsonl`.
 */
import type { MetricsRecord } from '@gigpo/trainer'
import type { Table1Column } from './paper.js'
import { envBudget } from './presets.js'
import { mean, sampleStd } from './stats.js'
import type { BenchPreset, EnvId, EpisodeOutcome, Evaluation } from './types.js'

/** `ALFWorld` / `WebShop`. */
export function envName(env: EnvId): string {
  return env === 'alfworld' ? 'ALFWorld' : 'WebShop'
}

/**
 * The tasks the evaluations of `env` play under `preset`, in words: the preset's fixed task subset (the tasks
 * it also trains on), or the reference's evaluation split.
 *
 * @example
 * ```ts
 * evaluationTasks(getPreset('quick'), 'alfworld') // 'the 12 ALFWorld train games of the preset's task subset, …'
 * ```
 */
export function evaluationTasks(preset: BenchPreset, env: EnvId): string {
  const subset = envBudget(preset, env).tasks
  if (subset === undefined) return env === 'alfworld' ? 'ALFWorld valid_seen games' : 'WebShop test goals'
  const what = env === 'alfworld' ? 'games' : 'goals'
  return (
    `the ${subset.ids.length} ${envName(env)} ${subset.split} ${what} of the preset's task subset ` +
    `(the same ${what} it trains on, cycled so each gets the same number of episodes)`
  )
}

/** A short label of the evaluation tasks for headings: `train subset`, `valid_seen`, `test goals`. */
export function evaluationLabel(preset: BenchPreset, env: EnvId): string {
  const subset = envBudget(preset, env).tasks
  if (subset !== undefined)
    return `${subset.ids.length} ${subset.split} ${env === 'alfworld' ? 'games' : 'goals'}`
  return env === 'alfworld' ? 'valid_seen' : 'test goals'
}

/**
 * Per-episode paired differences `a − b` of a Table 1 column (percent scale) between two evaluations of the same
 * episodes (matched by rollout and slot: the same task with the same sampling seed).
 */
export function pairedEpisodeDifferences(a: Evaluation, b: Evaluation, column: Table1Column): number[] {
  const key = (e: EpisodeOutcome) => `${e.rollout}:${e.slot}`
  const other = new Map(b.episodes.map((e) => [key(e), e]))
  const out: number[] = []
  for (const episode of a.episodes) {
    const match = other.get(key(episode))
    if (match === undefined || match.taskId !== episode.taskId) continue
    const x = episodeValue(episode, column)
    const y = episodeValue(match, column)
    if (x !== undefined && y !== undefined) out.push(x - y)
  }
  return out
}

/** The Table 1 columns of an environment. */
export function envColumns(env: EnvId): readonly Table1Column[] {
  return env === 'alfworld'
    ? ['pick', 'look', 'clean', 'heat', 'cool', 'pick2', 'all']
    : ['webshopScore', 'webshopSuccess']
}

/**
 * The Table 1 column of an ALFWorld task type (`pick_and_place_simple` → `pick`, `look_at_obj_in_light` → `look`,
 * `pick_clean_then_place_in_recep` → `clean`, …, `pick_two_obj_and_place` → `pick2`).
 */
export function alfworldColumn(taskType: string): Table1Column | undefined {
  const t = taskType.toLowerCase()
  if (t.includes('two')) return 'pick2'
  if (t.includes('look')) return 'look'
  if (t.includes('clean')) return 'clean'
  if (t.includes('heat')) return 'heat'
  if (t.includes('cool')) return 'cool'
  if (t.includes('pick_and_place') || t === 'pick') return 'pick'
  return undefined
}

/** The per-episode value of a Table 1 column (percent scale: success 0/100, WebShop score 0–100). */
export function episodeValue(episode: EpisodeOutcome, column: Table1Column): number | undefined {
  if (column === 'webshopScore') return episode.score === undefined ? undefined : 100 * episode.score
  if (column === 'webshopSuccess' || column === 'all') return episode.success ? 100 : 0
  return episode.taskType !== undefined && alfworldColumn(episode.taskType) === column
    ? episode.success
      ? 100
      : 0
    : undefined
}

/** Table 1 values (percent) of one evaluation; a column with no episode (a task type never drawn) is absent. */
export function table1Values(evaluation: Evaluation): Partial<Record<Table1Column, number>> {
  const out: Partial<Record<Table1Column, number>> = {}
  for (const column of envColumns(evaluation.env)) {
    const values = evaluation.episodes
      .map((e) => episodeValue(e, column))
      .filter((v): v is number => v !== undefined)
    if (values.length > 0) out[column] = mean(values)
  }
  return out
}

/** Episodes of each Table 1 column in an evaluation (to show how few games a per-type rate rests on). */
export function columnCounts(evaluation: Evaluation): Partial<Record<Table1Column, number>> {
  const out: Partial<Record<Table1Column, number>> = {}
  for (const column of envColumns(evaluation.env)) {
    out[column] = evaluation.episodes.filter((e) => episodeValue(e, column) !== undefined).length
  }
  return out
}

/** Mean, sample std and count of per-seed values. */
export interface SeedSummary {
  readonly mean: number
  /** `NaN` with a single seed. */
  readonly std: number
  readonly n: number
}

/** Mean ± std over seeds of the finite values. */
export function summarizeSeeds(values: readonly (number | undefined)[]): SeedSummary | undefined {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  if (finite.length === 0) return undefined
  return { mean: mean(finite), std: sampleStd(finite), n: finite.length }
}

/** `mean ± std` (one decimal), `mean` alone with one seed, `–` when missing. */
export function formatSummary(summary: SeedSummary | undefined, digits = 1): string {
  if (summary === undefined) return '–'
  return Number.isNaN(summary.std)
    ? summary.mean.toFixed(digits)
    : `${summary.mean.toFixed(digits)} ± ${summary.std.toFixed(digits)}`
}

/** Training iterations only (step 0 is the warm start / validation before training). */
export function trainingRecords(records: readonly MetricsRecord[]): MetricsRecord[] {
  return records.filter((r) => r.step > 0)
}

/** Mean seconds per training iteration of every `timing_s/<stage>` key. */
export function meanStageSeconds(records: readonly MetricsRecord[]): Record<string, number> {
  const training = trainingRecords(records)
  const sums: Record<string, { sum: number; n: number }> = {}
  for (const r of training) {
    for (const [key, value] of Object.entries(r)) {
      if (!key.startsWith('timing_s/') || !Number.isFinite(value)) continue
      const stage = key.slice('timing_s/'.length)
      const s = (sums[stage] ??= { sum: 0, n: 0 })
      s.sum += value
      s.n += 1
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, { sum, n }]) => [k, sum / n]))
}

/** `(step, value)` of a metric over the run (records without it are skipped). */
export function metricSeries(records: readonly MetricsRecord[], key: string): { x: number; y: number }[] {
  return records
    .filter((r) => r[key] !== undefined && Number.isFinite(r[key]))
    .map((r) => ({ x: r.step, y: r[key]! }))
}

/**
 * Mean ± std across seeds of a metric at each step (steps where at least one seed logged it). With one seed the
 * band is absent.
 */
export function seedBand(
  runs: readonly (readonly MetricsRecord[])[],
  key: string,
  options: { readonly scale?: number; readonly smooth?: number } = {},
): { x: number; y: number; low?: number; high?: number }[] {
  const scale = options.scale ?? 1
  const perRun = runs.map((records) => smooth(metricSeries(records, key), options.smooth ?? 1))
  const steps = [...new Set(perRun.flatMap((s) => s.map((p) => p.x)))].sort((a, b) => a - b)
  return steps.map((x) => {
    const values = perRun.flatMap((s) => s.filter((p) => p.x === x).map((p) => p.y * scale))
    const m = mean(values)
    const sd = sampleStd(values)
    return Number.isNaN(sd) ? { x, y: m } : { x, y: m, low: m - sd, high: m + sd }
  })
}

/** Trailing moving average over `window` points (1 = unchanged). */
export function smooth(
  points: readonly { x: number; y: number }[],
  window: number,
): { x: number; y: number }[] {
  if (window <= 1) return [...points]
  return points.map((p, i) => {
    const slice = points.slice(Math.max(0, i - window + 1), i + 1)
    return { x: p.x, y: mean(slice.map((q) => q.y)) }
  })
}

/** The step-group size buckets the trainer logs (`step_group/share_size_<bucket>`), the paper's Fig. 5 buckets. */
export const GROUP_SIZE_BUCKETS = ['1', '2-4', '5-9', '10-49', '>=50'] as const

/** Shares (0–1) of step groups per size bucket at each logged step. */
export function groupSizeShares(records: readonly MetricsRecord[]): { x: number; values: number[] }[] {
  return trainingRecords(records)
    .filter((r) => GROUP_SIZE_BUCKETS.some((b) => r[`step_group/share_size_${b}`] !== undefined))
    .map((r) => ({ x: r.step, values: GROUP_SIZE_BUCKETS.map((b) => r[`step_group/share_size_${b}`] ?? 0) }))
}

/** Formats seconds with a sensible number of digits (`0.0123 s` → `12.3 ms`). */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–'
  if (seconds >= 100) return `${seconds.toFixed(0)} s`
  if (seconds >= 1) return `${seconds.toFixed(2)} s`
  if (seconds >= 0.001) return `${(seconds * 1000).toFixed(1)} ms`
  return `${(seconds * 1e6).toFixed(0)} µs`
}

/** Formats a ratio as a percentage with enough digits for tiny values (`0.0015` → `0.15%`). */
export function formatPercent(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '–'
  const p = ratio * 100
  if (p === 0) return '0%'
  if (Math.abs(p) >= 10) return `${p.toFixed(1)}%`
  if (Math.abs(p) >= 0.1) return `${p.toFixed(2)}%`
  return `${p.toPrecision(2)}%`
}
