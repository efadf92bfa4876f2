import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import { EnvClosedError, GigpoError, InvalidArgumentError, type EnvInfo } from '@gigpo/protocol'
import { savePolicyVersion } from './publish.js'
import { checkRuntimeSpec, type RolloutRuntimeSpec } from './runtime.js'
import { mergeRolloutResults, splitRolloutJob } from './shards.js'
import type { FromThread, ThreadData, ThreadError, ToThread } from './thread-protocol.js'
import type {
  RolloutJob,
  RolloutProgress,
  RolloutResult,
  RolloutRunOptions,
  RolloutWorker,
  RolloutWorkerStatus,
} from './types.js'

/** Options of {@link createThreadRolloutWorker}. */
export interface ThreadRolloutWorkerOptions {
  /** Where the threads get their env suite and policy loader (e.g. `builtinRuntimeSpec({ … })`). */
  readonly runtime: RolloutRuntimeSpec
  /**
   * Worker threads, each with its own envs, policy copy and TF.js backend. On a machine with C cores, C
   * threads (one per core) is the natural choice.
   * @defaultValue `2`
   */
  readonly threads?: number
  /**
   * Shards per thread: each rollout is cut into `threads × shardsPerThread` shards of consecutive groups. More
   * shards balance uneven episode lengths; fewer make larger policy batches.
   * @defaultValue `1`
   */
  readonly shardsPerThread?: number
  /** Times a shard is restarted on another thread after its thread died. @defaultValue `2` */
  readonly retries?: number
  /**
   * Directory for the published policy versions (one sub-directory per version, written once by the policy's
   * `save`). @defaultValue a new temporary directory, removed by `close()`
   */
  readonly workDir?: string
  /** Heap limits of each thread. */
  readonly resourceLimits?: ResourceLimits
}

/** A {@link RolloutWorker} over worker threads, with the number of threads it runs. */
export interface ThreadRolloutWorker<TInfo extends EnvInfo = EnvInfo> extends RolloutWorker<TInfo> {
  readonly threads: number
}

interface Task {
  readonly id: number
  readonly job: RolloutJob
  readonly policyDir: string
  readonly run: RunState
  attempts: number
  resolve(result: RolloutResult): void
  reject(error: unknown): void
}

interface RunState {
  readonly job: RolloutJob
  readonly total: number
  readonly options: RolloutRunOptions
  waiting: number
  active: number
  done: number
  failed: number
  retried: number
  /** Latest progress of each shard, by task id. */
  readonly progress: Map<number, RolloutProgress>
  /** Slots of each shard, by task id. */
  readonly slots: Map<number, number>
}

interface Thread {
  readonly worker: Worker
  ready: boolean
  task: Task | undefined
  alive: boolean
}

/**
 * A rollout worker over Node worker threads (no services needed). Each rollout is cut into shards of
 * consecutive groups (`splitRolloutJob`), one per thread; every thread builds the env suite and loads the
 * policy version from the runtime (`RolloutRuntimeSpec`), runs its shard with its own batched policy calls,
 * and the results are merged (`mergeRolloutResults`): the trajectories equal those of an in-process run, as
 * every request carries its own seed. The learner publishes each policy version once (the policy's `save`, its
 * snapshot when it has one) into a directory the threads load it from. A thread that dies has its shard run
 * again on a fresh thread (`retries` times).
 *
 * Thread entry: the built `dist/rollout-thread.js`, or the TypeScript source through `tsx` when the trainer
 * runs from source (tests, `--conditions=@gigpo/source`).
 *
 * @example
 * ```ts
 * const worker = createThreadRolloutWorker({
 *   threads: 2,
 *   runtime: builtinRuntimeSpec({ suite: 'alfworld', policy: 'tfjs', backend: 'wasm' }),
 * })
 * const trainer = createTrainer({ config, policy, suite, rolloutWorker: worker })
 * await trainer.run()
 * await worker.close()
 * ```
 */
export function createThreadRolloutWorker<TInfo extends EnvInfo = EnvInfo>(
  options: ThreadRolloutWorkerOptions,
): ThreadRolloutWorker<TInfo> {
  const runtime = checkRuntimeSpec(options.runtime, 'createThreadRolloutWorker')
  const threadCount = positiveInt('threads', options.threads ?? 2)
  const shardsPerThread = positiveInt('shardsPerThread', options.shardsPerThread ?? 1)
  const retries = options.retries ?? 2
  if (!Number.isSafeInteger(retries) || retries < 0) {
    throw new InvalidArgumentError(
      `createThreadRolloutWorker: retries must be a non-negative integer, got ${retries}.`,
    )
  }
  const threads: Thread[] = []
  const queue: Task[] = []
  const published = new Map<number, Promise<string>>()
  let workDir: Promise<string> | undefined
  let fatal: GigpoError | undefined
  let closed = false
  let nextTask = 0
  let restarts = 0

  function dir(): Promise<string> {
    workDir ??=
      options.workDir === undefined
        ? mkdtemp(join(tmpdir(), 'gigpo-threads-'))
        : Promise.resolve(options.workDir)
    return workDir
  }

  /** The directory of `version`, saving `policy` into it the first time. */
  async function publish(job: RolloutJob, runOptions: RolloutRunOptions): Promise<string> {
    const version = job.policyVersion
    let entry = published.get(version)
    if (entry === undefined) {
      entry = (async () => {
        const target = join(await dir(), `v${version}`)
        if (runOptions.policy === undefined) {
          throw new InvalidArgumentError(
            `createThreadRolloutWorker: job ${job.id} needs policy version ${version}, which was never published; pass \`policy\` to run().`,
          )
        }
        await savePolicyVersion({ policy: runOptions.policy, dir: target, what: 'createThreadRolloutWorker' })
        await pruneVersions(await dir(), version)
        for (const old of published.keys()) if (old < version - 1) published.delete(old)
        return target
      })()
      published.set(version, entry)
      entry.catch(() => published.delete(version))
    }
    return entry
  }

  function spawn(): void {
    const data: ThreadData = { runtime }
    const worker = startThread(data, options.resourceLimits)
    const thread: Thread = { worker, ready: false, task: undefined, alive: true }
    threads.push(thread)
    worker.on('message', (message: FromThread) => onMessage(thread, message))
    worker.on('error', (error) => {
      if (!thread.ready && fatal === undefined) {
        fatal = new GigpoError('WORKER_START', `A rollout thread failed to start: ${error.message}`, {
          cause: error,
        })
      }
    })
    worker.on('exit', () => onExit(thread))
  }

  function onMessage(thread: Thread, message: FromThread): void {
    switch (message.type) {
      case 'ready':
        thread.ready = true
        dispatch()
        return
      case 'progress': {
        const task = thread.task
        if (task === undefined || task.id !== message.task) return
        task.run.progress.set(task.id, message.progress)
        emitProgress(task.run)
        return
      }
      case 'result':
      case 'failed': {
        const task = thread.task
        if (task === undefined || task.id !== message.task) return
        thread.task = undefined
        task.run.active -= 1
        if (message.type === 'result') {
          task.run.done += 1
          task.resolve(message.result)
        } else {
          task.run.failed += 1
          task.reject(fromThreadError(message.error, task.job))
        }
        emitStatus(task.run)
        dispatch()
        return
      }
      case 'fatal':
        fatal = new GigpoError(
          message.error.code ?? 'WORKER_START',
          `A rollout thread could not build its runtime: ${message.error.message}`,
        )
        failAll(fatal)
        return
      case 'closed':
        return
    }
  }

  function onExit(thread: Thread): void {
    thread.alive = false
    threads.splice(threads.indexOf(thread), 1)
    const task = thread.task
    thread.task = undefined
    if (closed) return
    if (task !== undefined) {
      task.run.active -= 1
      task.run.failed += 1
      if (task.attempts > retries) {
        task.reject(
          new GigpoError(
            'WORKER_DIED',
            `The thread running groups from ${task.job.groupOffset ?? 0} of job ${task.job.id} died ${task.attempts} time(s); giving up.`,
          ),
        )
      } else {
        task.run.retried += 1
        task.run.waiting += 1
        task.run.progress.delete(task.id)
        queue.unshift(task)
      }
      emitStatus(task.run)
    }
    if (fatal !== undefined) {
      failAll(fatal)
      return
    }
    // Replace the dead thread (bounded, so a thread that always dies cannot loop forever).
    if (restarts < threadCount * (retries + 1)) {
      restarts += 1
      spawn()
    } else if (threads.length === 0) {
      failAll(new GigpoError('WORKER_DIED', 'Every rollout thread died; see the previous errors.'))
    }
  }

  function failAll(error: unknown): void {
    for (const task of queue.splice(0)) task.reject(error)
    for (const thread of threads) {
      const task = thread.task
      thread.task = undefined
      task?.reject(error)
    }
  }

  function dispatch(): void {
    for (const thread of threads) {
      if (!thread.alive || !thread.ready || thread.task !== undefined) continue
      const task = queue.shift()
      if (task === undefined) return
      thread.task = task
      task.attempts += 1
      task.run.waiting -= 1
      task.run.active += 1
      const message: ToThread = { type: 'run', task: task.id, job: task.job, policyDir: task.policyDir }
      thread.worker.postMessage(message)
      emitStatus(task.run)
    }
  }

  function emitStatus(run: RunState): void {
    run.options.onStatus?.(statusOf(run))
  }

  function statusOf(run: RunState): RolloutWorkerStatus {
    return {
      backend: 'threads',
      config: `${threadCount} worker thread${threadCount === 1 ? '' : 's'}, ${shardsPerThread} shard(s) each`,
      jobId: run.job.id,
      workers: threads.filter((t) => t.alive && t.ready).length,
      jobs: {
        total: run.total,
        waiting: run.waiting,
        active: run.active,
        done: run.done,
        failed: run.failed,
        retried: run.retried,
      },
      discarded: 0,
    }
  }

  function emitProgress(run: RunState): void {
    if (run.options.onProgress === undefined) return
    let step = 0
    let active = 0
    for (const [task, slots] of run.slots) {
      const progress = run.progress.get(task)
      // A shard that has not reported a step yet still runs all its slots.
      active += progress?.active ?? slots
      step = Math.max(step, progress?.step ?? 0)
    }
    run.options.onProgress({
      jobId: run.job.id,
      step,
      active,
      slots: run.job.tasks.length * run.job.groupSize,
    })
  }

  async function run(job: RolloutJob, runOptions: RolloutRunOptions = {}): Promise<RolloutResult<TInfo>> {
    if (closed) throw new EnvClosedError('This thread rollout worker was closed; create a new one.')
    if (fatal !== undefined) throw fatal
    const policyDir = await publish(job, runOptions)
    while (threads.length < threadCount) spawn()
    const shards = splitRolloutJob(job, { shards: threadCount * shardsPerThread })
    const state: RunState = {
      job,
      total: shards.length,
      options: runOptions,
      waiting: shards.length,
      active: 0,
      done: 0,
      failed: 0,
      retried: 0,
      progress: new Map(),
      slots: new Map(),
    }
    const timer = setInterval(() => emitStatus(state), 1000)
    timer.unref()
    const pending = shards.map(
      (shard) =>
        new Promise<RolloutResult>((resolve, reject) => {
          const id = nextTask++
          state.slots.set(id, shard.tasks.length * shard.groupSize)
          queue.push({ id, job: shard, policyDir, run: state, attempts: 0, resolve, reject })
        }),
    )
    dispatch()
    try {
      const results = await Promise.all(pending)
      emitStatus(state)
      return mergeRolloutResults(job, results) as RolloutResult<TInfo>
    } catch (error) {
      // Drop this run's shards that have not started.
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.run === state) queue.splice(i, 1)
      throw error
    } finally {
      clearInterval(timer)
    }
  }

  return {
    threads: threadCount,
    run,
    async close() {
      if (closed) return
      closed = true
      failAll(new EnvClosedError('The thread rollout worker was closed while a rollout was running.'))
      await Promise.all(
        threads.map(
          (thread) =>
            new Promise<void>((resolve) => {
              const done = setTimeout(() => void thread.worker.terminate().then(() => resolve()), 5000)
              thread.worker.once('exit', () => {
                clearTimeout(done)
                resolve()
              })
              const message: ToThread = { type: 'close' }
              thread.worker.postMessage(message)
            }),
        ),
      )
      threads.length = 0
      if (workDir !== undefined && options.workDir === undefined) {
        await rm(await workDir, { recursive: true, force: true })
      }
    },
  }
}

/** Starts a thread on the built entry, or on the TypeScript source through tsx when running from source. */
function startThread(data: ThreadData, resourceLimits: ResourceLimits | undefined): Worker {
  const limits = resourceLimits === undefined ? {} : { resourceLimits }
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./rollout-thread.js', import.meta.url), { workerData: data, ...limits })
  }
  // From source (Node 20 applies no `--import` loader to a worker's entry): register tsx, then import the entry.
  const entry = new URL('./thread-entry.ts', import.meta.url).href
  const code =
    `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })` +
    '.catch((error) => { process.nextTick(() => { throw error }) })'
  return new Worker(code, {
    eval: true,
    workerData: data,
    execArgv: ['--conditions=@gigpo/source'],
    ...limits,
  })
}

function tsxApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api')
  } catch (error) {
    throw new GigpoError(
      'NOT_FOUND',
      'Running the trainer from TypeScript source, rollout threads need tsx (a dev dependency); build the package or install tsx.',
      { cause: error },
    )
  }
}

function fromThreadError(error: ThreadError, job: RolloutJob): GigpoError {
  const out = new GigpoError(
    error.code ?? 'ROLLOUT_FAILED',
    `Rollout ${job.id} (groups from ${job.groupOffset ?? 0}) failed in a worker thread: ${error.message}`,
  )
  return out
}

async function pruneVersions(dir: string, version: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const match = /^v(\d+)$/.exec(name)
    if (match !== null && Number(match[1]) < version - 1) {
      await rm(join(dir, name), { recursive: true, force: true })
    }
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(
      `createThreadRolloutWorker: ${name} must be a positive integer, got ${value}.`,
    )
  }
  return value
}
