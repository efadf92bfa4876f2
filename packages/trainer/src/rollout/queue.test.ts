/**
 * Distributed rollouts on a real Redis (a throw-away `redis-server` on loopback) with `gigpo worker`
 * processes: the results equal the in-process ones, exactly once per group, through worker deaths, stale
 * results and Redis restarts.
 */
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TrainablePolicy } from '../policy.js'
import { createScriptedSuite } from '../testing/scripted-suite.js'
import { createTabularPolicy } from '../testing/tabular-policy.js'
import {
  hasRedisServer,
  NO_REDIS_MESSAGE,
  startRedis,
  startWorkerProcess,
  type TestRedis,
} from './__fixtures__/redis.js'
import { createLocalRolloutWorker } from './local-worker.js'
import { createQueueRolloutWorker } from './queue-rollout-worker.js'
import { jobFingerprint, queueJobId, type QueueJobData } from './queue-protocol.js'
import { builtinRuntimeSpec, type RolloutRuntimeSpec } from './runtime.js'
import { groupShard } from './shards.js'
import type { RolloutJob, RolloutWorkerStatus } from './types.js'

if (!hasRedisServer) console.warn(NO_REDIS_MESSAGE)

const suiteOptions = { tasks: 4, length: 3, maxSteps: 6 }
const suite = createScriptedSuite(suiteOptions)
const builtin = builtinRuntimeSpec({ suite: 'scripted', suiteOptions, policy: 'tabular' })
const fixturePath = fileURLToPath(new URL('./__fixtures__/test-runtime.ts', import.meta.url))

function job(overrides: Partial<RolloutJob> = {}): RolloutJob {
  return {
    id: 'train-1',
    split: 'train',
    tasks: suite.tasks({ split: 'train', baseSeed: 0, groups: 6, episode: 0 }),
    groupSize: 3,
    maxSteps: 6,
    historyLength: 2,
    maxPromptTokens: 10_000,
    sampling: { temperature: 1, topP: 1, topK: -1, maxNewTokens: 64, mode: 'free', seed: 21 },
    policyVersion: 0,
    ...overrides,
  }
}

async function inProcess(policy: TrainablePolicy, j: RolloutJob) {
  const local = createLocalRolloutWorker({ suite, policy })
  try {
    return await local.run(j)
  } finally {
    await local.close()
  }
}

describe.skipIf(!hasRedisServer)('queue rollouts on Redis (BullMQ)', () => {
  let redis: TestRedis
  const dirs: string[] = []
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis?.stop()
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  it('two worker processes return exactly the in-process trajectories, one job per group', async () => {
    const workers = await Promise.all([
      startWorkerProcess(redis.url, ['--concurrency', '3', '--queue', 'equal']),
      startWorkerProcess(redis.url, ['--concurrency', '3', '--queue', 'equal']),
    ])
    const learner = createQueueRolloutWorker({
      redis: redis.url,
      runtime: builtin,
      runId: 'equal',
      queue: 'equal',
      pollMs: 20,
    })
    const policy = createTabularPolicy()
    const statuses: RolloutWorkerStatus[] = []
    try {
      const train = await learner.run(job(), { policy, onStatus: (s) => statuses.push(s) })
      expect(train).toEqual(await inProcess(policy, job()))
      const valJob = job({
        id: 'val-0',
        groupSize: 1,
        tasks: suite.tasks({ split: 'test', baseSeed: 9, groups: 8, episode: 0 }),
      })
      expect(await learner.run(valJob, { policy })).toEqual(await inProcess(policy, valJob))
      expect(await learner.discarded()).toBe(0)
    } finally {
      await learner.close()
      await Promise.all(workers.map((w) => w.stop()))
    }
    const last = statuses[statuses.length - 1]!
    expect(last).toMatchObject({ backend: 'queue', jobId: 'train-1', workers: 2, discarded: 0 })
    expect(last.config).toBe(`BullMQ gigpo:equal on ${redis.url} (run equal)`)
    expect(last.jobs).toMatchObject({ total: 6, done: 6, waiting: 0, active: 0, retried: 0 })
    // Both processes took jobs.
    for (const w of workers) expect(w.output()).toMatch(/done {2}equal\.train-1\.g\d/)
  })

  it('a worker killed mid-job: another worker runs its jobs, every group exactly once', async () => {
    const runtime: RolloutRuntimeSpec = {
      module: fixturePath,
      options: { suite: suiteOptions, stepDelayMs: 200 },
    }
    const args = [
      '--queue',
      'kill',
      '--allow-runtime',
      fixturePath,
      '--lock-ms',
      '1000',
      '--stalled-ms',
      '250',
      '--concurrency',
      '6',
    ]
    const doomed = await startWorkerProcess(redis.url, args)
    const learner = createQueueRolloutWorker({
      redis: redis.url,
      runtime,
      runId: 'kill',
      queue: 'kill',
      pollMs: 20,
      statusMs: 50,
    })
    const policy = createTabularPolicy()
    const statuses: RolloutWorkerStatus[] = []
    let rescuer: Promise<Awaited<ReturnType<typeof startWorkerProcess>>> | undefined
    try {
      const result = await learner.run(job(), {
        policy,
        onStatus: (status) => {
          statuses.push(status)
          // As soon as the doomed worker runs jobs, kill it and start another.
          if (rescuer === undefined && status.jobs.active > 0 && /start kill/.test(doomed.output())) {
            rescuer = doomed.kill().then(() => startWorkerProcess(redis.url, args))
          }
        },
      })
      expect(rescuer).toBeDefined()
      expect(doomed.proc.signalCode).toBe('SIGKILL')
      expect(result).toEqual(await inProcess(policy, job()))
      const ids = result.trajectories.map((t) => t.id)
      expect(new Set(ids).size).toBe(ids.length)
      expect(new Set(result.trajectories.map((t) => t.groupIndex))).toEqual(new Set([0, 1, 2, 3, 4, 5]))
    } finally {
      await learner.close()
      await (await rescuer)?.stop()
      await doomed.kill()
    }
    const last = statuses[statuses.length - 1]!
    expect(last.jobs.done).toBe(6)
    expect(last.jobs.retried).toBeGreaterThanOrEqual(1)
    expect(last.jobs.failed).toBeGreaterThanOrEqual(1)
    expect(doomed.output()).toMatch(/start kill\.train-1\.g\d/)
    expect(doomed.output()).not.toMatch(/done {2}kill/)
  })

  it('discards and counts late results of an old policy version and stale results under a job id', async () => {
    const worker = await startWorkerProcess(redis.url, ['--queue', 'stale'])
    const learner = createQueueRolloutWorker({
      redis: redis.url,
      runtime: builtin,
      runId: 'stale',
      queue: 'stale',
      pollMs: 20,
    })
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null })
    const queue = new Queue<QueueJobData>('stale', { connection, prefix: 'gigpo' })
    const policy = createTabularPolicy()
    const inject = async (j: RolloutJob, policyKey: string) => {
      const shard = groupShard(j, 0)
      const id = queueJobId({ runId: 'stale', rolloutId: j.id, group: 0 })
      await queue.add(
        'rollout',
        {
          format: 'gigpo-rollout-job/v1',
          runId: 'stale',
          runtime: builtin,
          job: shard,
          fingerprint: jobFingerprint(builtin, shard),
          policyKey,
        },
        { jobId: id },
      )
      for (;;) {
        if ((await queue.getJobState(id)) === 'completed') return
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    try {
      // Version 1 is the run's current one once the learner has run a version-1 job.
      await learner.run(job({ policyVersion: 1 }), { policy })
      expect(await learner.discarded()).toBe(0)
      // A late job of version 0 is skipped by the worker and counted.
      await inject(job({ id: 'train-0', policyVersion: 0 }), 'gigpo:stale:gigpo-policy:stale:0')
      expect(await learner.discarded()).toBe(1)
      expect(worker.output()).toMatch(
        /skip {2}stale\.train-0\.g0: policy version 0 is older than the run's 1/,
      )
      // A finished job left under train-2's id by a run that asked for something else (another seed): its result
      // is discarded, the job run again, and the rollout equals the in-process one.
      const asked = job({ id: 'train-2', policyVersion: 1 })
      await inject(
        { ...asked, sampling: { ...asked.sampling, seed: 999 } },
        'gigpo:stale:gigpo-policy:stale:1',
      )
      expect(await learner.run(asked, { policy })).toEqual(await inProcess(policy, asked))
      expect(await learner.discarded()).toBe(2)
      // A deterministic failure on a worker fails the rollout at once, with the worker's error code.
      await expect(
        learner.run(job({ id: 'train-3', policyVersion: 1, maxPromptTokens: 2 }), { policy }),
      ).rejects.toMatchObject({
        code: 'PROMPT_TOO_LONG',
        message: expect.stringContaining('failed on a queue worker'),
      })
      expect(worker.output()).toMatch(/fail {2}stale\.train-3\.g\d: \[PROMPT_TOO_LONG\]/)
    } finally {
      await queue.close()
      connection.disconnect()
      await learner.close()
      await worker.stop()
    }
  })

  it('fails a rollout when no worker is connected for noWorkerTimeoutMs', async () => {
    const learner = createQueueRolloutWorker({
      redis: redis.url,
      runtime: builtin,
      runId: 'lonely',
      queue: 'lonely',
      noWorkerTimeoutMs: 300,
      statusMs: 50,
    })
    try {
      await expect(learner.run(job(), { policy: createTabularPolicy() })).rejects.toMatchObject({
        code: 'NO_WORKERS',
        message: expect.stringContaining('start one with `gigpo worker --redis <url>`'),
      })
    } finally {
      await learner.close()
    }
  })
})
