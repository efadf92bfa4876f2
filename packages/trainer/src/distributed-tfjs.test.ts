/**
 * Training runs with the real TF.js policy (`@gigpo/policy-tfjs`) on ALFWorld games, rollouts in 2 worker threads
 * and on 2 queue worker processes over Redis: the metrics equal the in-process run's (timings aside). Each thread
 * and process runs its own TF.js backend and loads the published policy versions (safetensors).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildWordTokenizer, createPolicy, type TfjsPolicy } from '@gigpo/policy-tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TrainerConfigInput } from './config/types.js'
import { readMetricsFile, type MetricsRecord } from './metrics.js'
import type { RolloutBackendOptions } from './rollout/backend.js'
import { builtinRuntimeSpec } from './rollout/runtime.js'
import {
  hasRedisServer,
  NO_REDIS_MESSAGE,
  startRedis,
  startWorkerProcess,
} from './rollout/__fixtures__/redis.js'
import { createAlfworldSuite } from './suites/alfworld.js'
import { createTrainer } from './trainer.js'
import { collectDemonstrations } from './warm-start.js'

if (!hasRedisServer) console.warn(NO_REDIS_MESSAGE)

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const suite = createAlfworldSuite()
const runtime = builtinRuntimeSpec({ suite: 'alfworld', policy: 'tfjs', backend: 'wasm' })
const config: TrainerConfigInput = {
  preset: 'alfworld',
  env: { maxSteps: 2 },
  rollout: { groupsPerIteration: 4, groupSize: 2, decoding: 'constrained', maxNewTokens: 24 },
  actor: { lr: 1e-3, miniBatchSize: 8, microBatchSize: 4, logProbMicroBatchSize: 8 },
  validation: { episodes: 4, rollouts: 1, every: 2 },
  trainer: { iterations: 2, checkpointEvery: 0 },
}
let corpus: string[] = []

async function tinyPolicy(): Promise<TfjsPolicy> {
  return createPolicy({
    tokenizer: buildWordTokenizer(corpus, { maxVocabSize: 1024 }),
    seed: 7,
    model: {
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
    },
    optimizer: { lr: 1e-3, weightDecay: 0.01 },
  })
}

/** Everything but wall-clock and memory readings. */
function comparable(record: MetricsRecord): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record).filter(
      ([k]) => !k.startsWith('timing_s/') && !k.startsWith('timing_per_token_ms/') && !k.startsWith('perf/'),
    ),
  )
}

async function train(rollouts?: RolloutBackendOptions): Promise<MetricsRecord[]> {
  const dir = await mkdtemp(join(tmpdir(), 'gigpo-distributed-tfjs-'))
  dirs.push(dir)
  const policy = await tinyPolicy()
  const trainer = createTrainer({
    config,
    policy,
    suite,
    outputDir: dir,
    ...(rollouts === undefined ? {} : { rollouts }),
  })
  try {
    await trainer.run()
  } finally {
    await trainer.close()
    policy.dispose()
  }
  return readMetricsFile(join(dir, 'metrics.jsonl'))
}

let reference: MetricsRecord[]
beforeAll(async () => {
  const demos = await collectDemonstrations({
    suite,
    episodes: 2,
    split: 'train',
    baseSeed: 3,
    maxSteps: 50,
    historyLength: 2,
  })
  corpus = demos.examples.flatMap((e) => [e.prompt, e.response])
  reference = await train()
}, 120_000)

describe('distributed rollouts with the TF.js policy on ALFWorld', () => {
  it('2 worker threads: the metrics of the in-process run', async () => {
    const records = await train({ backend: 'threads', threads: 2, runtime })
    expect(records.map((r) => r.step)).toEqual([0, 1, 2])
    expect(records.map(comparable)).toEqual(reference.map(comparable))
  })

  it.skipIf(!hasRedisServer)(
    '2 queue worker processes over Redis: the metrics of the in-process run',
    async () => {
      const redis = await startRedis()
      const args = ['--queue', 'tfjs', '--concurrency', '2']
      const workers = await Promise.all([
        startWorkerProcess(redis.url, args),
        startWorkerProcess(redis.url, args),
      ])
      try {
        const records = await train({
          backend: 'queue',
          redis: redis.url,
          runtime,
          queue: 'tfjs',
          pollMs: 20,
        })
        expect(records.map(comparable)).toEqual(reference.map(comparable))
        // Both processes loaded the published weights and ran groups.
        for (const w of workers) expect(w.output()).toMatch(/policy \S+ v1 loaded/)
      } finally {
        await Promise.all(workers.map((w) => w.stop()))
        await redis.stop()
      }
    },
  )
})
