import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { GigpoError, InvalidArgumentError, type EnvInfo, type Policy } from '@gigpo/protocol'
import type { ScriptedSuiteOptions } from '../testing/scripted-suite.js'
import type { EnvSuite } from '../suite.js'
import type { AlfworldSuiteOptions } from '../suites/alfworld.js'
import type { WebShopSuiteOptions } from '../suites/webshop.js'

/** A policy a rollout worker loaded to act with; freed (when it can be) once its version is no longer needed. */
export interface RolloutPolicy extends Policy {
  dispose?(): void
}

/**
 * What a rollout worker in another thread or process needs to run jobs: the env suite, and how to load a
 * published policy version (a directory written by the policy's `save(dir)`).
 */
export interface RolloutRuntime<TInfo extends EnvInfo = EnvInfo> {
  readonly suite: EnvSuite<TInfo>
  /** Loads the policy saved in `dir` (e.g. policy-tfjs: `(dir) => loadPolicy(dir)`). */
  loadPolicy(dir: string): Promise<RolloutPolicy>
  /** Releases what the runtime holds, when the worker stops. */
  close?(): Promise<void>
}

/**
 * Where a worker thread or a queue worker gets its {@link RolloutRuntime}: a module it imports and a named
 * export it calls with `options`. Plain data, so it travels to threads and, inside every queue job, to other
 * machines (which must have the module installed at a path they can import).
 *
 * Built in: {@link builtinRuntimeSpec} (ALFWorld, WebShop or the scripted corridor; the TF.js or tabular policy).
 */
export interface RolloutRuntimeSpec {
  /**
   * A module specifier: a package name (resolved from `@gigpo/trainer`'s location), a `file:` URL, or a file
   * path (absolute, or relative to the worker's working directory).
   */
  readonly module: string
  /**
   * The named export to call as `(options) => RolloutRuntime | Promise<RolloutRuntime>`.
   * @defaultValue `'createRolloutRuntime'`
   */
  readonly export?: string
  /** JSON-serialisable options passed to the export. */
  readonly options?: unknown
}

/** Options of {@link builtinRolloutRuntime}: which built-in suite with which JSON options, which policy loader. */
export type BuiltinRolloutRuntimeOptions = (
  | { readonly suite: 'alfworld'; readonly suiteOptions?: AlfworldSuiteOptions }
  | { readonly suite: 'webshop'; readonly suiteOptions?: Omit<WebShopSuiteOptions, 'world'> }
  | { readonly suite: 'scripted'; readonly suiteOptions?: ScriptedSuiteOptions }
) & {
  /**
   * `'tfjs'`: `@gigpo/policy-tfjs`'s `loadPolicy` (install it beside the trainer); `'tabular'`: the trainer's
   * tabular test policy (`loadTabularPolicy`).
   */
  readonly policy: 'tfjs' | 'tabular'
  /**
   * TF.js backend for `'tfjs'` (each worker thread or process runs its own).
   * @defaultValue `'auto'` (or the `GIGPO_TFJS_BACKEND` environment variable)
   */
  readonly backend?: 'auto' | 'wasm' | 'cpu' | 'node' | 'node-gpu' | 'tensorflow'
}

type TfjsLoader = (dir: string, options: { backend: BuiltinBackend }) => Promise<RolloutPolicy>
type BuiltinBackend = NonNullable<BuiltinRolloutRuntimeOptions['backend']>

const BUILTIN_MODULE = '@gigpo/trainer'
const BUILTIN_EXPORT = 'builtinRolloutRuntime'

/**
 * The spec of a built-in runtime, for `createThreadRolloutWorker`, `createQueueRolloutWorker` or the trainer's
 * `rollouts` option.
 *
 * @example
 * ```ts
 * const runtime = builtinRuntimeSpec({ suite: 'alfworld', policy: 'tfjs', backend: 'wasm' })
 * ```
 */
export function builtinRuntimeSpec(options: BuiltinRolloutRuntimeOptions): RolloutRuntimeSpec {
  return { module: BUILTIN_MODULE, export: BUILTIN_EXPORT, options }
}

/** Builds a built-in runtime (what {@link builtinRuntimeSpec} names); workers call it for you. */
export async function builtinRolloutRuntime(options: BuiltinRolloutRuntimeOptions): Promise<RolloutRuntime> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(
      'builtinRolloutRuntime: options must be an object such as { suite, policy }.',
    )
  }
  const suite = await builtinSuite(options)
  if (options.policy === 'tabular') {
    const { loadTabularPolicy } = await import('../testing/tabular-policy.js')
    return { suite, loadPolicy: (dir) => loadTabularPolicy(dir) }
  }
  if (options.policy === 'tfjs') {
    let loadTfjsPolicy: TfjsLoader
    try {
      loadTfjsPolicy = (await import('@gigpo/policy-tfjs')).loadPolicy
    } catch (error) {
      const missing =
        (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' &&
        String((error as Error).message).includes('@gigpo/policy-tfjs')
      throw new GigpoError(
        missing ? 'NOT_FOUND' : 'UNSUPPORTED',
        missing
          ? "builtinRolloutRuntime: policy 'tfjs' needs @gigpo/policy-tfjs; install it beside @gigpo/trainer."
          : `builtinRolloutRuntime: @gigpo/policy-tfjs failed to load: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
    const backend = options.backend ?? 'auto'
    return { suite, loadPolicy: (dir) => loadTfjsPolicy(dir, { backend }) }
  }
  throw new InvalidArgumentError(
    `builtinRolloutRuntime: policy must be 'tfjs' or 'tabular', got ${JSON.stringify((options as { policy?: unknown }).policy)}.`,
  )
}

async function builtinSuite(options: BuiltinRolloutRuntimeOptions): Promise<EnvSuite> {
  switch (options.suite) {
    case 'alfworld': {
      const { createAlfworldSuite } = await import('../suites/alfworld.js')
      return createAlfworldSuite(options.suiteOptions ?? {}) as EnvSuite
    }
    case 'webshop': {
      const { createWebShopSuite } = await import('../suites/webshop.js')
      return createWebShopSuite(options.suiteOptions ?? {}) as EnvSuite
    }
    case 'scripted': {
      const { createScriptedSuite } = await import('../testing/scripted-suite.js')
      return createScriptedSuite(options.suiteOptions ?? {}) as EnvSuite
    }
    default:
      throw new InvalidArgumentError(
        `builtinRolloutRuntime: suite must be 'alfworld', 'webshop' or 'scripted', got ${JSON.stringify((options as { suite?: unknown }).suite)}.`,
      )
  }
}

/** Checks a runtime spec's shape (it arrives from other processes); returns it. */
export function checkRuntimeSpec(spec: unknown, where: string): RolloutRuntimeSpec {
  const s = spec as Partial<RolloutRuntimeSpec> | null
  if (typeof s !== 'object' || s === null || typeof s.module !== 'string' || s.module === '') {
    throw new InvalidArgumentError(
      `${where}: runtime must be { module, export?, options? } with a module specifier, got ${JSON.stringify(spec)}.`,
    )
  }
  if (s.export !== undefined && (typeof s.export !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(s.export))) {
    throw new InvalidArgumentError(
      `${where}: runtime.export must be an identifier, got ${JSON.stringify(s.export)}.`,
    )
  }
  return s as RolloutRuntimeSpec
}

/** A stable key of a spec (its JSON), for caches and allow-lists. */
export function runtimeKey(spec: RolloutRuntimeSpec): string {
  return JSON.stringify([spec.module, spec.export ?? 'createRolloutRuntime', spec.options ?? null])
}

/** Whether `spec` names the built-in runtime (always allowed by queue workers). */
export function isBuiltinRuntime(spec: RolloutRuntimeSpec): boolean {
  return spec.module === BUILTIN_MODULE && (spec.export ?? 'createRolloutRuntime') === BUILTIN_EXPORT
}

/** The URL or package name to import for a module specifier (paths resolved against the working directory). */
export function moduleUrl(specifier: string): string {
  if (specifier.startsWith('file:') || specifier.startsWith('data:')) return specifier
  if (isAbsolute(specifier) || specifier.startsWith('./') || specifier.startsWith('../')) {
    return pathToFileURL(resolve(specifier)).href
  }
  return specifier
}

/**
 * Imports a spec's module and builds its runtime; checks that the result has a suite and a policy loader.
 * The built-in runtime is built without importing the package by name.
 */
export async function loadRolloutRuntime(spec: RolloutRuntimeSpec): Promise<RolloutRuntime> {
  checkRuntimeSpec(spec, 'loadRolloutRuntime')
  const name = spec.export ?? 'createRolloutRuntime'
  let factory: unknown
  if (isBuiltinRuntime(spec)) {
    factory = builtinRolloutRuntime
  } else {
    let mod: Record<string, unknown>
    try {
      mod = (await import(moduleUrl(spec.module))) as Record<string, unknown>
    } catch (error) {
      throw new GigpoError(
        'NOT_FOUND',
        `loadRolloutRuntime: cannot import runtime module ${JSON.stringify(spec.module)} (install it on this machine, or pass an absolute path).`,
        { cause: error },
      )
    }
    factory = mod[name]
  }
  if (typeof factory !== 'function') {
    throw new InvalidArgumentError(
      `loadRolloutRuntime: ${JSON.stringify(spec.module)} has no exported function ${name}.`,
    )
  }
  const runtime = (await (factory as (options: unknown) => unknown)(spec.options)) as Partial<RolloutRuntime>
  if (
    typeof runtime !== 'object' ||
    runtime === null ||
    typeof runtime.suite?.createEnv !== 'function' ||
    typeof runtime.loadPolicy !== 'function'
  ) {
    throw new InvalidArgumentError(
      `loadRolloutRuntime: ${spec.module}#${name} must return { suite, loadPolicy(dir) }.`,
    )
  }
  return runtime as RolloutRuntime
}
