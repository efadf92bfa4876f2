/**
 * The CLI's parallel mode: each worker is a child process (`job.ts`) that runs the chains it is given one after
 * another, so two workers use two cores — TF.js's WebAssembly backend runs one thread per process — and each
 * process loads the environments and the backend once.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { JobInput, JobMessage, JobRequest } from './job.js'
import type { Progress } from './progress.js'
import type { Chain, ChainWorker, Failure } from './runner.js'

/** A running chain of a worker: where its messages go and how it ends. */
interface Current {
  readonly chain: Chain
  readonly progress: Progress
  readonly onRunDone: () => Promise<unknown>
  readonly pending: Promise<unknown>[]
  readonly resolve: (failures: readonly Failure[]) => void
}

/**
 * Starts workers that fork `job.ts` with this process's Node flags (`--conditions`, `--import tsx`). A worker
 * whose process dies reports the chain it was running as failed and forks a fresh process for the next one.
 */
export function createForkWorkers(input: JobInput): () => ChainWorker {
  const entry = fileURLToPath(new URL('./job.ts', import.meta.url))
  let started = 0
  return () => {
    const id = ++started
    let child: ChildProcess | undefined
    let current: Current | undefined
    const finish = (failures: readonly Failure[]) => {
      const ending = current
      current = undefined
      if (ending !== undefined) void Promise.allSettled(ending.pending).then(() => ending.resolve(failures))
    }
    const spawnChild = (): ChildProcess => {
      const proc = fork(entry, [JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
      const forward = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line.trim() !== '') current?.progress.log(`[job ${id}] ${line}`)
      }
      proc.stdout?.on('data', forward)
      proc.stderr?.on('data', forward)
      proc.on('message', (message: JobMessage) => {
        const c = current
        if (c === undefined) return
        switch (message.kind) {
          case 'advance':
            c.progress.advance(message.units)
            break
          case 'status':
            c.progress.status(message.text)
            break
          case 'log':
            c.progress.log(message.line)
            break
          case 'run-done':
            c.pending.push(c.onRunDone())
            break
          case 'failures':
            finish(message.failures.map((f) => ({ id: f.id, error: new Error(f.message) })))
            break
        }
      })
      proc.on('exit', (code, signal) => {
        if (child === proc) child = undefined
        const c = current
        if (c !== undefined) {
          finish([
            {
              id: `${c.chain.env}/seed-${c.chain.seed}`,
              error: new Error(`job exited with ${signal ?? `code ${code ?? '?'}`} before reporting`),
            },
          ])
        }
      })
      return proc
    }
    return {
      run(chain, progress, onRunDone) {
        return new Promise((resolve) => {
          current = { chain, progress, onRunDone, pending: [], resolve }
          child ??= spawnChild()
          const request: JobRequest = { kind: 'chain', chain }
          child.send(request)
        })
      },
      close() {
        const proc = child
        if (proc === undefined) return Promise.resolve()
        return new Promise((resolve) => {
          proc.once('exit', () => resolve())
          const request: JobRequest = { kind: 'close' }
          proc.send(request)
        })
      },
    }
  }
}
