/**
 * A worker process of the CLI's parallel mode (`--jobs n`): loads the real components once, then runs the chains
 * (an SFT base, or one run) the parent sends, one after another, reporting progress, finished runs and failures
 * over IPC. It exits when the parent sends `close` or disconnects.
 */
import { getPreset } from './presets.js'
import type { Progress } from './progress.js'
import { createRealComponents, describePolicyDir } from './real-components.js'
import { presetLayout } from './results.js'
import { runChain, type Chain } from './runner.js'
import type { BenchPolicySource, BenchRollouts, EnvId, PolicyLoadSettings } from './types.js'

/** What the parent passes (as JSON in `argv[2]`). */
export interface JobInput {
  readonly preset: string
  readonly seeds: readonly number[]
  readonly envs: readonly EnvId[]
  readonly outDir: string
  readonly backend?: string
  readonly command: string
  /** Where training rollouts run. @defaultValue in the job's process */
  readonly rollouts?: BenchRollouts
  /** The `--policy` directory (absolute) every base starts from. @defaultValue the preset's model */
  readonly policy?: BenchPolicySource
  /** How the `--policy` directory is loaded (the memory plan's budget). */
  readonly policyLoad?: PolicyLoadSettings
}

/** Messages from the parent to a job. */
export type JobRequest = { readonly kind: 'chain'; readonly chain: Chain } | { readonly kind: 'close' }

/** Messages from a job to the parent. */
export type JobMessage =
  | { readonly kind: 'advance'; readonly units: number }
  | { readonly kind: 'status'; readonly text: string }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'run-done' }
  | {
      /** The end of a chain: its failures (possibly none). */
      readonly kind: 'failures'
      readonly failures: readonly { readonly id: string; readonly message: string }[]
    }

function send(message: JobMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve()
    else process.send(message, undefined, {}, () => resolve())
  })
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as JobInput
  const preset = getPreset(input.preset)
  const components = await createRealComponents(input.backend === undefined ? {} : { backend: input.backend })
  // The parent checked the directory already; describing it again here is cheap (no weights are read).
  const policy = input.policy === undefined ? undefined : await describePolicyDir(input.policy)
  let done = 0
  let lastStatus = 0
  const progress: Progress = {
    get done() {
      return done
    },
    setTotal: () => undefined,
    advance(units) {
      done += units
      void send({ kind: 'advance', units })
    },
    status(text) {
      const now = performance.now()
      if (now - lastStatus < 200) return
      lastStatus = now
      void send({ kind: 'status', text })
    },
    log: (line) => void send({ kind: 'log', line }),
    finish: () => undefined,
  }
  const runOne = async (chain: Chain) => {
    const failures = await runChain({
      preset,
      layout: presetLayout(`${input.outDir}/${preset.name}`),
      context: { preset, seeds: input.seeds, envs: input.envs },
      chain,
      components,
      progress,
      command: input.command,
      ...(input.rollouts === undefined ? {} : { rollouts: input.rollouts }),
      ...(policy === undefined ? {} : { policy }),
      ...(input.policyLoad === undefined ? {} : { policyLoad: input.policyLoad }),
      onRunDone: () => send({ kind: 'run-done' }),
    })
    await send({
      kind: 'failures',
      failures: failures.map((f) => ({
        id: f.id,
        message: f.error instanceof Error ? (f.error.stack ?? f.error.message) : String(f.error),
      })),
    })
  }
  // Chains arrive one at a time (the parent waits for `failures` before sending the next); run them in order.
  let queue = Promise.resolve()
  process.on('message', (request: JobRequest) => {
    if (request.kind === 'close') {
      void queue.then(() => process.disconnect?.())
      return
    }
    queue = queue.then(() => runOne(request.chain))
  })
  process.once('disconnect', () => {
    void queue.then(() => process.exit(process.exitCode ?? 0))
  })
}

main().catch(async (error: unknown) => {
  await send({
    kind: 'log',
    line: `job failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  })
  process.exitCode = 1
  process.disconnect?.()
})
