/**
 * Command-line parsing of `pnpm bench [-- <preset>] [options]` (pure, so it is tested without running anything).
 */
import { parseArgs } from 'node:util'
import { InvalidArgumentError } from '@gigpo/protocol'
import { ENV_IDS } from './experiment.js'
import { getPreset, PRESET_NAMES } from './presets.js'
import type { BenchPolicySource, BenchPreset, BenchRollouts, EnvId } from './types.js'

/** The parsed command line. */
export interface CliOptions {
  readonly preset: BenchPreset
  /** `undefined` = the preset's default experiments. */
  readonly experiments?: readonly string[]
  readonly seeds: readonly number[]
  readonly envs: readonly EnvId[]
  /** `undefined` = `<apps/bench>/runs`. */
  readonly out?: string
  readonly fresh: boolean
  readonly reportOnly: boolean
  readonly runMicro: boolean
  readonly list: boolean
  readonly help: boolean
  /** TF.js backend preference (`auto`, `wasm`, `cpu`, `node`, `node-gpu`). */
  readonly backend?: string
  /** Chains (environment × seed) run at once, each in its own process; `undefined` = min(2, cores). */
  readonly jobs?: number
  /** Where training rollouts run; `undefined` = in the training process. */
  readonly rollouts?: BenchRollouts
  /**
   * `--policy DIR [--lora RANK] [--sft]`: the base policy of every method loaded from DIR (as given; the CLI makes
   * it absolute); `undefined` = the preset's model from scratch.
   */
  readonly policy?: BenchPolicySource
  /** `--memory-budget GiB` (with `--policy`): the memory plan's budget in bytes. */
  readonly memoryBudgetBytes?: number
}

/** The help text. */
export const USAGE = `Usage: pnpm bench [-- <preset>] [options]

Reproduces the GiGPO paper's tables with gigpo-ts and writes RESULTS.md with the paper's numbers beside ours.

Presets:
  quick      (default) one seed, small model on CPU, ≤ 15 minutes on 2 cores
  standard   3 seeds, every experiment incl. ablations and PPO; hours on CPU
  paper      the paper's hyper-parameters (16 groups × 8, 150 iterations, …); for a GPU (tfjs-node-gpu)
  smoke      seconds-long pipeline check; its numbers mean nothing

Options:
      --preset <name>      the preset, as an option instead of positionally
  -e, --experiments <ids>  comma-separated experiments (see --list); default: the preset's
      --seeds <list>       comma-separated seeds, e.g. 0,1,2; default: the preset's
      --num-seeds <n>      seeds 0 … n-1
      --envs <list>        alfworld,webshop (default: both)
  -o, --out <dir>          output root (default: apps/bench/runs); files go to <dir>/<preset>/
      --resume             continue where an interrupted invocation stopped (the default)
      --fresh              discard this preset's previous results and start over
      --report-only        only regenerate RESULTS.md and the plots from the existing files
      --run-micro          run every package's micro-benchmarks first (pnpm bench:packages)
      --backend <name>     TF.js backend: auto (default), wasm, cpu, node, node-gpu
  -j, --jobs <n>           environment × seed chains run at once, one process each (default: min(2, cores))
      --rollouts <where>   training rollouts: in-process (default), threads (worker threads on this machine)
                           or queue (gigpo worker processes over Redis); the progress line shows their status
      --threads <n>        worker threads per training process with --rollouts threads (default 2)
      --redis <url>        Redis of the queue with --rollouts queue, e.g. redis://127.0.0.1:6379
      --policy <dir>       base policy of every method loaded from <dir>: a Hugging Face Qwen2 checkpoint
                           (e.g. Qwen2.5-1.5B-Instruct) or a saved TfjsPolicy; replaces the preset's model and
                           word tokenizer, and skips the SFT warm start (the loaded model is the base)
      --sft                with --policy: run the preset's SFT warm start on top of the loaded model
      --lora <rank>        with --policy: train LoRA adapters of this rank instead of every weight
      --memory-budget <GiB> with --policy: the memory plan's budget, e.g. the GPU's memory (default: 80% of RAM)
      --list               list presets and experiments, then exit
  -h, --help               this text
`

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function parseSeed(text: string): number {
  const seed = Number(text)
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(
      `--seeds: each seed must be a non-negative integer, got ${JSON.stringify(text)}.`,
    )
  }
  return seed
}

/** Parses the arguments after `pnpm bench --`; throws an `InvalidArgumentError` naming the bad flag. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...argv].filter((a) => a !== '--'),
      allowPositionals: true,
      strict: true,
      options: {
        preset: { type: 'string' },
        experiments: { type: 'string', short: 'e' },
        seeds: { type: 'string' },
        'num-seeds': { type: 'string' },
        envs: { type: 'string' },
        out: { type: 'string', short: 'o' },
        resume: { type: 'boolean' },
        fresh: { type: 'boolean' },
        'report-only': { type: 'boolean' },
        'run-micro': { type: 'boolean' },
        backend: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        rollouts: { type: 'string' },
        threads: { type: 'string' },
        redis: { type: 'string' },
        policy: { type: 'string' },
        sft: { type: 'boolean' },
        lora: { type: 'string' },
        'memory-budget': { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}. Run with --help for the options.`)
  }
  const { values, positionals } = parsed
  if (positionals.length > 1) {
    throw new InvalidArgumentError(
      `Expected at most one preset, got ${positionals.join(' ')}. Presets: ${PRESET_NAMES.join(', ')}.`,
    )
  }
  const named = values['preset'] as string | undefined
  if (named !== undefined && positionals[0] !== undefined && positionals[0] !== named) {
    throw new InvalidArgumentError(
      `Two presets: ${positionals[0]} and --preset ${named}; give one (e.g. pnpm bench -- ${named}).`,
    )
  }
  const preset = getPreset(named ?? positionals[0] ?? 'quick')
  if (values['seeds'] !== undefined && values['num-seeds'] !== undefined) {
    throw new InvalidArgumentError('Give either --seeds or --num-seeds, not both.')
  }
  let seeds: readonly number[] = preset.seeds
  const seedList = list(values['seeds'] as string | undefined)
  if (seedList !== undefined) {
    seeds = [...new Set(seedList.map(parseSeed))]
    if (seeds.length === 0)
      throw new InvalidArgumentError('--seeds: give at least one seed, e.g. --seeds 0,1,2.')
  }
  if (values['num-seeds'] !== undefined) {
    const n = Number(values['num-seeds'])
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(
        `--num-seeds: must be a positive integer, got ${JSON.stringify(values['num-seeds'])}.`,
      )
    }
    seeds = Array.from({ length: n }, (_, i) => i)
  }
  let envs: readonly EnvId[] = preset.envs
  const envList = list(values['envs'] as string | undefined)
  if (envList !== undefined) {
    const bad = envList.filter((e) => !(ENV_IDS as readonly string[]).includes(e))
    if (bad.length > 0 || envList.length === 0) {
      throw new InvalidArgumentError(
        `--envs: unknown environment(s) ${bad.join(', ') || '(none)'}; choose from ${ENV_IDS.join(', ')}.`,
      )
    }
    envs = ENV_IDS.filter((e) => envList.includes(e))
  }
  if (values['resume'] === true && values['fresh'] === true) {
    throw new InvalidArgumentError('--resume and --fresh contradict each other; resuming is the default.')
  }
  const backends = ['auto', 'wasm', 'cpu', 'node', 'node-gpu']
  const backend = values['backend'] as string | undefined
  if (backend !== undefined && !backends.includes(backend)) {
    throw new InvalidArgumentError(
      `--backend: unknown backend ${JSON.stringify(backend)}; choose from ${backends.join(', ')}.`,
    )
  }
  let jobs: number | undefined
  if (values['jobs'] !== undefined) {
    jobs = Number(values['jobs'])
    if (!Number.isSafeInteger(jobs) || jobs < 1) {
      throw new InvalidArgumentError(
        `--jobs: must be a positive integer, got ${JSON.stringify(values['jobs'])}.`,
      )
    }
  }
  const rollouts = parseRollouts({
    rollouts: values['rollouts'] as string | undefined,
    threads: values['threads'] as string | undefined,
    redis: values['redis'] as string | undefined,
  })
  const policy = parsePolicy({
    policy: values['policy'] as string | undefined,
    sft: values['sft'] === true,
    lora: values['lora'] as string | undefined,
  })
  const memoryBudgetBytes = parseMemoryBudget(values['memory-budget'] as string | undefined, policy)
  const experiments = list(values['experiments'] as string | undefined)
  return {
    preset,
    ...(experiments === undefined ? {} : { experiments }),
    seeds,
    envs,
    ...(values['out'] === undefined ? {} : { out: values['out'] as string }),
    fresh: values['fresh'] === true,
    reportOnly: values['report-only'] === true,
    runMicro: values['run-micro'] === true,
    list: values['list'] === true,
    help: values['help'] === true,
    ...(backend === undefined ? {} : { backend }),
    ...(jobs === undefined ? {} : { jobs }),
    ...(rollouts === undefined ? {} : { rollouts }),
    ...(policy === undefined ? {} : { policy }),
    ...(memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes }),
  }
}

/** `--memory-budget <GiB>` → bytes; only with `--policy` (the preset's own models are not planned). */
function parseMemoryBudget(
  value: string | undefined,
  policy: BenchPolicySource | undefined,
): number | undefined {
  if (value === undefined) return undefined
  if (policy === undefined) throw new InvalidArgumentError('--memory-budget goes with --policy <dir>.')
  const gib = Number(value)
  if (!Number.isFinite(gib) || gib <= 0) {
    throw new InvalidArgumentError(
      `--memory-budget: a positive number of GiB, got ${JSON.stringify(value)} (e.g. --memory-budget 80).`,
    )
  }
  return Math.round(gib * 1024 ** 3)
}

/** `--policy`, `--sft`, `--lora`: the last two only make sense with the first. */
function parsePolicy(values: {
  readonly policy: string | undefined
  readonly sft: boolean
  readonly lora: string | undefined
}): BenchPolicySource | undefined {
  if (values.policy === undefined) {
    if (values.sft)
      throw new InvalidArgumentError('--sft goes with --policy <dir> (the preset always runs its SFT).')
    if (values.lora !== undefined) throw new InvalidArgumentError('--lora goes with --policy <dir>.')
    return undefined
  }
  if (values.policy.trim() === '') {
    throw new InvalidArgumentError('--policy: give a directory, e.g. --policy /models/Qwen2.5-1.5B-Instruct.')
  }
  let loraRank: number | undefined
  if (values.lora !== undefined) {
    loraRank = Number(values.lora)
    if (!Number.isSafeInteger(loraRank) || loraRank < 1) {
      throw new InvalidArgumentError(
        `--lora: the rank must be a positive integer, got ${JSON.stringify(values.lora)} (e.g. --lora 16).`,
      )
    }
  }
  return { dir: values.policy, sft: values.sft, ...(loraRank === undefined ? {} : { loraRank }) }
}

const ROLLOUT_BACKENDS = ['in-process', 'threads', 'queue'] as const

/**
 * `--rollouts`, `--threads`, `--redis`: `--threads` alone means threads, `--redis` alone means the queue; a count or
 * URL that does not fit the chosen backend is an error rather than silently ignored.
 */
function parseRollouts(values: {
  readonly rollouts: string | undefined
  readonly threads: string | undefined
  readonly redis: string | undefined
}): BenchRollouts | undefined {
  const chosen =
    values.rollouts ??
    (values.threads !== undefined ? 'threads' : values.redis !== undefined ? 'queue' : undefined)
  if (chosen === undefined) return undefined
  if (!(ROLLOUT_BACKENDS as readonly string[]).includes(chosen)) {
    throw new InvalidArgumentError(
      `--rollouts: unknown value ${JSON.stringify(chosen)}; choose from ${ROLLOUT_BACKENDS.join(', ')}.`,
    )
  }
  if (values.threads !== undefined && chosen !== 'threads') {
    throw new InvalidArgumentError(`--threads goes with --rollouts threads, not --rollouts ${chosen}.`)
  }
  if (values.redis !== undefined && chosen !== 'queue') {
    throw new InvalidArgumentError(`--redis goes with --rollouts queue, not --rollouts ${chosen}.`)
  }
  if (chosen === 'in-process') return { backend: 'in-process' }
  if (chosen === 'threads') {
    const threads = Number(values.threads ?? 2)
    if (!Number.isSafeInteger(threads) || threads < 1) {
      throw new InvalidArgumentError(
        `--threads: must be a positive integer, got ${JSON.stringify(values.threads)}.`,
      )
    }
    return { backend: 'threads', threads }
  }
  if (values.redis === undefined || !/^rediss?:\/\//u.test(values.redis)) {
    throw new InvalidArgumentError(
      values.redis === undefined
        ? '--rollouts queue needs --redis <url>, e.g. --redis redis://127.0.0.1:6379 (workers: gigpo worker --redis <url>).'
        : `--redis: expected a redis:// or rediss:// URL, got ${JSON.stringify(values.redis)}.`,
    )
  }
  return { backend: 'queue', redis: values.redis }
}
