/**
 * Runs a bench invocation: makes the SFT bases, trains every planned run that is not complete (resuming partial
 * ones from the trainer's checkpoints), evaluates, and regenerates the report after each finished run.
 *
 * 1. Plan: the selected experiments' runs, deduplicated; which are already complete (`eval.json`).
 * 2. For each (environment, seed): the SFT base — expert demonstrations, supervised fine-tuning, saved, evaluated.
 * 3. For each run: load the base, train with the trainer (checkpoints in the run directory), evaluate.
 * 4. RESULTS.md and plots.
 */
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidArgumentError } from '@gigpo/protocol'
import {
  collectDemonstrations,
  createEstimator,
  createMetricsLog,
  createTrainer,
  demonstrationResponse,
  resolveTrainerConfig,
  type EnvSuite,
  type RolloutBackendOptions,
  type SftExample,
  type TrainerConfig,
  type TrainerEvent,
} from '@gigpo/trainer'
import type { BenchComponents, BenchPolicy, LoadBenchPolicyOptions } from './components.js'
import { createDiagnosingEstimator } from './diagnostics.js'
import { evaluatePolicy } from './evaluate.js'
import { runId } from './experiment.js'
import { takeFingerprint } from './fingerprint.js'
import { baseUnits, checkDone, evalUnits, planRuns, workUnits, type PlannedWork } from './plan.js'
import { envBudget } from './presets.js'
import { describePolicyInfo } from './policy-source.js'
import { formatWorkerStatus, type Progress } from './progress.js'
import { writeReport } from './report.js'
import { presetLayout, readJsonIfExists, type Invocation, type PresetLayout } from './results.js'
import { runSeeds, trainerConfigFor } from './run-config.js'
import { restrictSuite } from './task-subset.js'
import type {
  BaseInfo,
  BenchPolicySource,
  BenchPreset,
  BenchRollouts,
  EnvId,
  Evaluation,
  Experiment,
  PlanContext,
  PolicyLoadSettings,
  PolicySourceInfo,
  RunSpec,
  SftBudget,
} from './types.js'

/** A failed base or run, by id. */
export interface Failure {
  readonly id: string
  readonly error: unknown
}

/** The work of one (environment, seed): its SFT base (when not made yet), then its unfinished runs, in order. */
export interface Chain {
  readonly env: EnvId
  readonly seed: number
  readonly baseDone: boolean
  readonly runs: readonly RunSpec[]
}

/**
 * A worker that runs chains one after another somewhere else (the CLI's: a child process that keeps its
 * environments and TF.js backend between chains), reporting through `progress` and calling `onRunDone` after each
 * finished run.
 */
export interface ChainWorker {
  /** Runs `chain`; resolves to its failures. */
  run(chain: Chain, progress: Progress, onRunDone: () => Promise<unknown>): Promise<readonly Failure[]>
  /** Stops the worker (after its last chain). */
  close(): Promise<void>
}

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  readonly preset: BenchPreset
  readonly seeds: readonly number[]
  readonly envs: readonly EnvId[]
  readonly experiments: readonly Experiment[]
  /** Output root; the preset's files go to `<outDir>/<preset>`. */
  readonly outDir: string
  readonly components: BenchComponents
  /** Discard this preset's previous results first. @defaultValue `false` */
  readonly fresh?: boolean
  /** Only regenerate the report from the files. @defaultValue `false` */
  readonly reportOnly?: boolean
  /**
   * Where training rollouts run (worker threads, a Redis queue); needs `components.rolloutRuntime`.
   * @defaultValue in the training process
   */
  readonly rollouts?: BenchRollouts
  /**
   * Workers run at once. With more than one, the work is cut into units (each SFT base; each run) that `jobs`
   * workers from `startWorker` take in plan order as soon as a unit's SFT base exists (the CLI forks a process per
   * worker: TF.js's backend is process-wide and single-threaded on WebAssembly). @defaultValue `1`
   */
  readonly jobs?: number
  readonly startWorker?: () => ChainWorker
  /**
   * The base policy of every method loaded from a directory (`--policy`) instead of the preset's model from
   * scratch; needs `components.describePolicy`. @defaultValue the preset's model, from an SFT warm start
   */
  readonly policy?: BenchPolicySource
  /** How a `--policy` directory is loaded (the memory plan's budget). */
  readonly policyLoad?: PolicyLoadSettings
  readonly progress: Progress
  /** The command line, for the fingerprint. */
  readonly command: string
  readonly repoRoot: string
}

/** What {@link runBench} did. */
export interface RunBenchResult {
  readonly layout: PresetLayout
  readonly results: string
  readonly runs: readonly RunSpec[]
  /** Runs that failed (the others still ran); the CLI exits non-zero when any did. */
  readonly failures: readonly Failure[]
  readonly wallSeconds: number
}

/** Groups the unfinished work by (environment, seed), in plan order. */
export function planChains(work: PlannedWork): Chain[] {
  const chains: Chain[] = []
  for (const base of work.bases) {
    const runs = work.runs
      .filter((r) => !r.done && r.spec.env === base.env && r.spec.seed === base.seed)
      .map((r) => r.spec)
    if (!base.done || runs.length > 0)
      chains.push({ env: base.env, seed: base.seed, baseDone: base.done, runs })
  }
  return chains
}

/** Runs the bench (see the module comment). */
export async function runBench(options: RunBenchOptions): Promise<RunBenchResult> {
  const started = performance.now()
  const { preset, progress, components } = options
  const layout = presetLayout(`${options.outDir}/${preset.name}`)
  const context: PlanContext = { preset, seeds: options.seeds, envs: options.envs }
  const runs = planRuns(options.experiments, context)
  const report = () =>
    writeReport({
      layout,
      preset,
      seeds: options.seeds,
      envs: options.envs,
      experiments: options.experiments,
      runs,
      repoRoot: options.repoRoot,
    })
  if (options.reportOnly === true) {
    const results = await report()
    return { layout, results, runs, failures: [], wallSeconds: (performance.now() - started) / 1000 }
  }
  const policyInfo =
    options.policy === undefined ? undefined : await describePolicySource(components, options.policy)
  if (options.fresh === true) await rm(layout.root, { recursive: true, force: true })
  await checkPolicySource({ layout, policy: options.policy })
  await mkdir(layout.root, { recursive: true })
  const source: PolicySourceFile = {
    format: 'gigpo-bench-policy-source/v1',
    policy: options.policy ?? null,
  }
  await writeFile(policySourcePath(layout), `${JSON.stringify(source, null, 2)}\n`)
  if (policyInfo !== undefined) progress.log(`Base policy: ${describePolicyInfo(policyInfo)}`)

  const fingerprint = takeFingerprint({
    backend: await components.backend(),
    command: options.command,
    ...(policyInfo === undefined ? {} : { policy: policyInfo }),
  })
  await writeFile(layout.fingerprint, `${JSON.stringify(fingerprint, null, 2)}\n`)

  const work = await checkDone(layout, runs)
  const units = workUnits({ context, work })
  progress.setTotal(units.total)
  progress.advance(units.done)
  const skipped = work.runs.filter((r) => r.done).length
  const chains = planChains(work)
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, planUnits(chains).length))
  progress.log(
    `${preset.name}: ${runs.length} runs (${skipped} already complete), ${work.bases.length} SFT bases, ` +
      `${jobs} job(s) → ${layout.root}`,
  )

  const invocation: Invocation = {
    format: 'gigpo-bench-invocation/v1',
    started: new Date().toISOString(),
    jobs,
    runsToDo: runs.length - skipped,
  }
  await writeFile(layout.invocation, `${JSON.stringify(invocation, null, 2)}\n`)
  const failures: Failure[] = []
  if (jobs === 1 || options.startWorker === undefined) {
    for (const chain of chains) {
      failures.push(
        ...(await runChain({
          ...withoutPolicy(options),
          layout,
          context,
          chain,
          onRunDone: report,
          ...(policyInfo === undefined ? {} : { policy: policyInfo }),
        })),
      )
    }
  } else {
    failures.push(
      ...(await runUnits({
        units: planUnits(chains),
        jobs,
        startWorker: options.startWorker,
        progress,
        onRunDone: report,
      })),
    )
  }
  const wallSeconds = (performance.now() - started) / 1000
  const finished: Invocation = {
    ...invocation,
    finished: new Date().toISOString(),
    wallSeconds,
    ...(failures.length === 0 ? {} : { failures: failures.map((f) => f.id) }),
  }
  await writeFile(layout.invocation, `${JSON.stringify(finished, null, 2)}\n`)
  const results = await report()
  progress.finish()
  return { layout, results, runs, failures, wallSeconds: (performance.now() - started) / 1000 }
}

function withoutPolicy(options: RunBenchOptions): Omit<RunBenchOptions, 'policy'> {
  const { policy: _policy, ...rest } = options
  return rest
}

/** `policy-source.json` of a preset directory: where its bases came from (`null`: the preset's model). */
export interface PolicySourceFile {
  readonly format: 'gigpo-bench-policy-source/v1'
  readonly policy: BenchPolicySource | null
}

/** Path of a preset directory's {@link PolicySourceFile}. */
export function policySourcePath(layout: PresetLayout): string {
  return join(layout.root, 'policy-source.json')
}

/** Checks and describes a `--policy` directory; its problems become an `InvalidArgumentError` naming the option. */
async function describePolicySource(
  components: BenchComponents,
  policy: BenchPolicySource,
): Promise<PolicySourceInfo> {
  if (components.describePolicy === undefined) {
    throw new InvalidArgumentError('--policy: these components cannot load a policy from a directory.')
  }
  try {
    return await components.describePolicy(policy)
  } catch (error) {
    throw policyError(policy, error)
  }
}

function policyError(policy: BenchPolicySource, error: unknown): InvalidArgumentError {
  const message = error instanceof Error ? error.message : String(error)
  return new InvalidArgumentError(`--policy ${policy.dir}: ${message}`, { cause: error })
}

/**
 * Refuses to continue a preset directory whose bases came from another policy source (another `--policy`
 * directory, LoRA rank or SFT choice, or the preset's model): its bases and runs would mix two starting points. A
 * directory from before `policy-source.json` existed counts as the preset's model when it holds SFT bases.
 */
export async function checkPolicySource(input: {
  readonly layout: PresetLayout
  readonly policy: BenchPolicySource | undefined
}): Promise<void> {
  const { layout } = input
  const recorded = await readJsonIfExists<PolicySourceFile>(policySourcePath(layout))
  const previous =
    recorded !== undefined ? recorded.policy : existsSync(join(layout.root, 'bases')) ? null : undefined
  if (previous === undefined) return
  const current = input.policy ?? null
  if (JSON.stringify(previous) === JSON.stringify(current)) return
  const name = (p: BenchPolicySource | null) =>
    p === null
      ? "the preset's model (no --policy)"
      : `--policy ${p.dir}${p.loraRank === undefined ? '' : ` --lora ${p.loraRank}`}${p.sft ? ' --sft' : ''}`
  throw new InvalidArgumentError(
    `${layout.root} was started from ${name(previous)}, not ${name(current)}: its bases and runs would mix two ` +
      `starting points. Rerun with --fresh to start this preset over, use another --out, or repeat the original options.`,
  )
}

/**
 * The units of parallel work, in plan order: every SFT base still to make, then every unfinished run as its own
 * unit (a run needs its base: {@link runUnits} starts it once the base exists).
 */
export function planUnits(chains: readonly Chain[]): Chain[] {
  const bases = chains.filter((c) => !c.baseDone).map((c) => ({ ...c, runs: [] }))
  const runs = chains.flatMap((c) =>
    c.runs.map((spec) => ({ env: c.env, seed: c.seed, baseDone: true, runs: [spec] })),
  )
  return [...bases, ...runs]
}

/** Options of {@link runUnits}. */
export interface RunUnitsOptions {
  /** Units from {@link planUnits}: bases, then single runs. */
  readonly units: readonly Chain[]
  readonly jobs: number
  readonly startWorker: () => ChainWorker
  readonly progress: Progress
  /** Called after each finished run and unit (the report is regenerated). */
  readonly onRunDone: () => Promise<unknown>
}

/**
 * Runs units on `jobs` workers: each worker takes the first unit that can start (a base at once; a run once the
 * base of its environment and seed is made — the runs of a base that failed are dropped, its failure reported), so
 * two environments of unequal cost still keep both workers busy. Resolves to every failure.
 */
export async function runUnits(options: RunUnitsOptions): Promise<Failure[]> {
  const queue = [...options.units]
  const key = (unit: Chain) => `${unit.env}/seed-${unit.seed}`
  const makingBase = new Set(queue.filter((u) => !u.baseDone).map(key))
  const failedBases = new Set<string>()
  const waiting: (() => void)[] = []
  const failures: Failure[] = []
  const statuses = new Map<number, string>()
  const next = (): Chain | 'wait' | undefined => {
    for (let i = 0; i < queue.length; i++) {
      const unit = queue[i]!
      if (unit.baseDone && failedBases.has(key(unit))) {
        queue.splice(i--, 1)
        continue
      }
      if (!unit.baseDone || !makingBase.has(key(unit))) return queue.splice(i, 1)[0]
    }
    return queue.length === 0 ? undefined : 'wait'
  }
  const work = async (index: number) => {
    let worker: ChainWorker | undefined
    try {
      for (let unit = next(); unit !== undefined; unit = next()) {
        if (unit === 'wait') {
          await new Promise<void>((resolve) => waiting.push(resolve))
          continue
        }
        const sub: Progress = {
          get done() {
            return options.progress.done
          },
          setTotal: () => undefined,
          advance: (n) => options.progress.advance(n),
          status: (text) => {
            statuses.set(index, text)
            options.progress.status([...statuses.values()].join(' | '))
          },
          log: (line) => options.progress.log(line),
          finish: () => undefined,
        }
        worker ??= options.startWorker()
        let unitFailures: readonly Failure[]
        try {
          unitFailures = await worker.run(unit, sub, options.onRunDone)
        } catch (error) {
          unitFailures = [{ id: key(unit), error }]
        }
        failures.push(...unitFailures)
        statuses.delete(index)
        if (!unit.baseDone) {
          makingBase.delete(key(unit))
          if (unitFailures.length > 0) failedBases.add(key(unit))
          for (const wake of waiting.splice(0)) wake()
        }
        await options.onRunDone()
      }
    } finally {
      await worker?.close()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, (_, i) => work(i)))
  return failures
}

/** Options of {@link runChain}. */
export interface RunChainOptions {
  readonly preset: BenchPreset
  readonly layout: PresetLayout
  readonly context: PlanContext
  readonly chain: Chain
  readonly components: BenchComponents
  readonly progress: Progress
  readonly command: string
  /** Called after each finished run (the in-process runner regenerates the report). */
  readonly onRunDone?: () => Promise<unknown>
  /** Where training rollouts run. @defaultValue in this process */
  readonly rollouts?: BenchRollouts
  /** The `--policy` directory every base starts from, as checked by the invocation. @defaultValue the preset's model */
  readonly policy?: PolicySourceInfo
  /** How a `--policy` directory is loaded (the memory plan's budget). */
  readonly policyLoad?: PolicyLoadSettings
}

/** The directory a run's base policy is loaded from, and the options to load it with. */
function basePolicy(
  options: Pick<RunChainOptions, 'policy' | 'layout' | 'progress' | 'preset' | 'context' | 'policyLoad'>,
  env: EnvId,
  seed: number,
): { readonly dir: string; readonly load: LoadBenchPolicyOptions } {
  const { policy } = options
  if (policy === undefined || policy.sft) return { dir: options.layout.base(env, seed).policy, load: {} }
  return { dir: policy.dir, load: policyLoadOptions(options, policy) }
}

/** Memory plans already printed by this process (one per directory and rank). */
const printedPlans = new Set<string>()

/**
 * The memory plan's workload for a preset's environments: the largest training rollout (groups × N sequences
 * generated together) and the longest sequence it allows (prompt cap + response cap).
 */
export function memoryWorkload(
  preset: BenchPreset,
  envs: readonly EnvId[],
): { readonly batch: number; readonly context: number } {
  let batch = 1
  let context = 1
  for (const env of envs) {
    const { rollout } = baseConfig(preset, env, 0)
    batch = Math.max(batch, rollout.groupsPerIteration * rollout.groupSize)
    context = Math.max(context, rollout.maxPromptTokens + rollout.maxNewTokens)
  }
  return { batch, context }
}

/** Options to load a `--policy` directory: its LoRA rank, the preset's workload, its memory plan printed once. */
function policyLoadOptions(
  options: Pick<RunChainOptions, 'progress' | 'preset' | 'context' | 'policyLoad'>,
  policy: BenchPolicySource,
): LoadBenchPolicyOptions {
  const budgetBytes = options.policyLoad?.memoryBudgetBytes
  const key = `${policy.dir}#${policy.loraRank ?? 'full'}`
  return {
    ...(policy.loraRank === undefined ? {} : { loraRank: policy.loraRank }),
    workload: {
      ...memoryWorkload(options.preset, options.context.envs),
      ...(budgetBytes === undefined ? {} : { budgetBytes }),
    },
    onMemoryPlan: (text) => {
      if (printedPlans.has(key)) return
      printedPlans.add(key)
      options.progress.log(text)
    },
  }
}

/** Loads a `--policy` directory; its errors name the option. */
async function loadPolicySource(
  options: Pick<RunChainOptions, 'components' | 'progress' | 'preset' | 'context' | 'policyLoad'>,
  policy: BenchPolicySource,
): Promise<BenchPolicy> {
  try {
    return await options.components.loadPolicy(policy.dir, policyLoadOptions(options, policy))
  } catch (error) {
    throw policyError(policy, error)
  }
}

/** Runs one chain in this process: the SFT base if needed, then each run. Returns what failed. */
export async function runChain(options: RunChainOptions): Promise<Failure[]> {
  const { chain, progress, context } = options
  const failures: Failure[] = []
  if (!chain.baseDone) {
    try {
      await makeBase({ ...options, env: chain.env, seed: chain.seed })
      progress.advance(baseUnits(context, chain.env))
    } catch (error) {
      const id = `bases/${chain.env}/seed-${chain.seed}`
      progress.log(`SFT base ${chain.env} seed ${chain.seed} failed: ${describe(error)}`)
      return [{ id, error }]
    }
  }
  for (const spec of chain.runs) {
    try {
      await trainRun({ ...options, spec })
      await options.onRunDone?.()
    } catch (error) {
      failures.push({ id: runId(spec), error })
      progress.log(`run ${runId(spec)} failed: ${describe(error)}`)
    }
  }
  return failures
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

/** The resolved trainer config of (env, seed)'s SFT base evaluation: GiGPO's defaults of the preset. */
function baseConfig(preset: BenchPreset, env: EnvId, seed: number): TrainerConfig {
  return resolveTrainerConfig(
    trainerConfigFor(preset, { env, seed, variant: { id: 'base', label: 'SFT base', estimator: 'gigpo' } }),
  )
}

/** The suites a preset's runs of `env` use. */
export interface EnvSuites {
  /** Training rollouts: the preset's task subset drawn at random, or the environment's own draw. */
  readonly train: EnvSuite
  /**
   * Demonstrations and evaluation: the subset cycled in order (every task equally often), or the environment's
   * own draw on its split.
   */
  readonly evaluation: EnvSuite
}

/** The suites of `env` under `preset` (restricted to the preset's task subset when it has one). */
export function envSuites(options: {
  readonly components: BenchComponents
  readonly preset: BenchPreset
  readonly env: EnvId
}): EnvSuites {
  const suite = options.components.suite(options.env)
  const subset = envBudget(options.preset, options.env).tasks
  if (subset === undefined) return { train: suite, evaluation: suite }
  return {
    train: restrictSuite(suite, { subset, draw: 'random' }),
    evaluation: restrictSuite(suite, { subset, draw: 'cycle' }),
  }
}

/** Makes (or finishes making) the SFT base of (env, seed): demonstrations → SFT → save → evaluate. */
async function makeBase(
  options: RunChainOptions & { readonly env: EnvId; readonly seed: number },
): Promise<void> {
  const { env, seed, preset, components, progress } = options
  const paths = options.layout.base(env, seed)
  const budget = envBudget(preset, env)
  const suite = envSuites({ components, preset, env }).evaluation
  const config = baseConfig(preset, env, seed)
  let info = await readJsonIfExists<BaseInfo>(paths.info)
  const source = options.policy
  if (info === undefined && source !== undefined && !source.sft) {
    // The loaded model is the base (the paper starts RL from the instruct model): no demonstrations, no SFT.
    await mkdir(paths.dir, { recursive: true })
    info = { format: 'gigpo-bench-base/v1', env, seed, metrics: {}, seconds: 0, policy: source }
    await writeFile(paths.info, `${JSON.stringify(info, null, 2)}\n`)
  }
  if (info === undefined) {
    const started = performance.now()
    progress.status(`${env} seed ${seed}: SFT base · expert demonstrations`)
    const decoding = config.rollout.decoding
    const demos = await collectDemonstrations({
      suite,
      episodes: budget.sft.demonstrations,
      split: config.env.trainSplit,
      baseSeed: runSeeds(seed).envSeed + 100_000,
      // By default the expert gets the reference's step cap (50 / 15), not a shorter training cap: only won
      // episodes become examples, and a short cap would drop the longer tasks' demonstrations.
      maxSteps: budget.sft.maxSteps ?? Math.max(config.env.maxSteps, env === 'alfworld' ? 50 : 15),
      historyLength: config.env.historyLength,
      response:
        components.demonstrationResponse?.(decoding) ??
        ((action: string) => demonstrationResponse(action, { decoding })),
      perturbation: { probability: budget.sft.perturbation ?? 0, seed },
    })
    if (demos.examples.length === 0) {
      throw new Error(`${env}: the expert won none of ${demos.episodes} demonstration episodes; no SFT data.`)
    }
    const policy =
      source === undefined
        ? await components.createPolicy({
            env,
            seed,
            preset,
            corpus: demos.examples.flatMap((e) => [e.prompt, e.response]),
          })
        : await loadPolicySource(options, source)
    try {
      progress.status(`${env} seed ${seed}: SFT base · fine-tuning on ${demos.examples.length} examples`)
      const sft = await fineTune({
        policy,
        examples: demos.examples,
        sft: budget.sft,
        seed,
        probe: (episodes) =>
          evaluatePolicy({
            env,
            suite,
            policy,
            config,
            episodes,
            rollouts: 1,
            samplingSeed: PROBE_SAMPLING_SEED,
          }).then(successOf),
        onChunk: (epochs, probe) =>
          progress.status(
            `${env} seed ${seed}: SFT base · ${epochs}/${budget.sft.epochs} epochs` +
              (probe === undefined ? '' : ` · probe success ${(100 * probe).toFixed(0)}%`),
          ),
      })
      await policy.save(paths.policy)
      info = {
        format: 'gigpo-bench-base/v1',
        env,
        seed,
        metrics: {
          examples: demos.examples.length,
          expert_success_rate: demos.successRate,
          perturbations: demos.perturbations,
          epochs_run: sft.epochs,
          ...Object.fromEntries(
            sft.probes.map((p) => [`probe_success_after_${p.epochs}_epochs`, p.successRate]),
          ),
          ...summarizeSft({ losses: sft.losses }),
        },
        seconds: (performance.now() - started) / 1000,
        ...(policy.parameterCount === undefined ? {} : { parameters: policy.parameterCount }),
        sft: budget.sft,
        ...(source === undefined ? {} : { policy: source }),
      }
      await writeFile(paths.info, `${JSON.stringify(info, null, 2)}\n`)
    } finally {
      policy.dispose()
    }
  }
  const base = basePolicy(options, env, seed)
  const policy = await components.loadPolicy(base.dir, base.load).catch((error: unknown) => {
    throw source === undefined || source.sft ? error : policyError(source, error)
  })
  try {
    if (info.parameters === undefined && policy.parameterCount !== undefined) {
      info = { ...info, parameters: policy.parameterCount }
      await writeFile(paths.info, `${JSON.stringify(info, null, 2)}\n`)
    }
    progress.status(`${env} seed ${seed}: evaluating the SFT base`)
    const evaluation = await evaluatePolicy({
      env,
      suite,
      policy,
      config,
      episodes: budget.finalEval.episodes,
      rollouts: budget.finalEval.rollouts,
      onProgress: (p) =>
        progress.status(
          `${env} seed ${seed}: evaluating the SFT base · step ${p.step + 1} · ${p.active}/${p.slots} running`,
        ),
    })
    await writeFile(paths.evaluation, `${JSON.stringify(evaluation)}\n`)
    progress.log(
      `SFT base ${env} seed ${seed}: success ${(100 * successOf(evaluation)).toFixed(1)}% (${evaluation.episodes.length} episodes)`,
    )
  } finally {
    policy.dispose()
  }
}

/** Sampling seed of the SFT early-stop probes (not the final evaluations'). */
const PROBE_SAMPLING_SEED = 2_000_003

/** Options of {@link fineTune}. */
export interface FineTuneOptions {
  readonly policy: BenchPolicy
  readonly examples: readonly SftExample[]
  readonly sft: SftBudget
  readonly seed: number
  /** Success rate of the policy on `episodes` probe episodes (for `sft.stopAt`). */
  readonly probe: (episodes: number) => Promise<number>
  readonly onChunk?: (epochs: number, probe: number | undefined) => void
}

/**
 * Supervised fine-tuning of the SFT base: `sft.epochs` epochs, or, with `sft.stopAt`, in chunks of `every` epochs
 * from epoch `from`, each followed by a probe, until the probe's success rate reaches the target. Returns the
 * losses of every optimizer step, the epochs run and the probes' success rates.
 */
export async function fineTune(options: FineTuneOptions): Promise<{
  readonly losses: readonly number[]
  readonly epochs: number
  readonly probes: readonly { readonly epochs: number; readonly successRate: number }[]
}> {
  const { sft, policy } = options
  const stop = sft.stopAt
  const losses: number[] = []
  const probes: { epochs: number; successRate: number }[] = []
  let epochs = 0
  while (epochs < sft.epochs) {
    const chunk =
      stop === undefined
        ? sft.epochs
        : Math.min(sft.epochs - epochs, epochs < stop.from ? stop.from - epochs : stop.every)
    const result = await policy.sft(options.examples, {
      epochs: chunk,
      batchSize: sft.batchSize,
      lr: sft.lr,
      seed: options.seed * 1000 + epochs,
    })
    losses.push(...(result.losses ?? []))
    epochs += chunk
    let probe: number | undefined
    if (stop !== undefined && epochs >= stop.from && epochs < sft.epochs) {
      probe = await options.probe(stop.episodes)
      probes.push({ epochs, successRate: probe })
    }
    options.onChunk?.(epochs, probe)
    if (probe !== undefined && probe >= stop!.successRate) break
  }
  return { losses, epochs, probes }
}

/** Numbers of an SFT result: numeric fields as they are, number arrays (losses) as first / last / count. */
export function summarizeSft(result: unknown): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [key, value] of Object.entries((result ?? {}) as Record<string, unknown>)) {
    const name = key.replace(/^sft\//, '')
    if (typeof value === 'number') out[name] = value
    else if (Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'number')) {
      out[`${name}_first`] = value[0] as number
      out[`${name}_last`] = value[value.length - 1] as number
      out[`${name}_count`] = value.length
    }
  }
  return out
}

function successOf(evaluation: Evaluation): number {
  const n = evaluation.episodes.length
  return n === 0 ? 0 : evaluation.episodes.filter((e) => e.success).length / n
}

/** The trainer's `rollouts` option of a run: `undefined` for in-process rollouts. */
function rolloutsOption(input: {
  readonly options: RunChainOptions
  readonly spec: RunSpec
  readonly id: string
}): RolloutBackendOptions | undefined {
  const { rollouts, components, preset } = input.options
  if (rollouts === undefined || rollouts.backend === 'in-process') return undefined
  if (components.rolloutRuntime === undefined) {
    throw new Error(
      `--rollouts ${rollouts.backend}: these components cannot name a rollout runtime for worker ${rollouts.backend === 'threads' ? 'threads' : 'processes'}.`,
    )
  }
  const runtime = components.rolloutRuntime({ env: input.spec.env, preset })
  return rollouts.backend === 'threads'
    ? { backend: 'threads', threads: rollouts.threads, runtime }
    : {
        backend: 'queue',
        redis: rollouts.redis,
        runtime,
        // One id per run and preset: a resumed run finds the jobs it enqueued, two runs never share results.
        runId: `bench-${preset.name}-${input.id.replaceAll('/', '-')}`,
      }
}

/** Trains one run (resuming from its checkpoint when there is one) and evaluates its final policy. */
async function trainRun(options: RunChainOptions & { readonly spec: RunSpec }): Promise<void> {
  const { spec, preset, components, progress, layout } = options
  const id = runId(spec)
  const paths = layout.run(spec)
  const budget = envBudget(preset, spec.env)
  const input = trainerConfigFor(preset, spec)
  await mkdir(paths.dir, { recursive: true })
  const previous = await readJsonIfExists<unknown>(paths.config)
  if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(input)) {
    throw new Error(
      `${paths.config} was written with a different configuration (the preset changed?). ` +
        `Rerun with --fresh to start this preset over, or delete ${paths.dir}.`,
    )
  }
  await writeFile(paths.config, `${JSON.stringify(input, null, 2)}\n`)
  const config = resolveTrainerConfig(input)
  const suites = envSuites({ components, preset, env: spec.env })
  const suite = suites.train
  const base = basePolicy(options, spec.env, spec.seed)
  const policy = await components.loadPolicy(base.dir, base.load)
  policy.resetOptimizer?.()
  const critic =
    spec.variant.estimator === 'ppo'
      ? await (components.createCritic?.({ policy, seed: spec.seed }) ??
          Promise.reject(new Error('PPO needs a critic, and these components cannot make one.')))
      : undefined
  const inner = spec.variant.estimator === 'ppo' ? undefined : createEstimator(config.algorithm)
  const estimator = inner === undefined ? undefined : createDiagnosingEstimator(inner)
  const diagnostics = createMetricsLog(paths.diagnostics)
  let pending: Promise<unknown> = Promise.resolve()
  const enqueue = (fn: () => Promise<unknown>) => {
    pending = pending.then(fn)
  }
  const iterations = config.trainer.iterations
  const rollouts = rolloutsOption({ options, spec, id })
  // A distributed rollout's status (workers, jobs w/a/d/f) goes right after the iteration on every status line, so
  // it survives the line being cut to the terminal's width and shows in the plain lines of a CI log.
  let workers = ''
  let stepText = ''
  const show = (step: number, what: string) => {
    stepText = what
    progress.status(`${id} · iter ${step}/${iterations}${workers === '' ? '' : ` · ${workers}`} · ${what}`)
  }
  const onEvent = (event: TrainerEvent) => {
    switch (event.type) {
      case 'start':
        // Keep the diagnostics in step with the metrics the trainer kept (it truncates them to the checkpoint).
        enqueue(() => diagnostics.truncateAfter(event.fromStep - 1))
        if (event.fromStep > 1) progress.advance(event.fromStep - 1)
        break
      case 'resume':
        progress.log(`${id}: resuming after iteration ${event.step}`)
        break
      case 'rollout':
        if (event.step > 0) {
          show(
            event.step,
            `${event.progress.jobId.startsWith('val') ? 'validation' : 'rollout'} step ${event.progress.step + 1} · ` +
              `${event.progress.active}/${event.progress.slots} running`,
          )
        }
        break
      case 'workers':
        if (workers === '') progress.log(`${id}: training rollouts on ${event.status.config}`)
        workers = formatWorkerStatus(event.status)
        if (event.step > 0) show(event.step, stepText === '' ? 'rollout' : stepText)
        break
      case 'stage':
        if (event.step > 0 && event.stage !== 'gen') show(event.step, event.stage)
        break
      case 'iteration': {
        if (event.stats.step === 0) break
        const record = estimator?.takeDiagnostics()
        if (record !== undefined) enqueue(() => diagnostics.append({ step: event.stats.step, ...record }))
        progress.advance(1)
        break
      }
      case 'warning':
        progress.log(`${id}: ${event.message}`)
        break
      case 'checkpoint':
        break
    }
  }
  let trained: BenchPolicy = policy
  try {
    const trainer = createTrainer({
      config,
      policy,
      suite,
      ...(critic === undefined ? {} : { critic }),
      ...(estimator === undefined ? {} : { estimator }),
      ...(rollouts === undefined ? {} : { rollouts }),
      outputDir: paths.dir,
      loadPolicy: (dir) => components.loadPolicy(dir),
      ...(components.loadCritic === undefined
        ? {}
        : { loadCritic: (dir: string) => components.loadCritic!(dir) }),
      ...(components.tensorBytes === undefined ? {} : { tensorBytes: () => components.tensorBytes!() }),
      onEvent,
    })
    for await (const stats of trainer) void stats
    await pending
    // On resume the trainer loads the checkpoint into a new policy object: evaluate that one.
    trained = trainer.policy as BenchPolicy
    progress.status(`${id} · final evaluation`)
    const evaluation = await evaluatePolicy({
      env: spec.env,
      suite: suites.evaluation,
      policy: trained,
      config,
      episodes: budget.finalEval.episodes,
      rollouts: budget.finalEval.rollouts,
      onProgress: (p) =>
        progress.status(`${id} · final evaluation · step ${p.step + 1} · ${p.active}/${p.slots} running`),
    })
    const fingerprint = takeFingerprint({
      backend: await components.backend(),
      command: options.command,
      ...(options.policy === undefined ? {} : { policy: options.policy }),
    })
    await writeFile(paths.fingerprint, `${JSON.stringify(fingerprint, null, 2)}\n`)
    await writeFile(paths.evaluation, `${JSON.stringify(evaluation)}\n`)
    progress.advance(evalUnits(options.context, spec.env))
    progress.log(
      `${id}: success ${(100 * successOf(evaluation)).toFixed(1)}% (${evaluation.episodes.length} episodes)`,
    )
  } finally {
    await pending.catch(() => undefined)
    if (trained !== policy) trained.dispose()
    policy.dispose()
    critic?.dispose()
  }
}
