import type { EnvInfo, Policy, Step, Trajectory } from '@gigpo/protocol'
import type { TaskAssignment } from '../suite.js'

/** Sampling settings of a rollout job (a serialisable copy of the config's rollout/validation section). */
export interface RolloutSampling {
  readonly temperature: number
  readonly topP: number
  readonly topK: number
  readonly maxNewTokens: number
  readonly mode: 'free' | 'constrained'
  /**
   * Seed of the job. Member m of group g draws its step-t response from its own seed, derived from
   * (seed, g, m, t) and passed as `ActRequest.seed`, so a trajectory does not depend on how the groups are
   * batched or spread over workers; the batched call at step t also gets `ActOptions.seed` derived from
   * (seed, t) for policies that ignore request seeds.
   */
  readonly seed: number
}

/**
 * One rollout as a serialisable job: which tasks, how many members per group, how to sample, and which policy
 * version must act. A local worker runs it in process; the thread and queue workers split it into shards of
 * groups (see {@link RolloutJob.groupOffset}), ship them to other threads or machines with a reference to
 * `policyVersion`'s weights, and merge the results — equal to the in-process result.
 */
export interface RolloutJob {
  /** Unique per job within a run, e.g. `train-12` or `val-3-1`; prefixes trajectory ids. */
  readonly id: string
  /** The split the tasks come from. */
  readonly split: string
  /** The task of each group (from `EnvSuite.tasks`). */
  readonly tasks: readonly TaskAssignment[]
  /** Members per group (N); slot `g·N + m` is member m of group g. */
  readonly groupSize: number
  /** Step cap per episode. */
  readonly maxSteps: number
  /** History window of the prompts. */
  readonly historyLength: number
  /** Longest prompt allowed, in tokens (the reference's truncation='error'). */
  readonly maxPromptTokens: number
  readonly sampling: RolloutSampling
  /** Version of the policy weights the job must be run with (incremented by every update). */
  readonly policyVersion: number
  /**
   * Index of `tasks[0]` among the groups of the whole rollout, when this job is a shard of a larger one
   * (`splitRolloutJob`): group indices, trajectory ids and sampling seeds use the absolute index `groupOffset + g`,
   * so a shard's trajectories are exactly those the whole job would produce for its groups.
   * @defaultValue `0`
   */
  readonly groupOffset?: number
}

/** One step-sample of a rollout: the protocol `Step` plus the token-level data the update needs. */
export interface RolloutStep extends Step {
  /** Prompt token ids as the policy encoded them. */
  readonly promptTokens: Int32Array
  /** Response token ids (EOS included when generated). */
  readonly responseTokens: Int32Array
  /** Behaviour-policy log-prob of each response token (from sampling; the update recomputes them). */
  readonly logProbs: Float32Array
  /**
   * The other fields of the policy's `ActResult` (e.g. policy-tfjs's `constraint` of a constrained response),
   * passed back with the tokens whenever the sample is scored or trained on.
   */
  readonly policyData?: Readonly<Record<string, unknown>>
}

/** A trajectory of a rollout job, with its place in the job. */
export interface RolloutTrajectory<TInfo extends EnvInfo = EnvInfo> extends Trajectory<RolloutStep, TInfo> {
  /** Index of the episode group within the job. */
  readonly groupIndex: number
  /** Member index within the group. */
  readonly member: number
  /** Sum of the env rewards over the trajectory (the reference's `episode_rewards`). */
  readonly episodeReward: number
  /** Task family (from `info.taskType`), when the env reports one. */
  readonly taskType?: string
}

/** Counters of one rollout. */
export interface RolloutStats {
  /**
   * Batched calls to `policy.act` (= the longest trajectory's length); for a rollout merged from shards, the
   * most calls of any shard, which is the same number.
   */
  readonly policyCalls: number
  /** Env steps taken (= step rows). */
  readonly envSteps: number
  /** Response tokens generated. */
  readonly responseTokens: number
  /** Prompt tokens encoded. */
  readonly promptTokens: number
}

/** What a rollout job returns. */
export interface RolloutResult<TInfo extends EnvInfo = EnvInfo> {
  /** In slot order: group 0's members, then group 1's, … */
  readonly trajectories: readonly RolloutTrajectory<TInfo>[]
  readonly stats: RolloutStats
}

/** Progress of a running rollout. */
export interface RolloutProgress {
  readonly jobId: string
  /** The step just finished (0-based). */
  readonly step: number
  /** Slots still running after this step. */
  readonly active: number
  readonly slots: number
}

/**
 * Health and progress of a distributed rollout (worker threads or a job queue), reported while it runs: how
 * many workers serve it and where its jobs (one per shard of groups) stand.
 */
export interface RolloutWorkerStatus {
  /** Which implementation reports. */
  readonly backend: 'threads' | 'queue'
  /** The backend's configuration in words, e.g. `2 worker threads` or `BullMQ gigpo:gigpo-rollouts on redis://10.0.0.5:6379/ (run r1)`. */
  readonly config: string
  /** The rollout job (`train-3`, `val-0`, …). */
  readonly jobId: string
  /** Worker threads alive, or queue workers connected to Redis. */
  readonly workers: number
  /** This rollout's jobs: one per shard (threads) or per episode group (queue). */
  readonly jobs: {
    readonly total: number
    readonly waiting: number
    readonly active: number
    readonly done: number
    /** Failed attempts so far (each is retried until the job's attempts run out). */
    readonly failed: number
    /** Jobs that were run again: a dead thread's shard, a stalled or failed queue job. */
    readonly retried: number
  }
  /**
   * Results thrown away over the worker's life: late results of an old policy version and duplicate
   * deliveries of a result already taken.
   */
  readonly discarded: number
  /** Counts of the whole queue (every run sharing it), for the queue backend. */
  readonly queue?: {
    readonly waiting: number
    readonly active: number
    readonly completed: number
    readonly failed: number
    readonly delayed: number
  }
}

/** Options of {@link RolloutWorker.run}. */
export interface RolloutRunOptions {
  /** Called after every rollout step (of every shard, for a distributed rollout). */
  readonly onProgress?: (progress: RolloutProgress) => void
  /** Distributed workers: called when the rollout's jobs or the workers change, and at least once a second. */
  readonly onStatus?: (status: RolloutWorkerStatus) => void
  /**
   * The policy whose weights are `job.policyVersion` (the trainer passes its current policy). The local worker
   * acts with it instead of the one it was created with; distributed workers publish its weights when they
   * first see the version.
   */
  readonly policy?: Policy
}

/**
 * Runs rollout jobs. The trainer only talks to this interface, so where rollouts run (this thread, worker
 * threads, other machines) is a choice of implementation.
 */
export interface RolloutWorker<TInfo extends EnvInfo = EnvInfo> {
  run(job: RolloutJob, options?: RolloutRunOptions): Promise<RolloutResult<TInfo>>
  /** Releases the worker's environments (and threads/connections). Idempotent. */
  close(): Promise<void>
}
