import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { EnvClosedError, GigpoError, InvalidArgumentError, type EnvInfo } from '@gigpo/protocol'
import { Job, Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { decodeRolloutData } from './codec.js'
import { savePolicyVersion } from './publish.js'
import { uploadPolicy } from './queue-policy-store.js'
import {
  checkQueueName,
  checkRunId,
  connectRedis,
  DEFAULT_PREFIX,
  DEFAULT_QUEUE,
  failureError,
  jobFingerprint,
  queueJobId,
  queueKeys,
  redactRedisUrl,
  type QueueJobData,
  type QueueJobResult,
} from './queue-protocol.js'
import { checkRuntimeSpec, type RolloutRuntimeSpec } from './runtime.js'
import { groupShard, mergeRolloutResults } from './shards.js'
import type {
  RolloutJob,
  RolloutProgress,
  RolloutResult,
  RolloutRunOptions,
  RolloutWorker,
  RolloutWorkerStatus,
} from './types.js'

/** Options of {@link createQueueRolloutWorker}. */
export interface QueueRolloutWorkerOptions {
  /** The Redis server, e.g. `redis://10.0.0.5:6379` (`rediss://` for TLS; credentials in the URL). */
  readonly redis: string
  /**
   * Where the queue workers get their env suite and policy loader; travels inside every job, so the module
   * must be importable on the workers' machines (and allowed there, unless built in).
   */
  readonly runtime: RolloutRuntimeSpec
  /**
   * Identifies this training run in job ids and keys: `<runId>.<rollout>.g<group>`. A restarted learner with
   * the same id finds the jobs it had enqueued (and their results, if they match exactly).
   * @defaultValue `<host>-<pid>-<start time>`
   */
  readonly runId?: string
  /** BullMQ queue name (workers must use the same). @defaultValue `'gigpo-rollouts'` */
  readonly queue?: string
  /** BullMQ key prefix. @defaultValue `'gigpo'` */
  readonly prefix?: string
  /** Attempts per job before the rollout fails (a stalled job, whose worker died, is retried without using one). @defaultValue `3` */
  readonly attempts?: number
  /** Milliseconds between checks for finished jobs. @defaultValue `50` */
  readonly pollMs?: number
  /** Milliseconds between status reports (`onStatus`) while a rollout runs. @defaultValue `1000` */
  readonly statusMs?: number
  /**
   * Fail a rollout when no worker has been connected for this long (milliseconds); `0` waits forever.
   * @defaultValue `0`
   */
  readonly noWorkerTimeoutMs?: number
  /** Directory where policy versions are saved before upload. @defaultValue a temporary directory, removed by `close()` */
  readonly workDir?: string
}

/** A {@link RolloutWorker} over a BullMQ queue, with the names workers must use. */
export interface QueueRolloutWorker<TInfo extends EnvInfo = EnvInfo> extends RolloutWorker<TInfo> {
  readonly runId: string
  readonly queue: string
  readonly prefix: string
  /** Results thrown away so far (duplicates, stale jobs, old policy versions), by this learner and its workers. */
  discarded(): Promise<number>
}

interface Pending {
  readonly group: number
  readonly id: string
  readonly data: QueueJobData
  progress?: RolloutProgress
  state: 'waiting' | 'active' | 'other'
  /** Results of this group thrown away (they did not match what was asked). */
  discarded: number
  attemptsMade: number
  stalled: number
}

/**
 * The learner side of distributed rollouts on Redis with **BullMQ**. Each rollout becomes one queue job per
 * episode group (task, split, sampling settings, policy version, and a reference to the weights); workers on any
 * machine (`gigpo worker --redis URL`, or `startQueueWorker`) pull jobs, run the group's N rollouts and return
 * the trajectories; this side gathers exactly one result per group and merges them in slot order, equal to an
 * in-process rollout.
 *
 * - **Weights**: each policy version is saved once (`save`, its snapshot when it has one) and stored once in
 *   Redis (`<prefix>:<queue>:gigpo-policy:<run>:<version>`); jobs refer to it. Versions older than the previous
 *   one are deleted.
 * - **Exactly once**: job ids are `<run>.<rollout>.g<group>`, so enqueueing twice adds one job; BullMQ lets only
 *   the holder of a job's lock complete it; the learner keeps the first result per group whose fingerprint
 *   (SHA-256 of runtime + job) matches, and discards and counts anything else.
 * - **Failures**: a worker that dies leaves a stalled job that BullMQ gives to another worker; a job that throws
 *   is retried (`attempts`), except deterministic errors (a prompt too long, a bad runtime), which fail the
 *   rollout with the worker's error code. A job lost with Redis (restart) is enqueued again, the weights
 *   republished.
 * - **Stale versions**: workers skip jobs whose policy version is older than the run's current one; such results,
 *   and results that do not match what is asked now, are discarded and counted (`status.discarded`).
 *
 * @example
 * ```ts
 * const worker = createQueueRolloutWorker({
 *   redis: 'redis://127.0.0.1:6379',
 *   runtime: builtinRuntimeSpec({ suite: 'alfworld', policy: 'tfjs' }),
 *   runId: 'alfworld-gigpo-1',
 * })
 * // on each worker machine: gigpo worker --redis redis://<learner host>:6379
 * const trainer = createTrainer({ config, policy, suite, rolloutWorker: worker })
 * ```
 */
export function createQueueRolloutWorker<TInfo extends EnvInfo = EnvInfo>(
  options: QueueRolloutWorkerOptions,
): QueueRolloutWorker<TInfo> {
  const what = 'createQueueRolloutWorker'
  const runtime = checkRuntimeSpec(options.runtime, what)
  const queueName = checkQueueName(options.queue ?? DEFAULT_QUEUE, `${what}: queue`)
  const prefix = checkQueueName(options.prefix ?? DEFAULT_PREFIX, `${what}: prefix`)
  const runId = checkRunId(
    options.runId ??
      `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}-${Date.now().toString(36)}`,
  )
  const attempts = nonNegativeInt('attempts', options.attempts ?? 3, 1)
  const pollMs = nonNegativeInt('pollMs', options.pollMs ?? 50, 1)
  const statusMs = nonNegativeInt('statusMs', options.statusMs ?? 1000, 1)
  const noWorkerTimeoutMs = nonNegativeInt('noWorkerTimeoutMs', options.noWorkerTimeoutMs ?? 0, 0)
  const keys = queueKeys({ prefix, queue: queueName })
  let redis: Redis | undefined
  let queue: Queue | undefined
  let workDir: Promise<string> | undefined
  const saved = new Map<number, Promise<string>>()
  const uploaded = new Set<number>()
  let localDiscarded = 0
  let closed = false

  function connection(): { redis: Redis; queue: Queue } {
    if (redis === undefined || queue === undefined) {
      redis = connectRedis(options.redis, what)
      // ioredis reconnects by itself; an error event must not crash the learner.
      redis.on('error', () => undefined)
      queue = new Queue(queueName, { connection: redis, prefix, streams: { events: { maxLen: 256 } } })
      queue.on('error', () => undefined)
    }
    return { redis, queue }
  }

  function dir(): Promise<string> {
    workDir ??=
      options.workDir === undefined
        ? mkdtemp(join(tmpdir(), 'gigpo-queue-'))
        : Promise.resolve(options.workDir)
    return workDir
  }

  /** Saves the version locally (once) and makes sure Redis holds it (again, after a restart). */
  async function publish(job: RolloutJob, runOptions: RolloutRunOptions): Promise<string> {
    const version = job.policyVersion
    let local = saved.get(version)
    if (local === undefined) {
      const policy = runOptions.policy
      if (policy === undefined) {
        throw new InvalidArgumentError(
          `${what}: job ${job.id} needs policy version ${version}, which was never published; pass \`policy\` to run().`,
        )
      }
      local = (async () => {
        const target = join(await dir(), `v${version}`)
        await savePolicyVersion({ policy, dir: target, what })
        return target
      })()
      saved.set(version, local)
      local.catch(() => saved.delete(version))
      for (const old of saved.keys()) {
        if (old < version - 1) {
          saved.delete(old)
          void dir().then((d) => rm(join(d, `v${old}`), { recursive: true, force: true }))
        }
      }
    }
    const path = await local
    const { redis } = connection()
    const key = keys.policy(runId, version)
    if ((await redis.exists(key)) === 0) {
      await uploadPolicy({ redis, key, dir: path })
      uploaded.add(version)
    }
    // The run's current version: workers skip jobs of older ones (this learner is the only writer).
    await redis.hset(keys.run(runId), 'version', version)
    for (const old of [...uploaded]) {
      if (old < version - 1) {
        uploaded.delete(old)
        await redis.del(keys.policy(runId, old))
      }
    }
    return key
  }

  async function enqueue(entries: readonly Pending[]): Promise<void> {
    const { queue } = connection()
    await queue.addBulk(
      entries.map((entry) => ({
        name: 'rollout',
        data: entry.data,
        opts: {
          jobId: entry.id,
          attempts,
          backoff: { type: 'fixed', delay: 500 },
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    )
  }

  async function discard(count: number): Promise<void> {
    localDiscarded += count
    await connection().redis.hincrby(keys.run(runId), 'discarded', count)
  }

  async function discarded(): Promise<number> {
    if (redis === undefined) return localDiscarded
    const value = await redis.hget(keys.run(runId), 'discarded')
    return Math.max(localDiscarded, Number(value ?? 0))
  }

  async function run(job: RolloutJob, runOptions: RolloutRunOptions = {}): Promise<RolloutResult<TInfo>> {
    if (closed) throw new EnvClosedError('This queue rollout worker was closed; create a new one.')
    const { queue } = connection()
    const policyKey = await publish(job, runOptions)
    const base = job.groupOffset ?? 0
    const pending = new Map<number, Pending>()
    for (let g = 0; g < job.tasks.length; g++) {
      const shard = groupShard(job, g)
      const data: QueueJobData = {
        format: 'gigpo-rollout-job/v1',
        runId,
        runtime,
        job: shard,
        fingerprint: jobFingerprint(runtime, shard),
        policyKey,
      }
      pending.set(g, {
        group: g,
        id: queueJobId({ runId, rolloutId: job.id, group: base + g }),
        data,
        state: 'waiting',
        discarded: 0,
        attemptsMade: 0,
        stalled: 0,
      })
    }
    const all = [...pending.values()]
    const results: RolloutResult[] = []
    let retried = 0
    let failedBefore = 0
    let workers = -1
    let lastWorkerSeen = Date.now()
    let lastStatus = 0
    let lastProgress = ''
    const reenqueue: Pending[] = []

    /** Counts the connected workers (for the no-worker timeout) and reports the status, every `statusMs`. */
    const emitStatus = async (force: boolean) => {
      if (runOptions.onStatus === undefined && noWorkerTimeoutMs === 0) return
      const now = Date.now()
      if (!force && now - lastStatus < statusMs) return
      lastStatus = now
      workers = await queue.getWorkersCount()
      if (workers > 0) lastWorkerSeen = now
      if (runOptions.onStatus === undefined) return
      const states = await Promise.all(
        [...pending.values()].map(async (p) => {
          const state = await queue.getJobState(p.id)
          p.state =
            state === 'active'
              ? 'active'
              : state === 'waiting' || state === 'delayed' || state === 'prioritized'
                ? 'waiting'
                : 'other'
          return p.state
        }),
      )
      const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed')
      const status: RolloutWorkerStatus = {
        backend: 'queue',
        config: `BullMQ ${prefix}:${queueName} on ${redactRedisUrl(options.redis)} (run ${runId})`,
        jobId: job.id,
        workers,
        jobs: {
          total: all.length,
          waiting: states.filter((s) => s === 'waiting').length,
          active: states.filter((s) => s === 'active').length,
          done: results.length,
          failed: failedBefore + [...pending.values()].reduce((n, p) => n + p.attemptsMade + p.stalled, 0),
          retried,
        },
        discarded: await discarded(),
        queue: {
          waiting: counts['waiting'] ?? 0,
          active: counts['active'] ?? 0,
          completed: counts['completed'] ?? 0,
          failed: counts['failed'] ?? 0,
          delayed: counts['delayed'] ?? 0,
        },
      }
      runOptions.onStatus(status)
    }

    const emitProgress = () => {
      if (runOptions.onProgress === undefined) return
      let step = 0
      let active = 0
      for (const p of pending.values()) {
        step = Math.max(step, p.progress?.step ?? 0)
        active += p.progress?.active ?? job.groupSize
      }
      const progress: RolloutProgress = { jobId: job.id, step, active, slots: all.length * job.groupSize }
      const key = `${progress.step}/${progress.active}`
      if (key !== lastProgress) {
        lastProgress = key
        runOptions.onProgress(progress)
      }
    }

    /** Looks at one job; returns true when its group's result was taken. */
    const check = async (entry: Pending): Promise<boolean> => {
      const found = await Job.fromId<QueueJobData, string>(queue, entry.id)
      if (found === undefined) {
        // Lost (Redis restarted without persistence, or removed): publish the weights again and re-add it.
        await publish(job, runOptions)
        reenqueue.push(entry)
        retried += 1
        return false
      }
      entry.attemptsMade = found.attemptsMade
      entry.stalled = found.stalledCounter
      const progress = found.progress as Partial<RolloutProgress> | undefined
      if (
        typeof progress === 'object' &&
        typeof progress.active === 'number' &&
        typeof progress.step === 'number'
      ) {
        entry.progress = { jobId: job.id, step: progress.step, active: progress.active, slots: job.groupSize }
      }
      if (found.data?.fingerprint !== entry.data.fingerprint) {
        // A job left under this id by an earlier run that asked for something else.
        const state = await found.getState()
        if (state === 'active') return false
        await found.remove().catch(() => undefined)
        if (state === 'completed') await discard(1)
        reenqueue.push(entry)
        return false
      }
      if (found.finishedOn === undefined) return false
      const state = await found.getState()
      if (state === 'failed') {
        throw failureError(
          found.failedReason ?? 'unknown error',
          `Rollout ${job.id} group ${base + entry.group} failed on a queue worker`,
        )
      }
      if (state !== 'completed') return false
      const payload = decodeRolloutData(String(found.returnvalue)) as QueueJobResult
      if (
        payload.format !== 'gigpo-rollout-result/v1' ||
        payload.fingerprint !== entry.data.fingerprint ||
        'stale' in payload
      ) {
        // Not the result of what we ask (skipped as stale while another version was current): discard, run again.
        await found.remove().catch(() => undefined)
        await discard(1)
        entry.discarded += 1
        if (entry.discarded > attempts) {
          throw new GigpoError(
            'ROLLOUT_FAILED',
            `Rollout ${job.id} group ${base + entry.group}: ${entry.discarded} results were discarded as stale; is another learner using run id ${runId}?`,
          )
        }
        await publish(job, runOptions)
        reenqueue.push(entry)
        return false
      }
      results.push(payload.result)
      if (found.attemptsStarted > 1 || found.stalledCounter > 0) {
        retried += 1
        failedBefore += found.attemptsMade + found.stalledCounter
      }
      return true
    }

    try {
      await enqueue(all)
      await emitStatus(true)
      for (;;) {
        const taken = await Promise.all(
          [...pending.values()].map(async (entry) => ((await check(entry)) ? entry : undefined)),
        )
        for (const entry of taken) if (entry !== undefined) pending.delete(entry.group)
        if (reenqueue.length > 0) await enqueue(reenqueue.splice(0))
        emitProgress()
        if (pending.size === 0) break
        await emitStatus(false)
        if (noWorkerTimeoutMs > 0 && workers === 0 && Date.now() - lastWorkerSeen > noWorkerTimeoutMs) {
          throw new GigpoError(
            'NO_WORKERS',
            `Rollout ${job.id}: no queue worker has been connected to ${prefix}:${queueName} for ${noWorkerTimeoutMs} ms; start one with \`gigpo worker --redis <url>\`.`,
          )
        }
        if (closed)
          throw new EnvClosedError('The queue rollout worker was closed while a rollout was running.')
        await new Promise((resolve) => setTimeout(resolve, pollMs))
      }
      await emitStatus(true)
      return mergeRolloutResults(job, results) as RolloutResult<TInfo>
    } finally {
      // Gathered (or abandoned): remove this rollout's jobs; active ones finish and expire on their own.
      await Promise.all(all.map((entry) => queue.remove(entry.id).catch(() => 0)))
    }
  }

  return {
    runId,
    queue: queueName,
    prefix,
    run,
    discarded,
    async close() {
      if (closed) return
      closed = true
      if (redis !== undefined && queue !== undefined) {
        const r = redis
        const versions = [...uploaded]
        await Promise.all(versions.map((v) => r.del(keys.policy(runId, v)))).catch(() => undefined)
        await r.del(keys.run(runId)).catch(() => undefined)
        await queue.close().catch(() => undefined)
        r.disconnect()
      }
      if (workDir !== undefined && options.workDir === undefined) {
        await rm(await workDir, { recursive: true, force: true })
      }
    },
  }
}

function nonNegativeInt(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(
      `createQueueRolloutWorker: ${name} must be an integer ≥ ${min}, got ${value}.`,
    )
  }
  return value
}
