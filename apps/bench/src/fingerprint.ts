/**
 * The run fingerprint written to `run.json`: enough to tell whether two result sets are comparable (code
 * version, library versions, backend, hardware), as TRL stores beside its invariant curves.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Fingerprint, PolicySourceInfo } from './types.js'

export type { Fingerprint } from './types.js'

/** The monorepo root (two levels above `apps/bench`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** `<sha>` or `<sha>-dirty`, or `unknown` when git is not available. */
export function gitSha(cwd: string = REPO_ROOT): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return status.trim() === '' ? sha : `${sha}-dirty`
  } catch {
    return 'unknown'
  }
}

function readVersion(packageJson: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: string; version?: string }
  } catch {
    return {}
  }
}

/** Versions of the workspace packages (`packages/*` and `apps/*`). */
export function workspaceVersions(root: string = REPO_ROOT): Record<string, string> {
  const out: Record<string, string> = {}
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group)
    if (!existsSync(dir)) continue
    for (const entry of readdirSync(dir).sort()) {
      const { name, version } = readVersion(join(dir, entry, 'package.json'))
      if (name !== undefined && version !== undefined) out[name] = version
    }
  }
  return out
}

/** Installed versions of the TF.js packages, found in the pnpm store below the repository root. */
export function tfjsVersions(root: string = REPO_ROOT): Record<string, string> {
  const out: Record<string, string> = {}
  const store = join(root, 'node_modules', '.pnpm')
  if (!existsSync(store)) return out
  for (const entry of readdirSync(store)) {
    const match = /^@tensorflow\+(tfjs-[a-z-]+)@([^_]+)/.exec(entry)
    if (match === null) continue
    const name = `@tensorflow/${match[1]!}`
    const versions = new Set((out[name] ?? '').split(', ').filter(Boolean))
    versions.add(match[2]!)
    out[name] = [...versions].sort().join(', ')
  }
  return out
}

/** Takes the fingerprint of this process. */
export function takeFingerprint(options: {
  readonly backend: string
  readonly command: string
  readonly policy?: PolicySourceInfo
}): Fingerprint {
  const cpuList = cpus()
  return {
    format: 'gigpo-bench-fingerprint/v1',
    date: new Date().toISOString(),
    gitSha: gitSha(),
    packages: workspaceVersions(),
    tfjs: tfjsVersions(),
    backend: options.backend,
    cpu: {
      model: cpuList[0]?.model.trim() ?? 'unknown',
      cores: cpuList.length,
      availableParallelism: availableParallelism(),
    },
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    command: options.command,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
  }
}
