/**
 * The final evaluation of a policy (and of the SFT base): the trainer's validation, on a fixed task set that is
 * the same for every seed and variant (slot i plays the same task everywhere, with the same sampling seed), so
 * results are paired across methods.
 */
import { createLocalRolloutWorker, validate, type EnvSuite, type TrainerConfig } from '@gigpo/trainer'
import type { EnvId, EpisodeOutcome, Evaluation } from './types.js'

/** Base seed of the evaluation task draw (far from every training seed). */
export const EVAL_TASK_SEED = 7_000_000

/** Sampling seed of the final evaluations' first rollout. */
export const EVAL_SAMPLING_SEED = 1_000_003

/** Options of {@link evaluatePolicy}. */
export interface EvaluatePolicyOptions {
  readonly env: EnvId
  readonly suite: EnvSuite
  readonly policy: Parameters<typeof createLocalRolloutWorker>[0]['policy']
  /** The run's resolved config (step cap, history, decoding, validation temperature). */
  readonly config: TrainerConfig
  readonly episodes: number
  readonly rollouts: number
  /**
   * Sampling seed of rollout 0 (rollout r uses `samplingSeed + r`); the same for every run, so evaluations pair
   * up. @defaultValue {@link EVAL_SAMPLING_SEED}
   */
  readonly samplingSeed?: number
  readonly onProgress?: (done: {
    readonly step: number
    readonly active: number
    readonly slots: number
  }) => void
}

/** Runs the evaluation and returns `eval.json`'s contents. */
export async function evaluatePolicy(options: EvaluatePolicyOptions): Promise<Evaluation> {
  const started = performance.now()
  const config: TrainerConfig = {
    ...options.config,
    env: { ...options.config.env, seed: 0, evalSeedOffset: EVAL_TASK_SEED },
    validation: { ...options.config.validation, episodes: options.episodes, rollouts: options.rollouts },
  }
  const worker = createLocalRolloutWorker({ suite: options.suite, policy: options.policy })
  try {
    const result = await validate({
      config,
      suite: options.suite,
      worker,
      rolloutsDone: 0,
      // Common random numbers: every run samples its evaluation with the same seeds.
      seeds: Array.from(
        { length: options.rollouts },
        (_, r) => (options.samplingSeed ?? EVAL_SAMPLING_SEED) + r,
      ),
      policyVersion: 0,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    })
    const episodes: EpisodeOutcome[] = result.trajectories.map((t, i) => {
      const info = (t.info ?? {}) as Record<string, unknown>
      const score = info['taskScore']
      return {
        slot: i % options.episodes,
        rollout: Math.floor(i / options.episodes),
        taskId: t.taskId,
        ...(t.taskType === undefined || t.taskType === 'unknown' ? {} : { taskType: t.taskType }),
        success: t.success,
        ...(typeof score === 'number' ? { score } : {}),
        length: t.steps.length,
      }
    })
    return {
      format: 'gigpo-bench-eval/v1',
      env: options.env,
      split: config.env.evalSplit,
      episodes,
      metrics: result.metrics,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    await worker.close()
  }
}
