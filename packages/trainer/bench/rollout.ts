/**
 * `pnpm --filter @gigpo/trainer bench:rollout`: rollout throughput of the same rollout jobs (ALFWorld, the tiny
 * TF.js policy of the learning check) in this thread, in 1 and 2 worker threads, and on 2 `gigpo worker`
 * processes over a BullMQ queue on a loopback Redis, measured side by side (interleaved rounds), plus the queue's
 * overhead per job (scripted env, tabular policy: almost no work per job). Writes
 * `bench-results/trainer-rollout.json`. Needs `redis-server` on PATH for the queue part.
 *
 * Environment: GIGPO_BENCH_ROUNDS (default 3), GIGPO_BENCH_GROUPS (8), GIGPO_BENCH_GROUP_SIZE (4),
 * GIGPO_BENCH_MAX_STEPS (8), GIGPO_BENCH_DECODING (`constrained` or `free`).
 */
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { buildWordTokenizer, createPolicy } from '@gigpo/policy-tfjs'
import { reportBench, type BenchFigure } from '../../../scripts/bench-report.js'
import {
  builtinRuntimeSpec,
  collectDemonstrations,
  createAlfworldSuite,
  createLocalRolloutWorker,
  createQueueRolloutWorker,
  createThreadRolloutWorker,
  type RolloutJob,
  type RolloutResult,
  type RolloutWorker,
} from '../src/index.js'
import {
  hasRedisServer,
  startRedis,
  startWorkerProcess,
  type WorkerProcess,
} from '../src/rollout/__fixtures__/redis.js'
import { createScriptedSuite, createTabularPolicy } from '../src/testing/index.js'

const log = (line: string) => console.log(line)
const ROUNDS = Number(process.env.GIGPO_BENCH_ROUNDS ?? 3)
const GROUPS = Number(process.env.GIGPO_BENCH_GROUPS ?? 8)
const GROUP_SIZE = Number(process.env.GIGPO_BENCH_GROUP_SIZE ?? 4)
const MAX_STEPS = Number(process.env.GIGPO_BENCH_MAX_STEPS ?? 8)
const DECODING = (process.env.GIGPO_BENCH_DECODING ?? 'constrained') as 'constrained' | 'free'
const figures: BenchFigure[] = []

// The policy: the learning check's tiny Qwen2-style model, vocabulary from a few expert episodes.
const suite = createAlfworldSuite()
const demos = await collectDemonstrations({
  suite,
  episodes: 8,
  split: 'train',
  baseSeed: 100_000,
  maxSteps: 8,
  historyLength: 2,
  decoding: 'constrained',
})
const policy = await createPolicy({
  tokenizer: buildWordTokenizer(
    demos.examples.flatMap((e) => [e.prompt, e.response]),
    { maxVocabSize: 1024 },
  ),
  seed: 1,
  model: {
    hidden_size: 64,
    intermediate_size: 192,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
  },
})
log(`policy: ${policy.parameterCount.toLocaleString()} parameters on ${policy.backend.name}`)

function job(round: number): RolloutJob {
  return {
    id: `train-${round}`,
    split: 'train',
    tasks: suite.tasks({ split: 'train', baseSeed: 0, groups: GROUPS, episode: round }),
    groupSize: GROUP_SIZE,
    maxSteps: MAX_STEPS,
    historyLength: 2,
    maxPromptTokens: 4096,
    sampling: { temperature: 1, topP: 1, topK: -1, maxNewTokens: 24, mode: DECODING, seed: 1000 + round },
    policyVersion: 0,
  }
}

interface Variant {
  readonly name: string
  readonly worker: RolloutWorker
  seconds: number
  envSteps: number
  responseTokens: number
  promptTokens: number
  results: RolloutResult[]
  /** CPU seconds of this process (its worker threads included) while the variant ran. */
  cpuSeconds: number
  /** CPU seconds of the whole machine (every process) while the variant ran, from /proc/stat. */
  machineBusySeconds: number
}

const runtime = builtinRuntimeSpec({ suite: 'alfworld', policy: 'tfjs', backend: 'wasm' })
const variants: Variant[] = [
  { name: 'in process', worker: createLocalRolloutWorker({ suite, policy }) },
  { name: '1 worker thread', worker: createThreadRolloutWorker({ threads: 1, runtime }) },
  { name: '2 worker threads', worker: createThreadRolloutWorker({ threads: 2, runtime }) },
].map((v) => ({
  ...v,
  seconds: 0,
  envSteps: 0,
  responseTokens: 0,
  promptTokens: 0,
  results: [],
  cpuSeconds: 0,
  machineBusySeconds: 0,
}))

const redis = hasRedisServer ? await startRedis() : undefined
const processes: WorkerProcess[] = []
if (redis === undefined) {
  log('redis-server is not on PATH: the queue variant is skipped.')
} else {
  const args = ['--queue', 'bench', '--concurrency', String(Math.ceil(GROUPS / 2)), '--quiet']
  processes.push(
    ...(await Promise.all([startWorkerProcess(redis.url, args), startWorkerProcess(redis.url, args)])),
  )
  variants.push({
    name: '2 queue worker processes',
    worker: createQueueRolloutWorker({ redis: redis.url, runtime, queue: 'bench', runId: 'bench' }),
    seconds: 0,
    envSteps: 0,
    responseTokens: 0,
    promptTokens: 0,
    results: [],
    cpuSeconds: 0,
    machineBusySeconds: 0,
  })
}

try {
  // Warm-up (not timed): threads and processes start, build envs, load the policy version.
  log(`\n== ALFWorld rollouts: ${GROUPS} groups × ${GROUP_SIZE}, ≤ ${MAX_STEPS} steps, ${DECODING} decoding`)
  for (const v of variants) {
    const started = performance.now()
    await v.worker.run({ ...job(100), id: 'warm-up' }, { policy })
    log(`  warm-up ${v.name}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  // Interleaved rounds: every variant runs the same job in each round, so load changes hit all of them.
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const started = performance.now()
      const cpu = process.cpuUsage()
      const busy = machineBusySeconds()
      const result = await v.worker.run(job(round), { policy })
      v.seconds += (performance.now() - started) / 1000
      const used = process.cpuUsage(cpu)
      v.cpuSeconds += (used.user + used.system) / 1e6
      v.machineBusySeconds += machineBusySeconds() - busy
      v.envSteps += result.stats.envSteps
      v.responseTokens += result.stats.responseTokens
      v.promptTokens += result.stats.promptTokens
      v.results.push(result)
    }
    log(`  round ${round + 1}/${ROUNDS} done`)
  }
  const base = variants[0]!
  const single = variants[1]!
  for (const v of variants) {
    const same = v.results.every((r, i) => sameTrajectories(r, base.results[i]!))
    const note = `${ROUNDS} rollouts; trajectories ${same ? 'identical to' : 'DIFFER from'} in-process`
    figures.push(
      { name: `${v.name}: env steps/s`, value: v.envSteps / v.seconds, unit: 'steps/s', note },
      { name: `${v.name}: policy tokens/s (response)`, value: v.responseTokens / v.seconds, unit: 'tok/s' },
      {
        name: `${v.name}: policy tokens/s (prompt + response)`,
        value: (v.promptTokens + v.responseTokens) / v.seconds,
        unit: 'tok/s',
      },
      { name: `${v.name}: seconds per rollout`, value: v.seconds / ROUNDS, unit: 's' },
      {
        name: `${v.name}: busy cores, whole machine`,
        value: v.machineBusySeconds / v.seconds,
        unit: 'cores',
        note: `of ${availableParallelism()}; this process: ${(v.cpuSeconds / v.seconds).toFixed(2)} (worker processes are separate)`,
      },
    )
  }
  for (const v of variants.slice(1)) {
    figures.push({
      name: `speed-up ${v.name} vs 1 worker thread`,
      value: single.seconds / v.seconds,
      unit: 'x',
      note: 'ratio of wall times in the same run',
    })
    figures.push({ name: `speed-up ${v.name} vs in process`, value: base.seconds / v.seconds, unit: 'x' })
  }

  // Queue overhead per job: tiny jobs (one scripted step, tabular policy) through 1 worker process.
  if (redis !== undefined) {
    const overheadArgs = ['--queue', 'overhead', '--concurrency', '1', '--quiet']
    const one = await startWorkerProcess(redis.url, overheadArgs)
    processes.push(one)
    const scripted = createScriptedSuite({ tasks: 4, length: 3, maxSteps: 4 })
    const tabular = createTabularPolicy()
    const jobs = 64
    const tiny: RolloutJob = {
      ...job(0),
      id: 'tiny',
      tasks: scripted.tasks({ split: 'train', baseSeed: 0, groups: jobs, episode: 0 }),
      groupSize: 1,
      maxSteps: 1,
      sampling: { ...job(0).sampling, mode: 'free' },
    }
    const local = createLocalRolloutWorker({ suite: scripted, policy: tabular })
    const queued = createQueueRolloutWorker({
      redis: redis.url,
      runtime: builtinRuntimeSpec({
        suite: 'scripted',
        suiteOptions: { tasks: 4, length: 3, maxSteps: 4 },
        policy: 'tabular',
      }),
      queue: 'overhead',
      runId: 'overhead',
      pollMs: 10,
    })
    await queued.run({ ...tiny, id: 'tiny-warm' }, { policy: tabular })
    let inProcess = 0
    let viaQueue = 0
    for (let r = 0; r < ROUNDS; r++) {
      let started = performance.now()
      for (let g = 0; g < jobs; g++)
        await local.run({ ...tiny, id: `t${r}-${g}`, tasks: [tiny.tasks[g]!], groupOffset: g })
      inProcess += performance.now() - started
      started = performance.now()
      await queued.run({ ...tiny, id: `tiny-${r}` }, { policy: tabular })
      viaQueue += performance.now() - started
    }
    await local.close()
    await queued.close()
    figures.push({
      name: 'queue overhead per job (enqueue → worker → result)',
      value: (viaQueue - inProcess) / (ROUNDS * jobs),
      unit: 'ms',
      note: `${jobs} one-step jobs, 1 worker process at concurrency 1, 10 ms polling`,
    })
    figures.push({
      name: 'queue: jobs per second, 1 worker at concurrency 1',
      value: (ROUNDS * jobs * 1000) / viaQueue,
      unit: 'jobs/s',
    })
  }
} finally {
  for (const v of variants) await v.worker.close()
  await Promise.all(processes.map((p) => p.stop()))
  await redis?.stop()
  policy.dispose()
}

reportBench('@gigpo/trainer-rollout', figures)

/** CPU seconds all processes have spent so far (user + nice + system + irq + softirq + steal), from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/u)
      .slice(1)
      .map(Number)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
    return (user + nice + system + irq + softirq + steal) / 100
  } catch {
    return Number.NaN
  }
}

function sameTrajectories(a: RolloutResult, b: RolloutResult): boolean {
  if (a.trajectories.length !== b.trajectories.length) return false
  return a.trajectories.every((t, i) => {
    const u = b.trajectories[i]!
    return (
      t.id === u.id &&
      t.steps.length === u.steps.length &&
      t.steps.every((s, k) => s.response === u.steps[k]!.response)
    )
  })
}
