/**
 * `pnpm bench [-- <preset>] [options]`: runs the selected experiments of a preset and writes RESULTS.md. See
 * `--help` and the README.
 */
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GigpoError } from '@gigpo/protocol'
import { EXPERIMENTS } from '../experiments/index.js'
import { parseCliArgs, USAGE } from './cli-args.js'
import type { BenchComponents } from './components.js'
import { REPO_ROOT } from './fingerprint.js'
import { runMicroBenchmarks } from './micro.js'
import { selectExperiments } from './plan.js'
import { envBudget, PRESETS } from './presets.js'
import { createProgress, formatDuration } from './progress.js'
import { runBench } from './runner.js'
import { createForkWorkers } from './spawn.js'

const APP_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))

function listEverything(): string {
  const lines = ['Presets:']
  for (const p of Object.values(PRESETS)) {
    const a = envBudget(p, 'alfworld').trainer
    lines.push(
      `  ${p.name.padEnd(9)} seeds ${p.seeds.join(',')}; ALFWorld ${a.rollout?.groupsPerIteration ?? 16}×${a.rollout?.groupSize ?? 8}, ` +
        `${a.trainer?.iterations ?? 150} iterations; experiments ${p.experiments.join(', ')}` +
        (p.measured === undefined ? '' : `; measured ${p.measured}`),
    )
  }
  lines.push('', 'Experiments:')
  for (const e of EXPERIMENTS) lines.push(`  ${e.id.padEnd(17)} ${e.summary} [${e.paperRef}]`)
  return lines.join('\n')
}

const unavailable: BenchComponents = {
  backend: () => Promise.resolve('none (report only)'),
  suite: () => {
    throw new Error('--report-only does not run environments')
  },
  createPolicy: () => Promise.reject(new Error('--report-only does not create policies')),
  loadPolicy: () => Promise.reject(new Error('--report-only does not load policies')),
}

async function main(): Promise<number> {
  const args = parseCliArgs(process.argv.slice(2))
  if (args.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (args.list) {
    process.stdout.write(`${listEverything()}\n`)
    return 0
  }
  const experiments = selectExperiments(EXPERIMENTS, args.experiments, args.preset.experiments)
  const progress = createProgress({ stream: process.stderr, total: 0 })
  if (args.runMicro) {
    progress.log("Running every package's micro-benchmarks (pnpm bench:packages)…")
    const code = await runMicroBenchmarks({
      repoRoot: REPO_ROOT,
      onLine: (line) => progress.log(`  ${line}`),
    })
    if (code !== 0) progress.log(`pnpm bench:packages exited with ${code}; the table shows what was written.`)
  }
  const components = args.reportOnly
    ? unavailable
    : await (
        await import('./real-components.js')
      ).createRealComponents(args.backend === undefined ? {} : { backend: args.backend })
  process.once('SIGINT', () => {
    progress.finish()
    process.stderr.write('\nInterrupted. Rerun the same command to continue where it stopped.\n')
    process.exit(130)
  })
  const outDir = resolve(args.out ?? resolve(APP_ROOT, 'runs'))
  const command =
    `pnpm bench ${['--', ...process.argv.slice(2).filter((a) => a !== '--')].join(' ')}`.replace(/ --$/, '')
  const jobs = args.jobs ?? Math.min(2, availableParallelism())
  const policy = args.policy === undefined ? undefined : { ...args.policy, dir: resolve(args.policy.dir) }
  const policyLoad =
    args.memoryBudgetBytes === undefined ? undefined : { memoryBudgetBytes: args.memoryBudgetBytes }
  const result = await runBench({
    preset: args.preset,
    seeds: args.seeds,
    envs: args.envs,
    experiments,
    outDir,
    components,
    fresh: args.fresh,
    reportOnly: args.reportOnly,
    ...(args.rollouts === undefined ? {} : { rollouts: args.rollouts }),
    ...(policy === undefined ? {} : { policy }),
    ...(policyLoad === undefined ? {} : { policyLoad }),
    jobs,
    startWorker: createForkWorkers({
      preset: args.preset.name,
      seeds: args.seeds,
      envs: args.envs,
      outDir,
      command,
      ...(args.backend === undefined ? {} : { backend: args.backend }),
      ...(args.rollouts === undefined ? {} : { rollouts: args.rollouts }),
      ...(policy === undefined ? {} : { policy }),
      ...(policyLoad === undefined ? {} : { policyLoad }),
    }),
    progress,
    command,
    repoRoot: REPO_ROOT,
  })
  process.stderr.write(
    `\nDone in ${formatDuration(result.wallSeconds * 1000)}. Results: ${result.results}\n` +
      (result.failures.length === 0
        ? ''
        : `${result.failures.length} run(s) failed: ${result.failures.map((f) => f.id).join(', ')}. Rerun to retry them.\n`),
  )
  return result.failures.length === 0 ? 0 : 1
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    // A typed error (bad option, unloadable --policy directory) says what to fix: its message is enough.
    const text =
      error instanceof GigpoError
        ? `${error.name}: ${error.message}`
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error)
    process.stderr.write(`\n${text}\n`)
    process.exitCode = 1
  },
)
