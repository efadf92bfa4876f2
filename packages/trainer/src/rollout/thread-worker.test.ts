import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createScriptedSuite } from '../testing/scripted-suite.js'
import { createTabularPolicy } from '../testing/tabular-policy.js'
import type { TrainablePolicy } from '../policy.js'
import { createLocalRolloutWorker } from './local-worker.js'
import type { PublishablePolicy } from './publish.js'
import { builtinRuntimeSpec, type RolloutRuntimeSpec } from './runtime.js'
import { createThreadRolloutWorker } from './thread-worker.js'
import type { RolloutJob, RolloutWorkerStatus } from './types.js'

const suiteOptions = { tasks: 4, length: 3, maxSteps: 6 }
const suite = createScriptedSuite(suiteOptions)
const fixture = new URL('./__fixtures__/test-runtime.ts', import.meta.url).href
const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

function job(overrides: Partial<RolloutJob> = {}): RolloutJob {
  return {
    id: 'train-1',
    split: 'train',
    tasks: suite.tasks({ split: 'train', baseSeed: 0, groups: 5, episode: 0 }),
    groupSize: 3,
    maxSteps: 6,
    historyLength: 2,
    maxPromptTokens: 10_000,
    sampling: { temperature: 1, topP: 1, topK: -1, maxNewTokens: 64, mode: 'free', seed: 11 },
    policyVersion: 0,
    ...overrides,
  }
}

/** A tabular policy with some learned preferences, so sampling is not uniform. */
async function trainedPolicy(): Promise<TrainablePolicy> {
  const policy = createTabularPolicy()
  const local = createLocalRolloutWorker({ suite, policy })
  const { trajectories } = await local.run(job({ id: 'warm' }))
  await local.close()
  const rows = trajectories.flatMap((t) =>
    t.steps.map((s) => ({
      promptTokens: s.promptTokens,
      responseTokens: s.responseTokens,
      oldLogProbs: s.logProbs,
      advantage: t.success ? 1 : -1,
    })),
  )
  await policy.update(rows, {
    microBatchSize: rows.length,
    gradientAccumulation: 1,
    clipRatioLow: 0.2,
    clipRatioHigh: 0.2,
    clipRatioC: 3,
    entropyCoeff: 0,
    klCoef: 0,
    klType: 'low_var_kl',
    lossAggMode: 'token-mean',
    lr: 0.5,
    maxGradNorm: 1e9,
  })
  return policy
}

async function inProcess(policy: TrainablePolicy, j: RolloutJob) {
  const local = createLocalRolloutWorker({ suite, policy })
  try {
    return await local.run(j)
  } finally {
    await local.close()
  }
}

describe('createThreadRolloutWorker', () => {
  it('gives exactly the in-process trajectories, publishing each policy version once', async () => {
    const policy = await trainedPolicy()
    let saves = 0
    const counted: PublishablePolicy = {
      act: (requests, options) => policy.act(requests, options),
      save: (dir) => {
        saves += 1
        return policy.save(dir)
      },
    }
    const workDir = await mkdtemp(join(tmpdir(), 'gigpo-thread-test-'))
    dirs.push(workDir)
    const worker = createThreadRolloutWorker({
      threads: 2,
      runtime: builtinRuntimeSpec({ suite: 'scripted', suiteOptions, policy: 'tabular' }),
      workDir,
    })
    const statuses: RolloutWorkerStatus[] = []
    const active: number[] = []
    try {
      const first = await worker.run(job(), {
        policy: counted,
        onStatus: (s) => statuses.push(s),
        onProgress: (p) => active.push(p.active),
      })
      expect(first).toEqual(await inProcess(policy, job()))
      const second = await worker.run(
        job({ id: 'val-0', groupSize: 1, sampling: { ...job().sampling, seed: 5 } }),
        {
          policy: counted,
        },
      )
      expect(second).toEqual(
        await inProcess(policy, job({ id: 'val-0', groupSize: 1, sampling: { ...job().sampling, seed: 5 } })),
      )
      expect(saves).toBe(1)
      expect(await readdir(workDir)).toEqual(['v0'])
    } finally {
      await worker.close()
    }
    const last = statuses[statuses.length - 1]!
    expect(last).toMatchObject({
      backend: 'threads',
      config: '2 worker threads, 1 shard(s) each',
      jobId: 'train-1',
      discarded: 0,
    })
    // Threads that are ready take shards (a fast one may take both before the other has started).
    expect(last.workers).toBeGreaterThanOrEqual(1)
    expect(last.workers).toBeLessThanOrEqual(2)
    expect(last.jobs).toEqual({ total: 2, waiting: 0, active: 0, done: 2, failed: 0, retried: 0 })
    expect(active[active.length - 1]).toBe(0)
    expect(Math.max(...active)).toBeLessThanOrEqual(15)
  })

  it('runs a dead thread’s shard again on a fresh thread', async () => {
    const policy = await trainedPolicy()
    const scratch = await mkdtemp(join(tmpdir(), 'gigpo-thread-die-'))
    dirs.push(scratch)
    const runtime: RolloutRuntimeSpec = {
      module: fixture,
      options: { suite: suiteOptions, dieOnceMarker: join(scratch, 'died') },
    }
    const worker = createThreadRolloutWorker({ threads: 2, runtime })
    const statuses: RolloutWorkerStatus[] = []
    try {
      const result = await worker.run(job(), { policy, onStatus: (s) => statuses.push(s) })
      expect(result).toEqual(await inProcess(policy, job()))
    } finally {
      await worker.close()
    }
    const last = statuses[statuses.length - 1]!
    expect(last.jobs).toMatchObject({ total: 2, done: 2, failed: 1, retried: 1 })
  })

  it('fails clearly when the runtime cannot be built, and when a shard fails', async () => {
    const broken = createThreadRolloutWorker({
      threads: 1,
      runtime: { module: fixture, export: 'brokenRuntime' },
    })
    try {
      await expect(broken.run(job(), { policy: createTabularPolicy() })).rejects.toThrow(
        /could not build its runtime: this runtime cannot be built/,
      )
    } finally {
      await broken.close()
    }
    const worker = createThreadRolloutWorker({
      threads: 1,
      runtime: builtinRuntimeSpec({ suite: 'scripted', suiteOptions, policy: 'tabular' }),
    })
    try {
      await expect(
        worker.run(job({ maxPromptTokens: 2 }), { policy: createTabularPolicy() }),
      ).rejects.toMatchObject({
        code: 'PROMPT_TOO_LONG',
      })
      await expect(worker.run(job({ policyVersion: 3 }))).rejects.toThrow(/never published; pass `policy`/)
    } finally {
      await worker.close()
    }
    await expect(worker.run(job())).rejects.toMatchObject({ code: 'ENV_CLOSED' })
  })
})
