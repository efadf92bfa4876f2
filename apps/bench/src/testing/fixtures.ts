/**
 * Builders of fixture run results (metrics lines and evaluations) for report tests.
 */
import type { MetricsRecord } from '@gigpo/trainer'
import { runId } from '../experiment.js'
import type { EnvId, EpisodeOutcome, Evaluation, RunResult, RunSpec, Variant } from '../types.js'

const ALFWORLD_TYPES = [
  'pick_and_place',
  'look_at_obj_in_light',
  'pick_clean_then_place_in_recep',
  'pick_heat_then_place_in_recep',
  'pick_cool_then_place_in_recep',
  'pick_two_obj_and_place',
] as const

/** An evaluation of `episodes` slots whose first `round(rate·episodes)` succeed (ALFWorld types cycle). */
export function makeEvaluation(options: {
  readonly env: EnvId
  readonly episodes: number
  readonly successRate: number
  /** WebShop score of failed episodes (successes score 1). @defaultValue `0.5` */
  readonly failScore?: number
}): Evaluation {
  const wins = Math.round(options.successRate * options.episodes)
  const episodes: EpisodeOutcome[] = Array.from({ length: options.episodes }, (_, slot) => ({
    slot,
    rollout: 0,
    taskId: `task-${slot}`,
    ...(options.env === 'alfworld' ? { taskType: ALFWORLD_TYPES[slot % ALFWORLD_TYPES.length]! } : {}),
    success: slot < wins,
    ...(options.env === 'webshop' ? { score: slot < wins ? 1 : (options.failScore ?? 0.5) } : {}),
    length: 5,
  }))
  return {
    format: 'gigpo-bench-eval/v1',
    env: options.env,
    split: options.env === 'alfworld' ? 'valid_seen' : 'test',
    episodes,
    metrics: { 'val/success_rate': wins / options.episodes },
    seconds: 1,
  }
}

/** Training metrics of `iterations` iterations with the given stage seconds and step-group shares. */
export function makeMetrics(options: {
  readonly iterations: number
  readonly stageSeconds: Readonly<Record<string, number>>
  readonly trainSuccess?: (step: number) => number
  readonly singletonShare?: number
}): MetricsRecord[] {
  const out: MetricsRecord[] = [{ step: 0, 'val/success_rate': 0.1, 'timing_s/step': 9 }]
  const singleton = options.singletonShare ?? 0.3
  for (let step = 1; step <= options.iterations; step++) {
    const record: Record<string, number> = {
      'episode/success_rate': options.trainSuccess?.(step) ?? 0.1 * step,
      'step_group/size_mean': 4,
      'step_group/share_size_1': singleton,
      'step_group/share_size_2-4': 0.5,
      'step_group/share_size_5-9': 0.1,
      'step_group/share_size_10-49': 0.1 - 0.01 * step,
      'step_group/share_size_>=50': 0.01 * step,
    }
    for (const [stage, seconds] of Object.entries(options.stageSeconds)) record[`timing_s/${stage}`] = seconds
    out.push({ step, ...record })
  }
  return out
}

/** A complete run result. */
export function makeRun(options: {
  readonly env: EnvId
  readonly variant: Variant
  readonly seed: number
  readonly successRate: number
  readonly iterations?: number
  readonly stageSeconds?: Readonly<Record<string, number>>
  readonly episodes?: number
  /** Training success per iteration. @defaultValue `0.1 · step` */
  readonly trainSuccess?: (step: number) => number
  /** The advantage diagnostics of every iteration. */
  readonly diagnostics?: Readonly<Record<string, number>>
}): RunResult {
  const spec: RunSpec = { env: options.env, variant: options.variant, seed: options.seed }
  return {
    spec,
    id: runId(spec),
    status: 'complete',
    metrics: makeMetrics({
      iterations: options.iterations ?? 4,
      stageSeconds: options.stageSeconds ?? {
        gen: 10,
        old_log_prob: 2,
        ref: 2,
        update_actor: 6,
        adv: 0.02,
        step: 20,
      },
      ...(options.trainSuccess === undefined ? {} : { trainSuccess: options.trainSuccess }),
    }),
    diagnostics: Array.from({ length: options.iterations ?? 4 }, (_, i) => ({
      step: i + 1,
      ...(options.diagnostics ?? {
        'adv/zero_share': 0.5,
        'adv/mixed_group_share': 0.5,
        'adv/step_nonzero_share': 0.05,
        'adv/step_abs_mean': 0.1,
        'adv/episode_abs_mean': 0.5,
      }),
    })),
    evaluation: makeEvaluation({
      env: options.env,
      episodes: options.episodes ?? 60,
      successRate: options.successRate,
    }),
  }
}
